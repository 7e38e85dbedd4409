using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>Which revisions -KeepRevisions deregisters: the oldest beyond the newest N, never one a deployment of any service in any cluster runs.</summary>
public sealed class RevisionCleanerTests
{
    [Fact]
    public async Task KeepsTheNewestAndEveryRevisionAServiceInAnyClusterStillRuns()
    {
        var ecs = new Account(5)
        {
            ["cruddur"] = [Service("backend-flask", 5, (5, "PRIMARY"))],
            ["staging"] = [Service("backend-flask", 2, (2, "PRIMARY")), Service("other", 9, (9, "PRIMARY"))],
        };
        var host = new RecordingHost();

        var removed = await new RevisionCleaner(ecs, host).KeepNewestAsync(Arn(5), 2, CancellationToken.None);

        Assert.Equal([Arn(3), Arn(1)], removed);
        Assert.Equal([Arn(3), Arn(1)], ecs.Deregistered);
        Assert.Contains("VERBOSE: Keeping backend-flask:2: the service staging/backend-flask still uses it.", host.Messages);
        Assert.Contains("VERBOSE: Deregistered backend-flask:3", host.Messages);
    }

    [Fact]
    public async Task KeepsTheRevisionsOfADeploymentStillInFlight()
    {
        // Mid-rollout: PRIMARY :3 replaces ACTIVE :2, whose tasks still serve; the service already names :3.
        var ecs = new Account(3) { ["cruddur"] = [Service("backend-flask", 3, (3, "PRIMARY"), (2, "ACTIVE"))] };

        var removed = await new RevisionCleaner(ecs, new RecordingHost()).KeepNewestAsync(Arn(3), 1, CancellationToken.None);

        Assert.Equal([Arn(1)], removed);
    }

    [Fact]
    public async Task KeepsTheServicesOwnTaskDefinitionEvenWithoutDeployments()
    {
        var ecs = new Account(3) { ["cruddur"] = [Service("backend-flask", 2)] };

        var removed = await new RevisionCleaner(ecs, new RecordingHost()).KeepNewestAsync(Arn(3), 1, CancellationToken.None);

        Assert.Equal([Arn(1)], removed);
    }

    [Fact]
    public async Task AServiceThatListsNoDeploymentsAtAllStillKeepsItsTaskDefinition()
    {
        var bare = Service("backend-flask", 2);
        bare.Remove("deployments");
        var ecs = new Account(3) { ["cruddur"] = [bare] };

        var removed = await new RevisionCleaner(ecs, new RecordingHost()).KeepNewestAsync(Arn(3), 1, CancellationToken.None);

        Assert.Equal([Arn(1)], removed);
    }

    [Fact]
    public async Task WithNothingBeyondTheNewestNoServiceIsEvenLookedAt()
    {
        var ecs = new Account(2); // no clusters: listing them would fail the test

        Assert.Empty(await new RevisionCleaner(ecs, new RecordingHost()).KeepNewestAsync(Arn(2), 2, CancellationToken.None));
        Assert.Empty(ecs.Deregistered);
    }

    [Fact]
    public async Task UnderWhatIfNothingIsDeregisteredButEachIsAsked()
    {
        var ecs = new Account(3) { ["cruddur"] = [Service("backend-flask", 3, (3, "PRIMARY"))] };
        var host = new RecordingHost(confirm: false);

        Assert.Empty(await new RevisionCleaner(ecs, host).KeepNewestAsync(Arn(3), 1, CancellationToken.None));
        Assert.Empty(ecs.Deregistered);
        Assert.Equal([(Arn(2), "Deregister task definition revision"), (Arn(1), "Deregister task definition revision")], host.Asked);
    }

    private static string Arn(int revision) => $"arn:aws:ecs:us-east-1:123456789012:task-definition/backend-flask:{revision}";

    private static JsonObject Service(string name, int revision, params (int Revision, string Status)[] deployments) => new()
    {
        ["serviceName"] = name,
        ["status"] = "ACTIVE",
        ["taskDefinition"] = name == "backend-flask" ? Arn(revision) : $"arn:aws:ecs:us-east-1:123456789012:task-definition/{name}:{revision}",
        ["deployments"] = new JsonArray(deployments.Select(d => (JsonNode)new JsonObject { ["status"] = d.Status, ["taskDefinition"] = Arn(d.Revision) }).ToArray()),
    };

    /// <summary>Clusters and their services; the family backend-flask has active revisions 1..newest.</summary>
    private sealed class Account(int newest) : ScriptedEcsClient
    {
        private readonly Dictionary<string, List<JsonObject>> _clusters = [];

        public List<string> Deregistered { get; } = [];

        public List<JsonObject> this[string cluster]
        {
            get => _clusters[cluster];
            init => _clusters[cluster] = value;
        }

        public override Task<IReadOnlyList<string>> ListActiveRevisionsAsync(string family, CancellationToken cancellationToken)
        {
            Assert.Equal("backend-flask", family);
            return Task.FromResult<IReadOnlyList<string>>(Enumerable.Range(1, newest).Reverse().Select(Arn).ToList());
        }

        public override Task<IReadOnlyList<string>> ListClusterNamesAsync(CancellationToken cancellationToken)
        {
            Assert.NotEmpty(_clusters);
            return Task.FromResult<IReadOnlyList<string>>(_clusters.Keys.ToList());
        }

        public override Task<IReadOnlyList<string>> ListServiceNamesAsync(string cluster, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>(_clusters[cluster].Select(s => (string)s["serviceName"]!).ToList());

        public override Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken) =>
            Answered(_clusters[cluster].Where(s => names.Contains((string)s["serviceName"]!)).Select(s => (JsonObject)s.DeepClone()).ToList());

        public override Task DeregisterTaskDefinitionAsync(string arn, CancellationToken cancellationToken)
        {
            Deregistered.Add(arn);
            return Task.CompletedTask;
        }
    }
}
