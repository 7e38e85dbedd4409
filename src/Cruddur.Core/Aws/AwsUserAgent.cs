using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Cruddur.Core.Aws;

/// <summary>
/// The User-Agent every request carries, in the AWS SDKs' form (space-separated name/version tokens, metadata as
/// <c>md/name#value</c>), so CloudTrail's userAgent tells this module's calls from anything else:
/// <c>Cruddur/0.1.0 md/PowerShell#Core-7.6.9 os/linux#6.1.0 lang/.NET#10.0.0</c>.
/// </summary>
internal static class AwsUserAgent
{
    /// <summary>The module's name and version (one version is stamped into every assembly and the manifest).</summary>
    public static readonly string Product = "Cruddur/" + (typeof(AwsUserAgent).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(AwsUserAgent).Assembly.GetName().Version?.ToString(3) ?? "0");

    /// <param name="powerShell">PowerShell's edition and version (Core-7.6.9), or null when the caller is not PowerShell.</param>
    public static string For(string? powerShell) => string.Join(' ', new[]
    {
        Product,
        powerShell is null ? null : "md/PowerShell#" + Token(powerShell),
        $"os/{OsName()}#{Token(Environment.OSVersion.Version.ToString())}",
        "lang/.NET#" + Environment.Version.ToString(),
    }.OfType<string>());

    /// <summary>
    /// The same facts for the AWSSDK clients (SSM, EC2, STS), whose User-Agent the SDK writes itself (with its os/ and
    /// lang/ tokens) and ends with <c>app/&lt;ClientAppId&gt;</c>, at most 50 characters: <c>Cruddur_0.1.0_PowerShell_Core-7.6.9</c>.
    /// </summary>
    public static string AppId(string? powerShell)
    {
        var id = Token(Product.Replace('/', '_') + (powerShell is null ? string.Empty : "_PowerShell_" + powerShell));
        return id.Length <= 50 ? id : id[..50];
    }

    private static string OsName() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "windows"
        : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "macos"
        : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "linux"
        : "other";

    /// <summary>A header token: no spaces, slashes or other separators.</summary>
    private static string Token(string value) =>
        string.Concat(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
}
