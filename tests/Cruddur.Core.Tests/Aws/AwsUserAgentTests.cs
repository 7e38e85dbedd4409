using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Tests.Aws;

public sealed class AwsUserAgentTests
{
    private static AwsContext Context(string url)
    {
        AwsTestContext.For(url); // sets the test keys in the environment, where the SDK's default chain reads them
        return new(new AwsSettings("us-east-1", EndpointUrl: url) { PowerShell = "Core-7.6.9" }, new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "testing", ["AWS_SECRET_ACCESS_KEY"] = "testing" })
        {
            Policy = AwsTestContext.FastRetries,
        };
    }

    [Fact]
    public async Task TheProjectsOwnProtocolsSendTheModuleThePowerShellAndTheOs()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync(200, """{ "serviceArns": [] }""");

        await new EcsClient(Context(endpoint.Url), new RecordingHost()).ListServiceNamesAsync("cruddur", CancellationToken.None);

        var agent = Assert.Single(endpoint.UserAgents.Distinct());
        Assert.Matches(@"^Cruddur/\d+\.\d+\.\d+ md/PowerShell#Core-7\.6\.9 os/(linux|windows|macos|other)#[0-9.]+ lang/\.NET#\d+\.\d+\.\d+$", agent);
    }

    [Fact]
    public async Task TheSdkClientsEndTheSdksOwnUserAgentWithTheSameFacts()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync(200,
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/x</Arn><UserId>AIDA</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>",
            "text/xml");

        await new StsClient(Context(endpoint.Url), new RecordingHost()).GetAccountIdAsync(CancellationToken.None);

        var agent = Assert.Single(endpoint.UserAgents.Distinct());
        Assert.Contains("aws-sdk-dotnet", agent, StringComparison.Ordinal);
        Assert.Matches(@" app/Cruddur_\d+\.\d+\.\d+_PowerShell_Core-7\.6\.9( |$)", agent);
    }

    [Fact]
    public void WithoutPowerShellTheAgentLeavesItOut()
    {
        Assert.DoesNotContain("PowerShell", AwsUserAgent.For(null), StringComparison.Ordinal);
        Assert.StartsWith("Cruddur/", AwsUserAgent.For(null), StringComparison.Ordinal);
        Assert.True(AwsUserAgent.AppId("Core-" + new string('7', 60)).Length <= 50);
    }
}
