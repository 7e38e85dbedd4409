using System.Text.Json.Nodes;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Tests.Infrastructure;

public sealed class PolicyDocumentsTests : IDisposable
{
    private static readonly string SeedPolicies = Path.Combine(AppContext.BaseDirectory, "fixtures", "policies");
    private readonly string _folder = Directory.CreateTempSubdirectory("cruddur-policies-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void SeedExecutionPolicyGetsTheAccountIdAndWarnsAboutItsHardCodedRegion()
    {
        var host = new RecordingHost();

        var document = PolicyDocuments.Load(SeedPolicies, PolicyDocuments.ServicePolicyFile, PolicyDocuments.BuiltInServicePolicy, "210987654321", "us-east-1", host);

        Assert.Equal(Path.Combine(SeedPolicies, PolicyDocuments.ServicePolicyFile), document.Source);
        Assert.Contains("\"arn:aws:ssm:eu-west-2:210987654321:parameter/cruddur/backend-flask/*\"", document.Json);
        var warning = Assert.Single(host.Messages, m => m.StartsWith("WARNING: ", StringComparison.Ordinal));
        Assert.Contains("eu-west-2", warning);
        Assert.Contains("<AWS_REGION>", warning);
    }

    [Fact]
    public void SeedExecutionPolicyInItsOwnRegionHasNoWarning()
    {
        var host = new RecordingHost();
        PolicyDocuments.Load(SeedPolicies, PolicyDocuments.ServicePolicyFile, PolicyDocuments.BuiltInServicePolicy, "210987654321", "eu-west-2", host);
        Assert.DoesNotContain(host.Messages, m => m.StartsWith("WARNING: ", StringComparison.Ordinal));
    }

    [Fact]
    public void OnlyParameterArnsOfAnotherNamedRegionAreWarnedAbout()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "service"));
        File.WriteAllText(Path.Combine(_folder, PolicyDocuments.ServicePolicyFile), """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameters","Resource":[
            "arn:aws:ssm:<AWS_REGION>:<AWS_ACCOUNT_ID>:parameter/cruddur/a","arn:aws:ssm:*:1:parameter/b","arn:aws:ssm::1:parameter/c",
            "arn:aws:ssm:${aws:RequestedRegion}:1:parameter/d","arn:aws:logs:eu-west-2:1:log-group:cruddur","arn:aws-cn:ssm:cn-north-1:1:parameter/e",
            "arn:aws:ssm:eu-west-2:1:parameter/f"]}]}
            """);
        var host = new RecordingHost();

        PolicyDocuments.Load(_folder, PolicyDocuments.ServicePolicyFile, PolicyDocuments.BuiltInServicePolicy, "210987654321", "us-east-1", host);

        var warnings = host.Messages.Where(m => m.StartsWith("WARNING: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("in cn-north-1, but this runs in us-east-1", warnings[0], StringComparison.Ordinal);
        Assert.Contains("in eu-west-2, but this runs in us-east-1", warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void AbsentFileFallsBackToTheBuiltInWithPartitionRegionAndAccountFilled()
    {
        var document = PolicyDocuments.Load(_folder, PolicyDocuments.ServicePolicyFile, PolicyDocuments.BuiltInServicePolicy, "111122223333", "cn-north-1", new RecordingHost());

        Assert.Equal("built-in service/service-execution-policy.json", document.Source);
        var resource = (string?)JsonNode.Parse(document.Json)!["Statement"]![1]!["Resource"];
        Assert.Equal("arn:aws-cn:ssm:cn-north-1:111122223333:parameter/cruddur/backend-flask/*", resource);
    }

    [Fact]
    public void BuiltInsSayWhatTheSeedFilesSay()
    {
        foreach (var (file, builtIn) in new[]
        {
            (PolicyDocuments.ServiceTrustFile, PolicyDocuments.BuiltInTrust),
            (PolicyDocuments.TaskTrustFile, PolicyDocuments.BuiltInTrust),
            (PolicyDocuments.TaskPolicyFile, PolicyDocuments.BuiltInTaskPolicy),
            (PolicyDocuments.ServicePolicyFile, PolicyDocuments.BuiltInServicePolicy),
        })
        {
            var fromSeed = PolicyDocuments.Load(SeedPolicies, file, builtIn, "123456789012", "eu-west-2", new RecordingHost());
            var fromBuiltIn = PolicyDocuments.Load(null, file, builtIn, "123456789012", "eu-west-2", new RecordingHost());
            Assert.True(fromBuiltIn.SameAs(fromSeed.Json), file);
        }
    }

    [Fact]
    public void UnknownPlaceholderIsAnErrorNamingIt()
    {
        Write(PolicyDocuments.TaskPolicyFile, """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::<BUCKET>/*"}]}""");

        var e = Assert.Throws<CruddurException>(() => PolicyDocuments.Load(_folder, PolicyDocuments.TaskPolicyFile, PolicyDocuments.BuiltInTaskPolicy, "1", "us-east-1", new RecordingHost()));

        Assert.Equal("InfraPolicyPlaceholderUnknown", e.ErrorId);
        Assert.Contains("<BUCKET>", e.Message);
    }

    [Theory]
    [InlineData("{\"Version\": \"2012-10-17\", \"Statement\": [")]
    [InlineData("[\"not\", \"an object\"]")]
    public void FileThatIsNotAJsonObjectIsPolicyFileInvalid(string text)
    {
        Write(PolicyDocuments.TaskTrustFile, text);

        var e = Assert.Throws<CruddurException>(() => PolicyDocuments.Load(_folder, PolicyDocuments.TaskTrustFile, PolicyDocuments.BuiltInTrust, "1", "us-east-1", new RecordingHost()));

        Assert.Equal("InfraPolicyFileInvalid", e.ErrorId);
        Assert.Contains(PolicyDocuments.TaskTrustFile.Replace('/', Path.DirectorySeparatorChar), e.Message);
    }

    [Fact]
    public void SameAsIgnoresWhitespaceButNotContent()
    {
        var document = new PolicyDocument("{\n  \"A\": [1, 2]\n}", "test");
        Assert.True(document.SameAs("{\"A\":[1,2]}"));
        Assert.False(document.SameAs("{\"A\":[2,1]}"));
        Assert.False(document.SameAs("not json"));
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
