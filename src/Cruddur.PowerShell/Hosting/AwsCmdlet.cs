using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;
using Cruddur.PowerShell.Arguments;

namespace Cruddur.PowerShell.Hosting;

/// <summary>The AWS parameters every AWS-touching cmdlet takes, named as in AWS.Tools, and the hints that name them.</summary>
[ErrorHint(ErrorIds.AwsEndpointUrlInvalid, "Pass such a URL with -EndpointUrl (or in AWS_ENDPOINT_URL).")]
[ErrorHint(ErrorIds.AwsProfileLocationNotFound, "Pass the path of a shared credentials file with -ProfileLocation.")]
[ErrorHint(ErrorIds.AwsProfileNotFound, "Name it with -ProfileName.")]
[ErrorHint(ErrorIds.AwsRegionNotSet, "Or pass -Region, for example -Region us-east-1.")]
[ErrorHint(ErrorIds.AwsCredentialsNotFound, "Or pass a profile with -ProfileName, or -AccessKey and -SecretKey.")]
[ErrorHint(ErrorIds.AwsResponseInvalid, EndpointHint)]
[ErrorHint(ErrorIds.AwsResponseTooLarge, EndpointHint)]
[ErrorHint(ErrorIds.AwsEndpointUnreachable, EndpointHint)]
[ErrorHint(ErrorIds.ImageRegistryAuthorizationInvalid, EndpointHint)]
public abstract class AwsCmdlet : CruddurCmdlet
{
    private const string EndpointHint = "The endpoint is -EndpointUrl's, else AWS_ENDPOINT_URL's, else AWS's own.";

    private AwsContext? _aws;

    [Parameter]
    [ArgumentCompleter(typeof(AwsRegionCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Region { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(AwsProfileCompleter))]
    [ValidateNotNullOrEmpty]
    public string? ProfileName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EndpointUrl { get; set; }

    [Parameter]
    [Alias("AK")]
    [ValidateNotNullOrEmpty]
    public string? AccessKey { get; set; }

    [Parameter]
    [Alias("SK", "SecretAccessKey")]
    [ValidateNotNullOrEmpty]
    public string? SecretKey { get; set; }

    [Parameter]
    [Alias("ST")]
    [ValidateNotNullOrEmpty]
    public string? SessionToken { get; set; }

    [Parameter]
    [ValidateNotNull]
    public object? Credential { get; set; }

    [Parameter]
    [Alias("AWSProfilesLocation", "ProfilesLocation")]
    [ValidateNotNullOrEmpty]
    public string? ProfileLocation { get; set; }

    /// <summary>The resolved AWS context; region and credentials are looked up at the first call that needs them.</summary>
    protected AwsContext Aws => _aws ??= new AwsContext(Settings());

    /// <summary>The workflows of this command, their messages going to <paramref name="host"/> (see <see cref="CruddurApp"/>).</summary>
    protected CruddurApp App(Cruddur.Core.Hosting.IOperationHost host) => new(Aws, host);

    protected override string? RequestSummary() => _aws?.Calls.TakeSummary();

    private AwsSettings Settings()
    {
        if ((AccessKey is null) != (SecretKey is null) || (SessionToken is not null && AccessKey is null))
        {
            ThrowTerminating(new Cruddur.Core.Hosting.CruddurException(Cruddur.Core.Hosting.ErrorIds.AwsCredentialsIncomplete, Cruddur.Core.Hosting.ErrorKind.InvalidArgument,
                "-AccessKey and -SecretKey go together (and -SessionToken needs both). Pass both, or use -ProfileName or -Credential instead."));
        }

        // What Set-AWSCredential and Set-DefaultAWSRegion leave in the session, honoured as AWS.Tools honours them.
        var stored = AwsCredentialObjects.ProfileOrCredentials(SessionState.PSVariable.GetValue("StoredAWSCredentials"));
        return new AwsSettings(Region, ProfileName, EndpointUrl)
        {
            Keys = AccessKey is null ? null : new AwsKeys(AccessKey, SecretKey!, SessionToken),
            ProfileLocation = ProfileLocation is null ? null : GetUnresolvedProviderPathFromPSPath(ProfileLocation),
            Credential = Credential is null ? null : AwsCredentialObjects.Reader(Credential, "-Credential"),
            StoredCredential = stored is null or string ? null : AwsCredentialObjects.Reader(stored, "$StoredAWSCredentials"),
            StoredProfileName = stored as string,
            StoredRegion = AwsCredentialObjects.Unwrap(SessionState.PSVariable.GetValue("StoredAWSRegion")) as string is { Length: > 0 } region ? region : null,
            PowerShell = RunningPowerShell,
        };
    }

    /// <summary>
    /// "Core-7.6.9": the edition and version of the PowerShell running the module, for the User-Agent of every AWS request.
    /// Read from the engine's assembly, not $PSVersionTable: a tab completer runs while the prompt's pipeline does, and its
    /// session state cannot be read then.
    /// </summary>
    internal static string? RunningPowerShell { get; } = ReadRunningPowerShell();

    private static string? ReadRunningPowerShell()
    {
        var version = typeof(PSObject).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split(' ', '+')[0];
        var edition = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal) ? "Desktop" : "Core";
        return string.IsNullOrEmpty(version) ? null : $"{edition}-{version}";
    }
}
