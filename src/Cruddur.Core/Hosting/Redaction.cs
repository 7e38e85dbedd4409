using System.Text.RegularExpressions;

namespace Cruddur.Core.Hosting;

/// <summary>
/// The one rule for text that may hold credentials. In anything URL-like, everything between <c>://</c> and the last
/// <c>@</c> of the same word is secret (user and password), whether or not the URL parses: a password with an unencoded
/// '/', '?' or '#' breaks parsers before they reach the '@'. In connection-string-like text, Password=/Pwd= values are
/// secret. Every message, object property and exception the module shows passes through here.
/// </summary>
public static partial class Redaction
{
    public const string Mask = "***";

    /// <summary><paramref name="text"/> with credentials replaced by ***; null stays null.</summary>
    public static string Redact(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            text = UrlCredentials().Replace(text, m => m.Groups[1].Value + Mask + "@");
        }

        return ConnectionStringPassword().Replace(text, m => m.Groups[1].Value + Mask);
    }

    /// <summary>Redacts <paramref name="value"/> when it is a string; anything else is returned as it is.</summary>
    public static object? RedactObject(object? value) => value is string s ? Redact(s) : value;

    // "scheme://", then the greedy rest of the word up to its last '@' (a word ends at whitespace).
    [GeneratedRegex(@"([A-Za-z][A-Za-z0-9+.\-]*://)[^\s@]*(?:@[^\s@]*)*@")]
    private static partial Regex UrlCredentials();

    [GeneratedRegex(@"(?i)\b((?:password|pwd)\s*=\s*)(?:""[^""]*""|'[^']*'|[^;\s]*)")]
    private static partial Regex ConnectionStringPassword();
}
