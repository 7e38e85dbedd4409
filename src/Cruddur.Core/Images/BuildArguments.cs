using System.Text.RegularExpressions;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Images;

/// <summary>
/// What may become a build argument. Names must be identifiers (docker would read 'A=B' as the name A with the value B).
/// Values are kept in the image's history (docker history), so a value that looks secret, or that came from Parameter
/// Store or a SecureString, earns a warning; REACT_APP_* values are compiled into the public bundle by design and pass silently.
/// </summary>
internal static partial class BuildArguments
{
    public const string PublicPrefix = "REACT_APP_";

    /// <summary>Throws ImageBuildArgumentInvalid for a name docker would not take as one build argument.</summary>
    public static void ValidateName(string name)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new CruddurException(ErrorIds.ImageBuildArgumentInvalid, ErrorKind.InvalidArgument,
                $"'{Redaction.Redact(name)}' is not a build argument name: use letters, digits and '_', not starting with a digit (such as REACT_APP_BACKEND_URL). Pass values as @{{ NAME = 'value' }}.",
                target: Redaction.Redact(name));
        }
    }

    /// <summary>The names (never values) to warn about, in name order.</summary>
    public static IReadOnlyList<string> Risky(IReadOnlyDictionary<string, string> arguments, IReadOnlySet<string> fromSecretStores) =>
        arguments.Where(a => !a.Key.StartsWith(PublicPrefix, StringComparison.Ordinal)
                && (fromSecretStores.Contains(a.Key) || SecretName().IsMatch(a.Key) || Redaction.Redact(a.Value) != a.Value))
            .Select(a => a.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary>The warning for <see cref="Risky"/> names.</summary>
    public static string Warning(IReadOnlyList<string> names) =>
        $"The build argument(s) {string.Join(", ", names)} look secret or came from Parameter Store or a SecureString. Build arguments stay in the image's history (docker history) for anyone who can pull it: give secrets to the container at run time (the task definition's secrets) instead. {PublicPrefix}* arguments are public by design and not warned about.";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*\\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex("(?i)(SECRET|PASSW|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_KEY|CONNECTION_URL|(^|_)KEY$|(^|_)PWD$)")]
    private static partial Regex SecretName();
}
