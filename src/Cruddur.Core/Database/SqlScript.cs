using System.Text;

namespace Cruddur.Core.Database;

/// <summary>One statement of a script and where it starts in the file (0-based character offset).</summary>
internal sealed record SqlStatement(string Text, int Offset);

/// <summary>
/// A .sql file split into statements the way psql splits it (semicolons outside quotes, identifiers, dollar quotes and
/// comments), so that each statement can be sent on its own and a server error's position maps back to a line and column.
/// </summary>
internal sealed class SqlScript
{
    private SqlScript(string path, string text, IReadOnlyList<SqlStatement> statements)
    {
        Path = path;
        Text = text;
        Statements = statements;
    }

    public string Path { get; }

    public string Text { get; }

    public IReadOnlyList<SqlStatement> Statements { get; }

    public static SqlScript Load(string path) => Parse(path, File.ReadAllText(path, Encoding.UTF8));

    public static SqlScript Parse(string path, string text) => new(path, text, Split(text));

    /// <summary>1-based line and column of a 0-based character offset.</summary>
    public (int Line, int Column) LineColumnOf(int offset)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (Text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }

    internal static List<SqlStatement> Split(string text)
    {
        var statements = new List<SqlStatement>();
        var start = -1; // offset of the current statement's first token; -1 between statements
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (c == '-' && next == '-')
            {
                i = SkipTo(text, i, "\n");
                continue;
            }

            if (c == '/' && next == '*')
            {
                i = SkipBlockComment(text, i);
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == ';')
            {
                if (start >= 0)
                {
                    statements.Add(new SqlStatement(text[start..i].TrimEnd(), start));
                    start = -1;
                }

                i++;
                continue;
            }

            if (start < 0)
            {
                start = i;
            }

            if (c == '\'')
            {
                // E'...' strings let a backslash escape the quote; standard strings only double it.
                var escapes = i > 0 && (text[i - 1] is 'E' or 'e') && (i < 2 || !IsIdentifierChar(text[i - 2]));
                i = SkipQuoted(text, i, '\'', escapes);
            }
            else if (c == '"')
            {
                i = SkipQuoted(text, i, '"', escapes: false);
            }
            else if (c == '$' && TryDollarTag(text, i, out var tag))
            {
                i = SkipTo(text, i + tag.Length, tag);
            }
            else
            {
                i++;
            }
        }

        if (start >= 0)
        {
            var last = text[start..].TrimEnd();
            if (last.Length > 0)
            {
                statements.Add(new SqlStatement(last, start));
            }
        }

        return statements;
    }

    private static int SkipTo(string text, int from, string end)
    {
        var at = text.IndexOf(end, from, StringComparison.Ordinal);
        return at < 0 ? text.Length : at + end.Length;
    }

    private static int SkipBlockComment(string text, int i)
    {
        // PostgreSQL block comments nest.
        var depth = 0;
        while (i < text.Length)
        {
            if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (text[i] == '*' && i + 1 < text.Length && text[i + 1] == '/')
            {
                i += 2;
                if (--depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }

        return i;
    }

    private static int SkipQuoted(string text, int i, char quote, bool escapes)
    {
        i++;
        while (i < text.Length)
        {
            if (escapes && text[i] == '\\')
            {
                i += 2;
            }
            else if (text[i] == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    i += 2;
                }
                else
                {
                    return i + 1;
                }
            }
            else
            {
                i++;
            }
        }

        return i;
    }

    private static bool TryDollarTag(string text, int i, out string tag)
    {
        tag = string.Empty;
        // $1 is a parameter and x$y part of an identifier, not a dollar quote.
        if (i > 0 && IsIdentifierChar(text[i - 1]))
        {
            return false;
        }

        var j = i + 1;
        while (j < text.Length && (char.IsLetterOrDigit(text[j]) || text[j] == '_'))
        {
            j++;
        }

        if (j >= text.Length || text[j] != '$' || (j > i + 1 && char.IsDigit(text[i + 1])))
        {
            return false;
        }

        tag = text[i..(j + 1)];
        return true;
    }

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';
}
