namespace Cruddur.Core.Aws;

/// <summary>
/// What the user chose for AWS access (AWS.Tools' -Region, -ProfileName, -EndpointUrl). Anything left null is resolved the
/// way the AWS SDKs and CLI do it; see <see cref="AwsContext"/>.
/// </summary>
public sealed record AwsSettings(string? Region = null, string? ProfileName = null, string? EndpointUrl = null);
