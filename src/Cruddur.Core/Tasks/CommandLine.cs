using System.Text;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tasks;

/// <summary>Splits a command written as one string into the argv ECS wants, with POSIX shell quoting: 'single', "double", \escape.</summary>
public static class CommandLine
{
    public static IReadOnlyList<string> Split(string text)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    args.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }

                i++;
                continue;
            }

            inWord = true;
            i = c switch
            {
                '\'' => ReadSingleQuoted(text, i, current),
                '"' => ReadDoubleQuoted(text, i, current),
                '\\' when i + 1 < text.Length => Append(current, text[i + 1], i + 2),
                _ => Append(current, c, i + 1),
            };
        }

        if (inWord)
        {
            args.Add(current.ToString());
        }

        if (args.Count == 0)
        {
            throw new CruddurException(ErrorIds.TaskCommandEmpty, ErrorKind.InvalidArgument,
                "The command is empty.", target: text);
        }

        return args;
    }

    /// <summary>Appends what 'single quotes' opened at <paramref name="open"/> hold, literally; returns the index after the closing quote.</summary>
    private static int ReadSingleQuoted(string text, int open, StringBuilder current)
    {
        var close = text.IndexOf('\'', open + 1);
        if (close < 0)
        {
            throw Unbalanced(text, open);
        }

        current.Append(text, open + 1, close - open - 1);
        return close + 1;
    }

    /// <summary>
    /// Appends what "double quotes" opened at <paramref name="open"/> hold, where a backslash escapes only " \ $ and `;
    /// returns the index after the closing quote.
    /// </summary>
    private static int ReadDoubleQuoted(string text, int open, StringBuilder current)
    {
        for (var i = open + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                return i + 1;
            }

            current.Append(c == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`' ? text[++i] : c);
        }

        throw Unbalanced(text, open);
    }

    private static int Append(StringBuilder current, char c, int next)
    {
        current.Append(c);
        return next;
    }

    private static CruddurException Unbalanced(string text, int open) => new(ErrorIds.TaskCommandUnbalancedQuote, ErrorKind.InvalidArgument,
        $"The command has an unbalanced {(text[open] == '\'' ? "single" : "double")} quote (opened at character {open + 1}): {text}. Close it, or give the command as an array of words.", target: text);
}
