using System.Text;
using System.Text.RegularExpressions;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.EnvFiles;

/// <summary>
/// The part of Ruby's ERB that env-file templates use: <c>&lt;%= ENV['NAME'] %&gt;</c>, <c>&lt;%= ENV["NAME"] %&gt;</c>,
/// <c>&lt;%= ENV.fetch('NAME', 'default') %&gt;</c>, <c>&lt;%# comment %&gt;</c> and <c>&lt;%%</c> for a literal
/// <c>&lt;%</c>. Everything else is copied unchanged, so the output equals <c>ERB.new(template).result</c> for the same
/// environment. Any other Ruby code is rejected with its line and column rather than silently dropped.
/// </summary>
internal sealed partial class ErbTemplate
{
    private readonly IReadOnlyList<Segment> _segments;

    private ErbTemplate(string source, IReadOnlyList<Segment> segments)
    {
        Source = source;
        _segments = segments;
    }

    /// <summary>Where the template came from, for error messages.</summary>
    public string Source { get; }

    /// <summary>Every variable the template reads, in order of first use.</summary>
    public IReadOnlyList<string> VariableNames => _segments.OfType<Reference>().Select(r => r.Name).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Reads a template file; it must be UTF-8 (a byte-order mark is kept, as Ruby keeps it).</summary>
    public static ErbTemplate Load(string path)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException e)
        {
            throw new CruddurException(ErrorIds.EnvFileTemplateNotUtf8, ErrorKind.InvalidData, $"{path} is not UTF-8 text. Save the template as UTF-8.", e, path);
        }

        return Parse(text, path);
    }

    public static ErbTemplate Parse(string text, string source)
    {
        var segments = new List<Segment>();
        var literal = new StringBuilder();
        var position = 0;
        while (position < text.Length)
        {
            var open = text.IndexOf("<%", position, StringComparison.Ordinal);
            if (open < 0)
            {
                literal.Append(text, position, text.Length - position);
                break;
            }

            literal.Append(text, position, open - position);
            if (open + 2 < text.Length && text[open + 2] == '%')
            {
                literal.Append("<%"); // <%% is ERB's escape for a literal <%
                position = open + 3;
                continue;
            }

            var close = text.IndexOf("%>", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw Error(text, source, open, "the tag '<%' is never closed with '%>'");
            }

            var code = text[(open + 2)..close];
            position = close + 2;
            if (code.StartsWith('#'))
            {
                continue; // <%# comment %> renders nothing
            }

            if (!code.StartsWith('='))
            {
                throw Error(text, source, open, $"'<%{Shorten(code)}%>' is Ruby code; only <%= ENV['NAME'] %>, <%= ENV.fetch('NAME', 'default') %> and <%# comments %> are supported");
            }

            if (literal.Length > 0)
            {
                segments.Add(new Literal(literal.ToString()));
                literal.Clear();
            }

            segments.Add(ParseReference(code[1..], text, source, open));
        }

        if (literal.Length > 0)
        {
            segments.Add(new Literal(literal.ToString()));
        }

        return new ErbTemplate(source, segments);
    }

    /// <summary>
    /// Renders the template. <paramref name="lookup"/> returns null for an unset variable. Unset variables are an error
    /// listing every one of them, unless <paramref name="allowMissing"/> (then they render empty, as ERB renders nil);
    /// ENV.fetch without a default is always required, as Ruby raises KeyError for it.
    /// </summary>
    public string Render(Func<string, string?> lookup, bool allowMissing)
    {
        var output = new StringBuilder();
        var missing = new List<string>();
        foreach (var segment in _segments)
        {
            switch (segment)
            {
                case Literal l:
                    output.Append(l.Text);
                    break;
                case Reference r:
                    var value = lookup(r.Name) ?? r.Default;
                    if (value is null && (!allowMissing || r.Required) && !missing.Contains(r.Name))
                    {
                        missing.Add(r.Name);
                    }

                    output.Append(value);
                    break;
            }
        }

        if (missing.Count > 0)
        {
            throw new MissingVariablesException(Source, missing);
        }

        return output.ToString();
    }

    /// <summary>The names whose value would come from a fetch default when unset.</summary>
    public bool HasDefault(string name) => _segments.OfType<Reference>().Any(r => r.Name == name && r.Default is not null);

    private static Reference ParseReference(string expression, string text, string source, int at)
    {
        var match = EnvIndex().Match(expression);
        if (match.Success)
        {
            return new Reference(StringLiteral(match.Groups["name"].Value, text, source, at), null, false);
        }

        match = EnvFetch().Match(expression);
        if (match.Success)
        {
            var name = StringLiteral(match.Groups["name"].Value, text, source, at);
            var fallback = match.Groups["default"].Success ? StringLiteral(match.Groups["default"].Value, text, source, at) : null;
            return new Reference(name, fallback, fallback is null);
        }

        throw Error(text, source, at, $"'<%={Shorten(expression)}%>' is not supported; use <%= ENV['NAME'] %> or <%= ENV.fetch('NAME', 'default') %>");
    }

    /// <summary>A Ruby string literal without escapes or interpolation (env templates never need them).</summary>
    private static string StringLiteral(string quoted, string text, string source, int at)
    {
        var body = quoted[1..^1];
        if (body.Contains('\\', StringComparison.Ordinal) || (quoted[0] == '"' && body.Contains("#{", StringComparison.Ordinal)))
        {
            throw Error(text, source, at, $"the string {quoted} uses escapes or interpolation, which env templates do not support");
        }

        return body;
    }

    private static string Shorten(string code) => code.Length > 40 ? code[..40] + "…" : code;

    private static CruddurException Error(string text, string source, int offset, string problem)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        var column = offset - lineStart + 1;
        return new CruddurException(ErrorIds.EnvFileTemplateInvalid, ErrorKind.InvalidData, $"{source}:{line}:{column}: {problem}.", target: source)
        {
            Data = { ["Line"] = line, ["Column"] = column },
        };
    }

    private const string Quoted = "'[^']*'|\"[^\"]*\"";

    [GeneratedRegex(@"^\s*ENV\s*\[\s*(?<name>" + Quoted + @")\s*\]\s*$")]
    private static partial Regex EnvIndex();

    [GeneratedRegex(@"^\s*ENV\s*\.\s*fetch\s*\(\s*(?<name>" + Quoted + @")\s*(,\s*(?<default>" + Quoted + @")\s*)?\)\s*$")]
    private static partial Regex EnvFetch();

    private abstract record Segment;

    private sealed record Literal(string Text) : Segment;

    private sealed record Reference(string Name, string? Default, bool Required) : Segment;
}

/// <summary>A template read variables that have no value; lists all of them at once.</summary>
internal sealed class MissingVariablesException : CruddurException
{
    public MissingVariablesException(string source, IReadOnlyList<string> names)
        : base(ErrorIds.EnvFileVariableMissing, ErrorKind.ObjectNotFound,
            $"{source} needs {names.Count} variable(s) that are not set: {string.Join(", ", names)}. Nothing was written.",
            target: source)
    {
        Names = names;
    }

    public IReadOnlyList<string> Names { get; }
}
