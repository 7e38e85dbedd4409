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
        char? quote = null;
        var quoteAt = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote == '\'')
            {
                if (c == '\'')
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (quote == '"')
            {
                if (c == '"')
                {
                    quote = null;
                }
                else if (c == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`')
                {
                    current.Append(text[++i]);
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    args.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                inWord = true;
                if (c is '\'' or '"')
                {
                    quote = c;
                    quoteAt = i;
                }
                else if (c == '\\' && i + 1 < text.Length)
                {
                    current.Append(text[++i]);
                }
                else
                {
                    current.Append(c);
                }
            }
        }

        if (quote is { } open)
        {
            throw new CruddurException(ErrorIds.TaskCommandUnbalancedQuote, ErrorKind.InvalidArgument,
                $"The command has an unbalanced {(open == '\'' ? "single" : "double")} quote (opened at character {quoteAt + 1}): {text}. Close it, or give the command as an array of words.", target: text);
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
}
