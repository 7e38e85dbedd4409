using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>Finding clusters and services by name or pattern, before a cmdlet changes anything.</summary>
public sealed class EcsServicesTests
{
    [Theory]
    [InlineData("eu-west-3", "eu-west-3", "arn:aws:ecs:eu-west-3:1:cluster/zeta,arn:aws:ecs:eu-west-3:1:cluster/alpha", "alpha, zeta")]
    [InlineData("", "this region", "", "none")]
    public async Task AMissingClusterIsNamedWithTheRegionAndTheClustersThere(string region, string where, string clusters, string listed)
    {
        var ecs = new Account { Clusters = clusters.Split(',', StringSplitOptions.RemoveEmptyEntries) };

        var e = await Assert.ThrowsAsync<CruddurException>(() => EcsServices.RequireClustersAsync(ecs, ["cruddr"], region, CancellationToken.None));

        Assert.Equal(("ServiceClusterNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains($"Cluster 'cruddr' not found in {where} (clusters here: {listed}).", e.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInactiveClusterIsMissingAndEachClusterIsAskedOnce()
    {
        var ecs = new Account { Inactive = { "old" } };

        await EcsServices.RequireClustersAsync(ecs, ["cruddur", "cruddur", "staging"], null, CancellationToken.None);
        Assert.Equal(["cruddur", "staging"], ecs.DescribedClusters);

        var e = await Assert.ThrowsAsync<CruddurException>(() => EcsServices.RequireClustersAsync(ecs, ["old"], null, CancellationToken.None));
        Assert.Contains("'old'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyActiveServicesAreFoundAndAMissingClusterHasNone()
    {
        var ecs = new Account { Services = { ["cruddur"] = [Service("a", "ACTIVE"), Service("b", "DRAINING")] } };

        var found = await EcsServices.DescribeAsync(ecs, [("cruddur", "a"), ("cruddur", "b"), ("cruddur", "a"), ("gone", "a")], CancellationToken.None);

        Assert.Equal([("cruddur", "a")], found.Keys);
        Assert.Equal([["a", "b"], ["a"]], ecs.DescribedServices);
    }

    [Fact]
    public async Task APlainNameStandsForItselfWithoutAskingECS()
    {
        Assert.Equal(["backend-flask"], await EcsServices.MatchAsync(new Account(), "cruddur", "backend-flask", null, CancellationToken.None));
    }

    [Fact]
    public async Task APatternStandsForTheServicesItMatchesInAnyCaseSorted()
    {
        var ecs = new Account { Services = { ["cruddur"] = [Service("frontend-react-js", "ACTIVE"), Service("Backend-Flask", "ACTIVE"), Service("xray", "ACTIVE")] } };

        Assert.Equal(["Backend-Flask", "frontend-react-js"], await EcsServices.MatchAsync(ecs, "cruddur", "*END*", null, CancellationToken.None));
        Assert.Equal(["xray"], await EcsServices.MatchAsync(ecs, "cruddur", "x?ay", null, CancellationToken.None));

        var e = await Assert.ThrowsAsync<CruddurException>(() => EcsServices.MatchAsync(ecs, "cruddur", "nothing*", null, CancellationToken.None));
        Assert.Equal(("ServiceNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains("'nothing*'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Get-CruddurService -Cluster cruddur", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APatternInAMissingClusterIsAMissingCluster()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => EcsServices.MatchAsync(new Account(), "gone", "*", null, CancellationToken.None));

        Assert.Equal("ServiceClusterNotFound", e.ErrorId);
    }

    [Fact]
    public void OnlyStarAndQuestionMarkMakeAPattern()
    {
        Assert.True(EcsServices.IsPattern("a*"));
        Assert.True(EcsServices.IsPattern("?"));
        Assert.False(EcsServices.IsPattern("backend-flask"));
    }

    [Fact]
    public async Task ContainerNamesAreThoseOfTheRunningDefinitionOrNone()
    {
        var ecs = new Account { Services = { ["cruddur"] = [Service("a", "ACTIVE"), new JsonObject { ["serviceName"] = "bare", ["status"] = "ACTIVE" }] } };

        Assert.Equal(["a", "xray"], await EcsServices.ContainerNamesAsync(ecs, "cruddur", "a", CancellationToken.None));
        Assert.Empty(await EcsServices.ContainerNamesAsync(ecs, "cruddur", "bare", CancellationToken.None));
        Assert.Empty(await EcsServices.ContainerNamesAsync(ecs, "cruddur", "none", CancellationToken.None));
    }

    [Fact]
    public async Task RevisionsAndTaskIdsAreShownShort()
    {
        var ecs = new Account();

        Assert.Equal(["a:3", "a:2"], await EcsServices.ActiveRevisionNamesAsync(ecs, "a", CancellationToken.None));
        Assert.Equal(["abc", "def"], await EcsServices.ListTaskIdsAsync(ecs, "cruddur", "a", CancellationToken.None));
    }

    [Fact]
    public async Task PlaceholdersComeFromTheEnvironmentElseTheAccountAndRegion()
    {
        await using var sts = await StartStsAsync();
        var values = PlaceholderValues.For(AwsTestContext.For(sts.Url));
        var set = $"CRUDDUR_TEST_SET_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(set, "from the environment");
        try
        {
            Assert.Equal("from the environment", await values(set, CancellationToken.None));
        }
        finally
        {
            Environment.SetEnvironmentVariable(set, null);
        }

        Assert.Null(await values($"CRUDDUR_TEST_UNSET_{Guid.NewGuid():N}", CancellationToken.None));
        Assert.Equal(Environment.GetEnvironmentVariable("AWS_ACCOUNT_ID") ?? "210987654321", await values("AWS_ACCOUNT_ID", CancellationToken.None));
        Assert.Equal(Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1", await values("AWS_REGION", CancellationToken.None));
        Assert.Equal(Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "us-east-1", await values("AWS_DEFAULT_REGION", CancellationToken.None));
    }

    /// <summary>An STS endpoint that says the caller is in account 210987654321.</summary>
    internal static Task<ScriptedEndpoint> StartStsAsync() => ScriptedEndpoint.StartAsync(200,
        "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>210987654321</Account><Arn>arn:aws:iam::210987654321:user/t</Arn><UserId>U</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>", "text/xml");

    private static JsonObject Service(string name, string status) => new()
    {
        ["serviceName"] = name,
        ["status"] = status,
        ["taskDefinition"] = $"arn:aws:ecs:us-east-1:1:task-definition/{name}:3",
    };

    /// <summary>Clusters cruddur and staging (and the inactive ones) with their services; any other cluster does not exist.</summary>
    private sealed class Account : ScriptedEcsClient
    {
        public IReadOnlyList<string> Clusters { get; init; } = [];

        public HashSet<string> Inactive { get; } = [];

        public Dictionary<string, List<JsonObject>> Services { get; } = [];

        public List<string> DescribedClusters { get; } = [];

        public List<List<string>> DescribedServices { get; } = [];

        public override Task<EcsCluster?> DescribeClusterAsync(string name, CancellationToken cancellationToken)
        {
            DescribedClusters.Add(name);
            return Task.FromResult(name is "cruddur" or "staging" || Inactive.Contains(name)
                ? new EcsCluster($"arn:aws:ecs:us-east-1:1:cluster/{name}", Inactive.Contains(name) ? "INACTIVE" : "ACTIVE", null)
                : null);
        }

        public override Task<IReadOnlyList<string>> ListClusterNamesAsync(CancellationToken cancellationToken) => Task.FromResult(Clusters);

        public override Task<IReadOnlyList<string>> ListServiceNamesAsync(string cluster, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>(Services[cluster].Select(s => (string)s["serviceName"]!).ToList());

        public override Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken)
        {
            DescribedServices.Add([.. names]);
            return Services.TryGetValue(cluster, out var services)
                ? Answered(services.Where(s => names.Contains((string)s["serviceName"]!)).ToList())
                : throw new AwsServiceException("ECS", "DescribeServices", "ClusterNotFoundException", "Cluster not found.", 400);
        }

        public override Task<EcsTaskDefinition> DescribeTaskDefinitionAsync(string reference, CancellationToken cancellationToken) =>
            Defined(JsonNode.Parse("""{ "containerDefinitions": [ { "name": "a" }, { "image": "no name" }, { "name": "xray" } ] }""")!.AsObject());

        public override Task<IReadOnlyList<string>> ListActiveRevisionsAsync(string family, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>([$"arn:aws:ecs:us-east-1:1:task-definition/{family}:3", $"arn:aws:ecs:us-east-1:1:task-definition/{family}:2"]);

        public override Task<IReadOnlyList<string>> ListTaskArnsAsync(EcsTaskQuery query, CancellationToken cancellationToken)
        {
            Assert.Equal(("cruddur", "a"), (query.Cluster, query.ServiceName));
            return Task.FromResult<IReadOnlyList<string>>(["arn:aws:ecs:us-east-1:1:task/cruddur/abc", "arn:aws:ecs:us-east-1:1:task/cruddur/def"]);
        }
    }
}

/// <summary>A placeholder the environment sets wins over the account and region the context knows.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class PlaceholderEnvironmentTests
{
    [Theory]
    [InlineData("AWS_ACCOUNT_ID", "123456789012")]
    [InlineData("AWS_REGION", "eu-west-3")]
    [InlineData("AWS_DEFAULT_REGION", "ap-south-2")]
    public async Task TheEnvironmentWinsOverTheAccountAndRegion(string name, string value)
    {
        await using var sts = await EcsServicesTests.StartStsAsync();
        var values = PlaceholderValues.For(AwsTestContext.For(sts.Url));
        var before = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            Assert.Equal(value, await values(name, CancellationToken.None));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, before);
        }
    }
}
