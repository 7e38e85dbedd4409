using System.Text;

namespace Cruddur.Core.Aws;

/// <summary>
/// What the user chose for AWS access: AWS.Tools' common parameters and the shell variables its Set-AWSCredential and
/// Set-DefaultAWSRegion leave behind (read by the shell, passed in here). Anything left null is resolved the way the AWS SDKs
/// and CLI do it; see <see cref="AwsContext"/> for the order.
/// </summary>
public sealed record AwsSettings(string? Region = null, string? ProfileName = null, string? EndpointUrl = null)
{
    /// <summary>-AccessKey / -SecretKey / -SessionToken: literal keys, which win over everything else.</summary>
    public AwsKeys? Keys { get; init; }

    /// <summary>-ProfileLocation: a shared credentials file to read -ProfileName (or its default profile) from.</summary>
    public string? ProfileLocation { get; init; }

    /// <summary>-Credential, read lazily (a role's credentials may refresh when asked).</summary>
    public Func<AwsKeys>? Credential { get; init; }

    /// <summary>$StoredAWSCredentials holding credentials (Set-AWSCredential -AccessKey …, or a credentials object).</summary>
    public Func<AwsKeys>? StoredCredential { get; init; }

    /// <summary>$StoredAWSCredentials naming a profile (Set-AWSCredential -ProfileName …).</summary>
    public string? StoredProfileName { get; init; }

    /// <summary>$StoredAWSRegion (Set-DefaultAWSRegion).</summary>
    public string? StoredRegion { get; init; }

    /// <summary>PowerShell's edition and version (Core-7.6.9), for the User-Agent of every request.</summary>
    public string? PowerShell { get; init; }

    // A record prints every member; keys must never reach a log or an error message.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Region = {Region}, ProfileName = {ProfileName}, EndpointUrl = {EndpointUrl}, ProfileLocation = {ProfileLocation}, StoredRegion = {StoredRegion}, PowerShell = {PowerShell}");
        return true;
    }
}

/// <summary>An access key pair (and session token). Shows only the access key id.</summary>
public sealed record AwsKeys(string AccessKey, string SecretKey, string? SessionToken = null)
{
    public override string ToString() => AccessKey;
}
