using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Tests.Aws;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>The deployer against a scripted ECS: what a partly failed multi-service deploy and a garbled watch report.</summary>
public sealed class EcsDeployerTests
{
    private static readonly WatchClock NoWait = new(() => DateTimeOffset.UnixEpoch, (_, _) => Task.CompletedTask);

    [Fact]
    public async Task WhenTheSecondUpdateFailsTheFirstServiceIsStillWatchedAndReturnedAndTheSecondNamedUnchanged()
    {
        var ecs = new HealthyEcs { FailUpdateOf = "b" };

        var result = await new EcsDeployer(ecs, new RecordingHost(), NoPlaceholders, NoWait)
            .DeployAsync([new DeployTarget("cruddur", "a"), new DeployTarget("cruddur", "b"), new DeployTarget("cruddur", "c")], new DeployOptions(), CancellationToken.None);

        var deployed = Assert.Single(result.Deployments);
        Assert.Equal(("a", DeploymentOutcome.Succeeded), (deployed.Service, deployed.Outcome));
        Assert.NotNull(result.Failure);
        Assert.Equal("AwsAccessDenied", result.Failure!.ErrorId);
        Assert.Contains("AccessDeniedException", result.Failure.Message, StringComparison.Ordinal);
        Assert.Contains("Already changed (and watched): cruddur/a", result.Failure.Message, StringComparison.Ordinal);
        Assert.Contains("Left unchanged: cruddur/b, cruddur/c", result.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(["a", "b"], ecs.Updates);
        Assert.Equal(["a:2 cruddur:completed-at"], ecs.Tagged);
    }

    [Fact]
    public async Task APartlyFailedDeployNamesEveryServiceItAlreadyChanged()
    {
        var ecs = new HealthyEcs { FailUpdateOf = "c" };

        var result = await new EcsDeployer(ecs, new RecordingHost(), NoPlaceholders, NoWait)
            .DeployAsync([new DeployTarget("cruddur", "a"), new DeployTarget("cruddur", "b"), new DeployTarget("cruddur", "c")], new DeployOptions(), CancellationToken.None);

        Assert.Equal(["a", "b"], result.Deployments.Select(d => d.Service));
        Assert.Contains("Already changed (and watched): cruddur/a, cruddur/b.", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachServiceOfADeployHasItsOwnProgressBar()
    {
        var host = new RecordingHost();

        await new EcsDeployer(new HealthyEcs(), host, NoPlaceholders, NoWait)
            .DeployAsync([new DeployTarget("cruddur", "a"), new DeployTarget("cruddur", "b")], new DeployOptions(), CancellationToken.None);

        Assert.Equal([(1, "Deploying cruddur/a (a:2)"), (2, "Deploying cruddur/b (b:2)")], host.Progress.Select(p => (p.Id, p.Activity)).Distinct().Order());
    }

    [Fact]
    public async Task WithoutWaitAPartlyFailedDeploySaysTheStartedServicesWereReturnedNotWatched()
    {
        var ecs = new HealthyEcs { FailUpdateOf = "b" };

        var result = await new EcsDeployer(ecs, new RecordingHost(), NoPlaceholders, NoWait)
            .DeployAsync([new DeployTarget("cruddur", "a"), new DeployTarget("cruddur", "b")], new DeployOptions { Wait = false }, CancellationToken.None);

        Assert.Equal(DeploymentOutcome.Started, Assert.Single(result.Deployments).Outcome);
        Assert.Contains("Already changed (and returned): cruddur/a", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Empty(ecs.Tagged);
    }

    [Theory]
    [InlineData("""{ "serviceName": "a", "status": 7, "deployments": [ { "id": "ecs-svc/a", "status": "PRIMARY", "desiredCount": "lots" } ] }""")]
    [InlineData("""{ "serviceName": "a", "status": "ACTIVE", "deployments": [ { "id": "ecs-svc/a", "status": "PRIMARY", "rolloutState": ["x"] } ] }""")]
    [InlineData(null)] // the client could not read the answer at all (HTML with 200)
    public async Task GarbageFromDescribeServicesMidWatchEndsAsUnknownWithAStableIdAndNoRollback(string? garbage)
    {
        var ecs = new HealthyEcs { Garbage = garbage is null ? null : JsonNode.Parse(garbage)!.AsObject(), GarbleWatch = true };

        var result = await new EcsDeployer(ecs, new RecordingHost(), NoPlaceholders, NoWait)
            .DeployAsync([new DeployTarget("cruddur", "a")], new DeployOptions(), CancellationToken.None);

        var d = Assert.Single(result.Deployments);
        Assert.Null(result.Failure);
        Assert.Equal(DeploymentOutcome.Unknown, d.Outcome);
        Assert.Equal("DeployWatchFailed", EcsDeployer.ErrorFor(d)?.ErrorId);
        Assert.Equal(["a"], ecs.Updates); // nothing is rolled back on an answer nobody understood
        Assert.Empty(ecs.Tagged); // and nothing is recorded as completed
    }

    [Fact]
    public async Task AReleaseOfMoreThanFiveServicesShowsWhatIsToStartRegisteredAndRolling_AndEndsWithASummaryOfWhatNeedsAttention()
    {
        var ecs = new HealthyEcs { FailingRollouts = { "s2", "s5" } };
        var host = new RecordingHost();
        var targets = Enumerable.Range(0, 7).Select(i => new DeployTarget("cruddur", $"s{i}")).ToList();

        var result = await new EcsDeployer(ecs, host, NoPlaceholders, NoWait).DeployAsync(targets, new DeployOptions { Rollback = false }, CancellationToken.None);

        // While starting: the first service registered (its service not updated yet), then rolling, ..., until all roll.
        var statuses = host.Progress.Where(p => !p.Completed).Select(p => p.Status).ToList();
        Assert.All(host.Progress, p => Assert.Equal((DeploymentWatcher.ReleaseProgressId, "Deploying 7 services"), (p.Id, p.Activity)));
        Assert.Equal("6 to start, 1 registered", statuses[0]);
        Assert.Equal("6 to start, 1 rolling", statuses[1]);
        Assert.Contains("5 to start, 1 registered, 1 rolling", statuses);
        Assert.Contains("1 registered, 6 rolling", statuses);
        Assert.Contains("7 rolling", statuses);
        Assert.Equal("5 done, 2 need attention", host.Progress.Last().Status);

        // The end: only the two that need attention, and one line for the rest.
        Assert.Equal([DeploymentOutcome.Failed, DeploymentOutcome.Failed], result.Deployments.Where(d => d.Service is "s2" or "s5").Select(d => d.Outcome));
        var summary = Assert.Single(host.Messages, m => m.StartsWith("WARNING: 2 of 7", StringComparison.Ordinal));
        Assert.Equal(string.Join(Environment.NewLine,
            "WARNING: 2 of 7 services need attention (each failed one has its own error):",
            "  cruddur/s2 (s2:2): Failed",
            "  cruddur/s5 (s5:2): Failed",
            "The rest: 5 succeeded."), summary);
        Assert.DoesNotContain(host.Messages, m => m.Contains("cruddur/s0 (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AReleaseOfMoreThanFiveServicesThatAllSucceededEndsWithOneCountLine_AndOfFiveWithNone()
    {
        var host = new RecordingHost();
        await new EcsDeployer(new HealthyEcs(), host, NoPlaceholders, NoWait)
            .DeployAsync(Enumerable.Range(0, 6).Select(i => new DeployTarget("cruddur", $"s{i}")).ToList(), new DeployOptions(), CancellationToken.None);

        Assert.Equal(["INFO[ReleaseSummary]: Released 6 services: 6 succeeded."], host.Messages.Where(m => m.Contains("Released", StringComparison.Ordinal)));
        Assert.DoesNotContain(host.Messages, m => m.StartsWith("WARNING:", StringComparison.Ordinal));

        var few = new RecordingHost();
        await new EcsDeployer(new HealthyEcs { FailingRollouts = { "s1" } }, few, NoPlaceholders, NoWait)
            .DeployAsync(Enumerable.Range(0, 5).Select(i => new DeployTarget("cruddur", $"s{i}")).ToList(), new DeployOptions { Rollback = false }, CancellationToken.None);
        Assert.DoesNotContain(few.Messages, m => m.Contains("need attention", StringComparison.Ordinal) || m.Contains("ReleaseSummary", StringComparison.Ordinal));
        Assert.DoesNotContain(few.Progress, p => p.Id == DeploymentWatcher.ReleaseProgressId);
    }

    private static Task<string?> NoPlaceholders(string name, CancellationToken token) => Task.FromResult<string?>(null);

    /// <summary>Every service exists at revision 1; deployments complete at once; optional failures and garbage.</summary>
    private sealed class HealthyEcs : ScriptedEcsClient
    {
        private int _describes;

        public string? FailUpdateOf { get; init; }

        public bool GarbleWatch { get; init; }

        public JsonObject? Garbage { get; init; }

        public List<string> Updates { get; } = [];

        public List<string> Tagged { get; } = [];

        /// <summary>Services whose new deployment ECS reports FAILED (the circuit breaker, without its rollback).</summary>
        public HashSet<string> FailingRollouts { get; } = [];

        public override Task<EcsCluster?> DescribeClusterAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult<EcsCluster?>(new EcsCluster($"arn:aws:ecs:us-east-1:1:cluster/{name}", "ACTIVE", null));

        // A deploy seen to complete records that on its revision, for Undo.
        public override Task TagResourceAsync(string arn, string key, string value, CancellationToken cancellationToken)
        {
            Tagged.Add($"{Family(arn)}:{arn.Split(':')[^1]} {key}");
            return Task.CompletedTask;
        }

        public override Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken)
        {
            if (++_describes > 1 && GarbleWatch)
            {
                return Garbage is null
                    ? throw new CruddurException("AwsResponseInvalid", ErrorKind.InvalidData, "ECS DescribeServices answered something that is not JSON.")
                    : Answered([(JsonObject)Garbage.DeepClone()]);
            }

            return Answered(names.Select(n => Service(n, FailingRollouts.Contains(n))).ToList());
        }

        public override Task<EcsTaskDefinition> DescribeTaskDefinitionAsync(string reference, CancellationToken cancellationToken) =>
            Defined(new JsonObject
            {
                ["family"] = Family(reference),
                ["containerDefinitions"] = new JsonArray(new JsonObject { ["name"] = Family(reference), ["image"] = "img:1" }),
            });

        public override Task<string> RegisterTaskDefinitionAsync(JsonObject definition, CancellationToken cancellationToken) =>
            Task.FromResult(Arn((string)definition["family"]!, 2));

        public override Task<EcsService> UpdateServiceAsync(string cluster, string service, string taskDefinitionArn, ServiceChanges? changes, CancellationToken cancellationToken)
        {
            Updates.Add(service);
            if (service == FailUpdateOf)
            {
                throw new AwsServiceException("ECS", "UpdateService", "AccessDeniedException", "not authorized to perform: ecs:UpdateService", 400);
            }

            return Task.FromResult(EcsClient.Service(new JsonObject
            {
                ["deployments"] = new JsonArray(new JsonObject { ["id"] = $"ecs-svc/{service}", ["status"] = "PRIMARY", ["taskDefinition"] = taskDefinitionArn }),
            }));
        }

        public override Task<IReadOnlyList<string>> ListTaskArnsAsync(EcsTaskQuery query, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>([]);

        public override Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<EcsTask>>([]);

        private static JsonObject Service(string name, bool failing = false) => new()
        {
            ["serviceName"] = name,
            ["status"] = "ACTIVE",
            ["taskDefinition"] = Arn(name, 1),
            ["events"] = new JsonArray(),
            ["deployments"] = new JsonArray(new JsonObject
            {
                ["id"] = $"ecs-svc/{name}",
                ["status"] = "PRIMARY",
                ["taskDefinition"] = Arn(name, 2),
                ["rolloutState"] = failing ? "FAILED" : "COMPLETED",
                ["rolloutStateReason"] = failing ? "the circuit breaker tripped" : null,
                ["desiredCount"] = 1,
                ["runningCount"] = failing ? 0 : 1,
            }),
        };

        private static string Family(string reference) => reference.Split('/')[^1].Split(':')[0];

        private static string Arn(string family, int revision) => $"arn:aws:ecs:us-east-1:1:task-definition/{family}:{revision}";
    }
}
