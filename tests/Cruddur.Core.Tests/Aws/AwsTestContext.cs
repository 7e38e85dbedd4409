using Cruddur.Core.Aws;

namespace Cruddur.Core.Tests.Aws;

/// <summary>An AwsContext pointed at a local endpoint with test credentials (local endpoints do not check signatures).</summary>
internal static class AwsTestContext
{
    /// <summary>Short pauses so retry tests take milliseconds; the bounds stay as in production unless a test sets them.</summary>
    public static readonly AwsRetryPolicy FastRetries = AwsRetryPolicy.Default with { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    public static AwsContext For(string url, AwsRetryPolicy? policy = null)
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
        return new AwsContext(new AwsSettings("us-east-1", EndpointUrl: url), new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "testing", ["AWS_SECRET_ACCESS_KEY"] = "testing" })
        {
            Policy = policy ?? FastRetries,
        };
    }
}
