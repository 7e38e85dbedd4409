using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using static Cruddur.Core.Tests.Deployments.EcsDeployerOutcomeTests;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>
/// The deployer's decisions before and after the watch: creating a missing service from its file, what -WhatIf is asked,
/// why tasks stopped, what is recorded for Undo, and the undo itself.
/// </summary>
public sealed class EcsDeployerDecisionTests : IDisposable
{
    private static readonly WatchClock NoWait = new(() => DateTimeOffset.UnixEpoch, (_, _) => Task.CompletedTask);

    private readonly string _folder = Directory.CreateTempSubdirectory("cruddur-deploy-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task AMissingServiceWithoutAServiceFileNamesTheFileToPassAndRegistersNothing()
    {
        var ecs = new RolloutEcs { Exists = false };

        var e = await Assert.ThrowsAsync<CruddurException>(() => DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2" }));

        Assert.Equal(("ServiceNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains("service 'a'", e.Message, StringComparison.Ordinal);
        Assert.Contains("cluster 'cruddur'", e.Message, StringComparison.Ordinal);
        Assert.Contains($"The seed's file to create it from is {SeedDefaults.ServiceDefinitionFile("a")}.", e.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was registered", e.Message, StringComparison.Ordinal);
        Assert.Empty(ecs.Registered);
    }

    [Fact]
    public async Task ADeployToAClusterThatDoesNotExistNamesTheClustersThereAndRegistersNothing()
    {
        var ecs = new RolloutEcs { Exists = false };
        var file = Write("service-a.json", """{ "taskDefinition": "a" }""");

        await RefusedAsync(ecs, new DeployTarget("cruddr", "a") { ServiceDefinitionFile = file }, "ServiceClusterNotFound", ErrorKind.ObjectNotFound, "'cruddr'", "clusters here: cruddur");
        Assert.Empty(ecs.Created);
    }

    [Fact]
    public async Task AnInvalidTaskDefinitionFileIsRefusedNamingTheFieldAndNothingIsRegistered()
    {
        var ecs = new RolloutEcs();
        var file = Write("a.json", """{ "family": "a", "containerDefinitions": [ { "name": "a", "image": "img:2", "memroy": 512 } ] }""");

        await RefusedAsync(ecs, new DeployTarget("cruddur", "a") { TaskDefinitionFile = file }, "DeployDefinitionInvalid", ErrorKind.InvalidData, file, "'containerDefinitions[0].memroy'");
    }

    [Theory]
    [InlineData("""{ "serviceName": "a", "cluster": "elsewhere", "taskDefinition": "a", "desiredCount": 1 }""")]
    [InlineData("""{ "cluster": "elsewhere", "taskDefinition": "a", "desiredCount": 1 }""")] // the name comes from -Service
    public async Task AMissingServiceIsCreatedFromItsFileInTheTargetClusterWithTheNewRevision(string serviceFile)
    {
        var ecs = new RolloutEcs { Exists = false };
        var host = new RecordingHost();
        var file = Write("service-a.json", serviceFile);

        var result = await DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2", ServiceDefinitionFile = file }, host: host);

        var d = Assert.Single(result.Deployments);
        Assert.Equal((DeploymentOutcome.Succeeded, true, null), (d.Outcome, d.Created, d.PreviousTaskDefinitionArn));
        var created = Assert.Single(ecs.Created);
        Assert.Equal(("a", "cruddur", "a:2"), ((string?)created["serviceName"], (string?)created["cluster"], Name((string)created["taskDefinition"]!)));
        Assert.Equal("img:2", (string?)ecs.Registered[0]["containerDefinitions"]![0]!["image"]);
        var (target, action) = Assert.Single(host.Asked);
        Assert.Equal("cruddur/a", target);
        Assert.StartsWith("Register a task definition and create the service:", action, StringComparison.Ordinal);
        Assert.Equal(["a:2 cruddur:completed-at"], ecs.Tagged);
    }

    [Fact]
    public async Task ACreatedServiceThatFailsIsNotRolledBackForItHasNothingToGoBackTo()
    {
        var ecs = new RolloutEcs { Exists = false, Failing = { Arn("a", 2) } };
        var file = Write("service-a.json", """{ "taskDefinition": "a" }""");

        var d = Assert.Single((await DeployAsync(ecs, new DeployTarget("cruddur", "a") { ServiceDefinitionFile = file })).Deployments);

        Assert.Equal(DeploymentOutcome.Failed, d.Outcome);
        Assert.Equal(["a:2"], ecs.Updates);
        Assert.Contains("nothing was rolled back", EcsDeployer.ErrorFor(d)!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServiceFileForAnotherServiceIsRefusedBeforeAnythingIsRegistered()
    {
        var ecs = new RolloutEcs { Exists = false };
        var file = Write("service-b.json", """{ "serviceName": "b", "taskDefinition": "a" }""");

        var e = await Assert.ThrowsAsync<CruddurException>(() => DeployAsync(ecs, new DeployTarget("cruddur", "a") { ServiceDefinitionFile = file }));

        Assert.Equal(("DeployServiceDefinitionMismatch", ErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Contains("'b'", e.Message, StringComparison.Ordinal);
        Assert.Contains("not 'a'", e.Message, StringComparison.Ordinal);
        Assert.Empty(ecs.Registered);
        Assert.Empty(ecs.Created);
    }

    [Theory]
    [InlineData("""{ "taskDefinition": "fam" }""", null, "fam")] // the family the service file names
    [InlineData("""{ }""", "web", "web")] // else the container's name
    [InlineData("""{ }""", null, "a")] // else the service's
    public async Task ANewServiceWithoutATaskDefinitionFileUsesTheFamilyItsFileNamesAndSaysWhichIsMissing(string serviceFile, string? container, string family)
    {
        var ecs = new RolloutEcs { Exists = false, Unknown = { family } };
        var file = Write("service-a.json", serviceFile);

        var e = await Assert.ThrowsAsync<CruddurException>(() => DeployAsync(ecs, new DeployTarget("cruddur", "a") { ServiceDefinitionFile = file, ContainerName = container }));

        Assert.Equal(("TaskDefinitionNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains($"'{family}'", e.Message, StringComparison.Ordinal);
        Assert.Contains($"the seed's file for it is {SeedDefaults.TaskDefinitionFile("a")}", e.Message, StringComparison.Ordinal);
        Assert.Empty(ecs.Registered);
    }

    [Fact]
    public async Task AnImageForAContainerTheDefinitionLacksNamesTheContainersThereAre()
    {
        var ecs = new RolloutEcs();

        var e = await Assert.ThrowsAsync<CruddurException>(() => DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2", ContainerName = "web" }));

        Assert.Equal(("TaskContainerNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains("task definition a:1 has no container named 'web' (it has: a)", e.Message, StringComparison.Ordinal);
        Assert.Empty(ecs.Registered);
    }

    [Fact]
    public async Task ANewServicesImageForAContainerItsFamilyLacksNamesTheFamily()
    {
        var ecs = new RolloutEcs { Exists = false };
        var file = Write("service-a.json", """{ "taskDefinition": "a" }""");

        await RefusedAsync(ecs, new DeployTarget("cruddur", "a") { ServiceDefinitionFile = file, Image = "img:2", ContainerName = "web" },
            "TaskContainerNotFound", ErrorKind.ObjectNotFound, "task definition a has no container named 'web'");
    }

    [Fact]
    public async Task AServiceFilesTargetGroupNameIsCreatedAsItsArn()
    {
        var ecs = new RolloutEcs { Exists = false };
        var file = Write("service-a.json", """{ "taskDefinition": "a", "loadBalancers": [ { "targetGroupName": "cruddur-backend-flask-tg", "containerName": "a", "containerPort": 4567 } ] }""");

        var elb = new LoadBalancerTests.Elb();
        var d = Assert.Single((await new EcsDeployer(ecs, new RecordingHost(), NoPlaceholders, NoWait, elb: elb, urls: PublicUrlsTests.Reader(elb))
            .DeployAsync([new DeployTarget("cruddur", "a") { ServiceDefinitionFile = file }], new DeployOptions(), CancellationToken.None)).Deployments);

        Assert.Equal(LoadBalancerTests.Group, (string?)Assert.Single(ecs.Created)["loadBalancers"]![0]!["targetGroupArn"]);
        Assert.Equal(["https://api.cruddur.example", "https://cruddur.example"], d.Urls); // read from the file's groups
    }

    [Fact]
    public async Task UnhealthyTargetsFailADeployECSCalledCompletedAndItIsRolledBack()
    {
        var ecs = new RolloutEcs { TargetGroups = { LoadBalancerTests.Group } };
        ecs.RunningTasks.Add(new JsonObject
        {
            ["taskArn"] = "arn:aws:ecs:us-east-1:1:task/cruddur/t1",
            ["lastStatus"] = "RUNNING",
            ["startedBy"] = "ecs-svc/1", // the deploy's own deployment
            ["attachments"] = new JsonArray(new JsonObject { ["details"] = new JsonArray(new JsonObject { ["name"] = "privateIPv4Address", ["value"] = "10.0.0.1" }) }),
        });
        var elb = new LoadBalancerTests.Elb { [LoadBalancerTests.Group] = [new TargetHealth("10.0.0.1", 4567, "unhealthy", "Target.Timeout", "Request timed out")] };

        var d = Assert.Single((await new EcsDeployer(ecs, new RecordingHost(), NoPlaceholders, NoWait, elb: elb)
            .DeployAsync([new DeployTarget("cruddur", "a") { Image = "img:2" }], new DeployOptions(), CancellationToken.None)).Deployments);

        Assert.Equal(DeploymentOutcome.RolledBack, d.Outcome);
        Assert.Equal(["a:2", "a:1"], ecs.Updates);
        Assert.StartsWith("the load balancer's targets are not healthy: task t1 (10.0.0.1)", d.FailureReasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithALogSourceTheStoppedTasksCarryTheirLastLinesAndWithoutNone()
    {
        foreach (var withLogs in new[] { true, false })
        {
            var ecs = new RolloutEcs { Failing = { Arn("a", 2) } };
            ecs.StoppedTasks.Add(Stopped("t1", "Essential container in task exited", Container("a", exit: 1)));
            ecs.StoppedTasks[0]["taskDefinitionArn"] = Arn("a", 2);

            var d = Assert.Single((await new EcsDeployer(ecs, new RecordingHost(), NoPlaceholders, NoWait, withLogs ? new StoppedTaskTests.Lines() : null, "us-east-1")
                .DeployAsync([new DeployTarget("cruddur", "a") { Image = "img:2" }], new DeployOptions { Rollback = false }, CancellationToken.None)).Deployments);

            Assert.Equal(withLogs ? ["t1"] : [], d.StoppedTasks.Select(t => t.TaskId));
        }
    }

    [Fact]
    public async Task ATaskDefinitionFileIsRegisteredWithItsPlaceholdersFilled()
    {
        var ecs = new RolloutEcs();
        var file = Write("a.json", """
            { "family": "a", "containerDefinitions": [ { "name": "a", "image": "<%= ENV['AWS_ACCOUNT_ID'] %>.dkr.ecr/a:1", "essential": true } ] }
            """);

        var d = Assert.Single((await DeployAsync(ecs, new DeployTarget("cruddur", "a") { TaskDefinitionFile = file },
            placeholders: (name, _) => Task.FromResult<string?>(name == "AWS_ACCOUNT_ID" ? "123456789012" : null))).Deployments);

        Assert.Equal(DeploymentOutcome.Succeeded, d.Outcome);
        Assert.Equal("123456789012.dkr.ecr/a:1", (string?)Assert.Single(ecs.Registered)["containerDefinitions"]![0]!["image"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AFileThatWouldRegisterTheServicesRevisionAgainDeploysThatRevisionAndAFailureHasNothingToRollBackTo(bool succeeds)
    {
        var ecs = new RolloutEcs();
        if (!succeeds)
        {
            ecs.Failing.Add(Arn("a", 1));
        }

        // As a file says it: ECS's defaults (cpu 0, essential, empty lists) left out or given, fields in another order.
        var file = Write("a.json", """
            { "containerDefinitions": [ { "image": "img:1", "name": "a", "essential": true, "cpu": 0, "environment": [], "mountPoints": [] } ], "family": "a", "volumes": [] }
            """);
        var host = new RecordingHost();

        var d = Assert.Single((await DeployAsync(ecs, new DeployTarget("cruddur", "a") { TaskDefinitionFile = file }, host: host)).Deployments);

        Assert.Empty(ecs.Registered);
        Assert.Equal(["a:1"], ecs.Updates);
        Assert.Equal((Arn("a", 1), Arn("a", 1)), (d.TaskDefinitionArn, d.PreviousTaskDefinitionArn));
        Assert.Equal(succeeds ? DeploymentOutcome.Succeeded : DeploymentOutcome.Failed, d.Outcome);
        Assert.Contains(host.Messages, m => m.StartsWith("VERBOSE: a:1 is unchanged (" + file + " gives the same definition)", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Messages, m => m.Contains("rolling back", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnderWhatIfTheQuestionShowsTheDiffAndNothingIsRegistered()
    {
        var ecs = new RolloutEcs();
        var host = new RecordingHost(confirm: false);

        var result = await DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2" }, host: host);

        Assert.Empty(result.Deployments);
        Assert.Null(result.Failure);
        Assert.Empty(ecs.Registered);
        Assert.Empty(ecs.Updates);
        var (_, action) = Assert.Single(host.Asked);
        Assert.StartsWith("Register a task definition and deploy it:" + Environment.NewLine + "    ~ containerDefinitions[a].image: \"img:1\" -> \"img:2\"", action, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARedeployOfTheSameDefinitionSaysItIsUnchanged()
    {
        var host = new RecordingHost(confirm: false);

        var ecs = new RolloutEcs();

        await DeployAsync(ecs, new DeployTarget("cruddur", "a"), host: host);

        Assert.Equal("Deploy a:1 again (task definition unchanged)", Assert.Single(host.Asked).Action);
        Assert.Empty(ecs.Registered);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // no deployments field at all
    public async Task UpdateAnswerWithoutOurPrimaryDeploymentIsAnErrorNamingTheRevision(bool noDeployments)
    {
        var ecs = new RolloutEcs { AnswerWithoutPrimary = !noDeployments, AnswerWithoutDeployments = noDeployments };

        var e = await Assert.ThrowsAsync<CruddurException>(() => DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2" }));

        Assert.Equal(("DeployNoDeployment", ErrorKind.InvalidOperation), (e.ErrorId, e.Kind));
        Assert.Contains("a:2", e.Message, StringComparison.Ordinal);
        Assert.Contains("Get-CruddurService", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutWaitTheDeploymentIsReturnedStartedAndNothingIsRecordedOrCleaned()
    {
        var ecs = new RolloutEcs { Revisions = 3 };

        var d = Assert.Single((await DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2" }, new DeployOptions { Wait = false, KeepRevisions = 1 })).Deployments);

        Assert.Equal(DeploymentOutcome.Started, d.Outcome);
        Assert.Null(EcsDeployer.ErrorFor(d));
        Assert.Empty(ecs.Tagged);
        Assert.Empty(ecs.Deregistered);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ASuccessfulDeployBehindALoadBalancerSaysWhereItIsServed(bool succeeds)
    {
        var ecs = new RolloutEcs { TargetGroups = { LoadBalancerTests.Group } };
        if (!succeeds)
        {
            ecs.Failing.Add(Arn("a", 2));
        }

        var host = new RecordingHost();

        var elb = new LoadBalancerTests.Elb { [LoadBalancerTests.Group] = [] };
        var d = Assert.Single((await new EcsDeployer(ecs, host, NoPlaceholders, NoWait, elb: elb, urls: PublicUrlsTests.Reader(elb))
            .DeployAsync([new DeployTarget("cruddur", "a") { Image = "img:2" }], new DeployOptions(), CancellationToken.None)).Deployments);

        Assert.Equal(["https://api.cruddur.example", "https://cruddur.example"], d.Urls);
        Assert.Equal(succeeds ? ["cruddur/a: a:2 is served at https://api.cruddur.example, https://cruddur.example"] : [], host.Information);
        Assert.Equal(succeeds ? 1 : 0, host.Messages.Count(m => m.StartsWith("INFO[PublicUrl]: cruddur/a:", StringComparison.Ordinal))); // tagged, so a script can pick the URLs out of the information stream
    }

    [Fact]
    public async Task FailureReasonsNameEachStoppedTasksCauseCountedMostFrequentFirst()
    {
        var ecs = new RolloutEcs { Failing = { Arn("a", 2) } };
        ecs.StoppedTasks.AddRange(
        [
            Stopped("t1", "Scaling activity initiated"),
            Stopped("t2", null, Container("a", health: "UNHEALTHY", exit: 137)),
            Stopped("t3", "Essential container in task exited", Container("a", exit: 1, reason: "OutOfMemoryError"), Container("envoy", exit: 143), Container("log", exit: 0)),
            Stopped("t4", "Essential container in task exited", Container("a", exit: 1, reason: "OutOfMemoryError"), Container("envoy", exit: 143), Container("log", exit: 0)),
            Stopped("t5", "Task failed ELB health checks", Container("b", exit: 2)),
        ]);

        var d = Assert.Single((await DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2" }, new DeployOptions { Rollback = false })).Deployments);

        Assert.Equal(
        [
            "the circuit breaker tripped",
            "2 x task stopped: Essential container in task exited - container a exited with code 1 (OutOfMemoryError)",
            "task stopped: Scaling activity initiated",
            "task stopped: no reason given - container a failed its health check, container a exited with code 137",
            "task stopped: Task failed ELB health checks - container b exited with code 2",
        ], d.FailureReasons);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StoppedTasksThatCannotBeReadAreSaidSoAndTheRolloutStillFails(bool awsError)
    {
        var cause = awsError
            ? new AwsServiceException("ECS", "ListTasks", "ThrottlingException", "Rate exceeded", 400)
            : (Exception)new InvalidOperationException("garbled answer");
        var ecs = new RolloutEcs { Failing = { Arn("a", 2) }, StoppedTasksFail = cause };

        var d = Assert.Single((await DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2" }, new DeployOptions { Rollback = false })).Deployments);

        Assert.Equal(DeploymentOutcome.Failed, d.Outcome);
        Assert.Equal("the circuit breaker tripped", d.FailureReasons[0]);
        var reason = d.FailureReasons[1];
        Assert.StartsWith("(the stopped tasks could not be read: ", reason, StringComparison.Ordinal);
        Assert.Contains(cause.Message, reason, StringComparison.Ordinal);
        Assert.Equal(!awsError, reason.Contains("Unexpected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARollbackThatCompletesIsRecordedForUndoButTheFailedRevisionIsNot()
    {
        var ecs = new RolloutEcs { Failing = { Arn("a", 2) } };

        var d = Assert.Single((await DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2" })).Deployments);

        Assert.Equal(DeploymentOutcome.RolledBack, d.Outcome);
        Assert.Equal(["a:1 cruddur:completed-at"], ecs.Tagged);
    }

    [Fact]
    public async Task ARollbackThatFailsTooCarriesEachOfItsReasons()
    {
        var ecs = new RolloutEcs { Failing = { Arn("a", 2), Arn("a", 1) } };
        ecs.StoppedTasks.Add(Stopped("t1", "Essential container in task exited", Container("a", exit: 1)));

        var d = Assert.Single((await DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2" })).Deployments);

        Assert.Equal(DeploymentOutcome.RollbackFailed, d.Outcome);
        Assert.Equal(["a:2", "a:1"], ecs.Updates);
        Assert.Equal(
        [
            "the circuit breaker tripped",
            "task stopped: Essential container in task exited - container a exited with code 1",
            "rollback to a:1: the circuit breaker tripped; task stopped: Essential container in task exited - container a exited with code 1",
        ], d.FailureReasons);
        Assert.Empty(ecs.Tagged);
    }

    [Fact]
    public async Task ARollbackThatTimesOutIsRollbackTimedOutAndSaysECSCarriesOn()
    {
        var ecs = new RolloutEcs { Failing = { Arn("a", 2) }, Stuck = { Arn("a", 1) } };
        var now = DateTimeOffset.UnixEpoch;
        var clock = new WatchClock(() => now, (delay, _) => { now += delay; return Task.CompletedTask; });

        var d = Assert.Single((await DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2" }, new DeployOptions { RollbackTimeout = TimeSpan.FromMinutes(2) }, clock: clock)).Deployments);

        Assert.Equal(DeploymentOutcome.RollbackTimedOut, d.Outcome);
        Assert.False(d.TimedOut); // the deployment itself failed; its rollback timed out
        Assert.Contains(d.FailureReasons, r => r.StartsWith("rollback to a:1: the deployment did not complete within 00:02:00", StringComparison.Ordinal));
        var error = EcsDeployer.ErrorFor(d)!;
        Assert.Equal(("DeployFailed", ErrorKind.InvalidOperation), (error.ErrorId, error.Kind));
        Assert.Contains("the rollback to a:1 had not completed in the time given for the rollback", error.Message, StringComparison.Ordinal);
        Assert.Empty(ecs.Tagged);
    }

    [Fact]
    public async Task ARollbackThatCannotBeFollowedSaysWhyNotThatItFailed()
    {
        var ecs = new RolloutEcs { Failing = { Arn("a", 2) }, GarbledFromUpdate = 2 };

        var d = Assert.Single((await DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2" })).Deployments);

        Assert.Equal(["a:2", "a:1"], ecs.Updates);
        Assert.Equal(DeploymentOutcome.RollbackFailed, d.Outcome);
        Assert.Equal(["the circuit breaker tripped", "rollback to a:1: ECS DescribeServices answered something that is not JSON."], d.FailureReasons);
        Assert.Empty(ecs.Tagged);
    }

    [Fact]
    public async Task ATaskThatStopsInTheStabilityWindowFailsTheDeployAndItIsRolledBack()
    {
        var ecs = new RolloutEcs();
        var clock = CrashingAt(ecs, TimeSpan.FromSeconds(10));

        var d = Assert.Single((await DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2" }, new DeployOptions { StableFor = TimeSpan.FromSeconds(60) }, clock: clock)).Deployments);

        Assert.Equal(DeploymentOutcome.RolledBack, d.Outcome);
        Assert.Equal(["a:2", "a:1"], ecs.Updates);
        Assert.StartsWith("a task of the deployment stopped within ", d.FailureReasons[0], StringComparison.Ordinal);
        Assert.Contains("task stopped: Essential container in task exited - container a exited with code 1", d.FailureReasons);
        Assert.Equal(["a:1 cruddur:completed-at"], ecs.Tagged);
    }

    [Fact]
    public async Task TheRollbackHasAStabilityWindowToo()
    {
        var ecs = new RolloutEcs();
        var clock = CrashingAt(ecs, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(40));

        var d = Assert.Single((await DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2" }, new DeployOptions { StableFor = TimeSpan.FromSeconds(60) }, clock: clock)).Deployments);

        Assert.Equal(DeploymentOutcome.RollbackFailed, d.Outcome);
        Assert.Contains(d.FailureReasons, r => r.StartsWith("rollback to a:1: a task of the deployment stopped within ", StringComparison.Ordinal));
        Assert.Empty(ecs.Tagged);
    }

    [Fact]
    public async Task AnUndoHasAStabilityWindow()
    {
        var ecs = new RolloutEcs { Revisions = 2 };

        var d = await UndoAsync(ecs, "a:1", new DeployOptions { StableFor = TimeSpan.FromSeconds(60) }, clock: CrashingAt(ecs, TimeSpan.FromSeconds(10)));

        Assert.Equal(DeploymentOutcome.Failed, d!.Outcome);
        Assert.StartsWith("a task of the deployment stopped within ", d.FailureReasons[0], StringComparison.Ordinal);
        Assert.Equal(["a:1"], ecs.Updates);
        Assert.Empty(ecs.Tagged);
    }

    [Fact]
    public async Task FailingToRecordACompletedDeployOnlyWarnsNamingTheWayAround()
    {
        var ecs = new RolloutEcs { TagsFail = true };
        var host = new RecordingHost();

        var d = Assert.Single((await DeployAsync(ecs, new DeployTarget("cruddur", "a") { Image = "img:2" }, host: host)).Deployments);

        Assert.Equal(DeploymentOutcome.Succeeded, d.Outcome);
        var warning = Assert.Single(host.Messages, m => m.StartsWith("WARNING:", StringComparison.Ordinal));
        Assert.Contains("a:2", warning, StringComparison.Ordinal);
        Assert.Contains("ecs:TagResource", warning, StringComparison.Ordinal);
        Assert.Contains("-TaskDefinition", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CtrlCDuringTheWatchSaysTheRolloutContinuesAndHowToFollowIt()
    {
        using var cts = new CancellationTokenSource();
        var ecs = new RolloutEcs { Stuck = { Arn("a", 2) } };
        var clock = new WatchClock(() => DateTimeOffset.UnixEpoch, (_, token) =>
        {
            cts.Cancel();
            return Task.FromCanceled(token);
        });

        var e = await Assert.ThrowsAsync<OperationStoppedException>(() => new EcsDeployer(ecs, new RecordingHost(), NoPlaceholders, clock)
            .DeployAsync([new DeployTarget("cruddur", "a") { Image = "img:2" }], new DeployOptions(), cts.Token));

        Assert.Contains("Stopped watching cruddur/a", e.Message, StringComparison.Ordinal);
        Assert.Contains("a:2 (deployment ecs-svc/1) continues in ECS", e.Message, StringComparison.Ordinal);
        Assert.Contains("Get-CruddurService -Cluster cruddur -Service a", e.Message, StringComparison.Ordinal);
        Assert.Equal(["a:2"], ecs.Updates); // not rolled back
        Assert.Empty(ecs.Tagged);
    }

    // ---- Undo ----

    [Fact]
    public async Task UndoToANamedRevisionRollsBackAndRecordsBothEnds()
    {
        var ecs = new RolloutEcs { Revisions = 2 };
        var host = new RecordingHost();

        var d = await UndoAsync(ecs, "a:1", host: host);

        Assert.NotNull(d);
        Assert.Equal((DeploymentOutcome.Succeeded, "a:1", "a:2"), (d!.Outcome, Name(d.TaskDefinitionArn), Name(d.PreviousTaskDefinitionArn!)));
        Assert.Equal(["a:1"], ecs.Updates);
        Assert.Equal(["a:1 cruddur:completed-at", "a:2 cruddur:undone-at"], ecs.Tagged);
        Assert.Equal(("cruddur/a", "Roll back from a:2 to a:1"), Assert.Single(host.Asked));
        Assert.Null(EcsDeployer.UndoErrorFor(d, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task UndoToTheRevisionAlreadyRunningDoesNotMarkItUndone()
    {
        var ecs = new RolloutEcs { Revisions = 2 };

        var d = await UndoAsync(ecs, Arn("a", 2));

        Assert.Equal(DeploymentOutcome.Succeeded, d!.Outcome);
        Assert.Equal(["a:2 cruddur:completed-at"], ecs.Tagged);
    }

    [Fact]
    public async Task UndoWithoutARevisionGoesBackToTheLastOneRecordedAsCompleted()
    {
        var ecs = new RolloutEcs { Revisions = 3 };
        ecs.Tags[Arn("a", 1)] = new() { ["cruddur:completed-at"] = "2026-01-01T00:00:00.000Z" };

        var d = await UndoAsync(ecs, null);

        Assert.Equal(("a:1", DeploymentOutcome.Succeeded), (Name(d!.TaskDefinitionArn), d.Outcome));
        Assert.Equal(["a:1"], ecs.Updates);
    }

    [Fact]
    public async Task UndoWithNoCompletedRevisionAsksForOneAndChangesNothing()
    {
        var ecs = new RolloutEcs { Revisions = 2 };

        var e = await Assert.ThrowsAsync<CruddurException>(() => UndoAsync(ecs, null));

        Assert.Equal(("DeployNoPreviousRevision", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains("runs a:2", e.Message, StringComparison.Ordinal);
        Assert.Contains("no other active revision of its family is known to have completed", e.Message, StringComparison.Ordinal);
        Assert.Empty(ecs.Updates);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UndoToARevisionThatIsNotActiveSaysSoAndChangesNothing(bool deregistered)
    {
        var ecs = new RolloutEcs { Revisions = 2 };
        (deregistered ? ecs.Inactive : ecs.Unknown).Add(deregistered ? Arn("a", 1) : "a:1");

        var e = await Assert.ThrowsAsync<CruddurException>(() => UndoAsync(ecs, "a:1"));

        Assert.Equal(("TaskDefinitionNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains("'a:1'", e.Message, StringComparison.Ordinal);
        Assert.Contains(deregistered ? "'a:1' is registered (it was deregistered). " : "'a:1' is registered. ", e.Message, StringComparison.Ordinal);
        Assert.Empty(ecs.Updates);
    }

    [Fact]
    public async Task UndoOfAServiceThatDoesNotExistDoesNotOfferToCreateIt()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => UndoAsync(new RolloutEcs { Exists = false }, "a:1"));

        Assert.Equal("ServiceNotFound", e.ErrorId);
        Assert.Contains("Check the service and cluster names", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("-ServiceDefinitionFile", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UndoInAClusterThatDoesNotExistNamesTheClustersThereAndChangesNothing()
    {
        var ecs = new RolloutEcs { Revisions = 2 };

        var e = await Assert.ThrowsAsync<CruddurException>(() => new EcsDeployer(ecs, new RecordingHost(), NoPlaceholders, NoWait, region: "us-east-1")
            .UndoAsync("cruddr", "a", "a:1", new DeployOptions(), CancellationToken.None));

        Assert.Equal(("ServiceClusterNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains("'cruddr' not found in us-east-1 (clusters here: cruddur)", e.Message, StringComparison.Ordinal);
        Assert.Empty(ecs.Updates);
        Assert.Empty(ecs.Tagged);
    }

    [Fact]
    public async Task UndoUnderWhatIfChangesNothing()
    {
        var ecs = new RolloutEcs { Revisions = 2 };

        Assert.Null(await UndoAsync(ecs, "a:1", host: new RecordingHost(confirm: false)));
        Assert.Empty(ecs.Updates);
        Assert.Empty(ecs.Tagged);
    }

    [Fact]
    public async Task UndoWithoutWaitReturnsTheStartedRollbackAndRecordsNothing()
    {
        var ecs = new RolloutEcs { Revisions = 2 };

        var d = await UndoAsync(ecs, "a:1", new DeployOptions { Wait = false });

        Assert.Equal(DeploymentOutcome.Started, d!.Outcome);
        Assert.Null(EcsDeployer.UndoErrorFor(d, TimeSpan.FromMinutes(1)));
        Assert.Equal(["a:1"], ecs.Updates);
        Assert.Empty(ecs.Tagged);
    }

    [Fact]
    public async Task AnUndoThatFailsIsNotRolledBackAgainAndSuggestsAnotherRevision()
    {
        var ecs = new RolloutEcs { Revisions = 2, Failing = { Arn("a", 1) } };

        var d = await UndoAsync(ecs, "a:1");

        Assert.Equal(DeploymentOutcome.Failed, d!.Outcome);
        Assert.Equal(["a:1"], ecs.Updates);
        Assert.Empty(ecs.Tagged);
        var e = EcsDeployer.UndoErrorFor(d, TimeSpan.FromMinutes(1))!;
        Assert.Equal(("DeployFailed", ErrorKind.InvalidOperation), (e.ErrorId, e.Kind));
        Assert.Contains("Rolling cruddur/a back from a:2 to a:1 failed: the circuit breaker tripped", e.Message, StringComparison.Ordinal);
        Assert.Contains("Follow it with Get-CruddurService -Cluster cruddur -Service a.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUndoThatTimesOutNamesTheTimeoutAndHowToFollowIt()
    {
        var ecs = new RolloutEcs { Revisions = 2, Stuck = { Arn("a", 1) } };
        var now = DateTimeOffset.UnixEpoch;
        var clock = new WatchClock(() => now, (delay, _) => { now += delay; return Task.CompletedTask; });

        var d = await UndoAsync(ecs, "a:1", new DeployOptions { Timeout = TimeSpan.FromMinutes(3) }, clock: clock);

        Assert.True(d!.TimedOut);
        var e = EcsDeployer.UndoErrorFor(d, TimeSpan.FromMinutes(3))!;
        Assert.Equal(("DeployTimedOut", ErrorKind.OperationTimeout), (e.ErrorId, e.Kind));
        Assert.Contains("did not complete within 00:03:00; ECS carries on with it", e.Message, StringComparison.Ordinal);
        Assert.Contains("Get-CruddurService -Cluster cruddur -Service a", e.Message, StringComparison.Ordinal);
        Assert.Contains("So far: the deployment did not complete", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUndoThatCannotBeFollowedIsUnknownNotFailedAndRecordsNothing()
    {
        var ecs = new RolloutEcs { Revisions = 2, GarbledFromUpdate = 1 };

        var d = await UndoAsync(ecs, "a:1");

        Assert.Equal(DeploymentOutcome.Unknown, d!.Outcome);
        Assert.Equal(["ECS DescribeServices answered something that is not JSON."], d.FailureReasons);
        Assert.Equal("DeployWatchFailed", EcsDeployer.UndoErrorFor(d, TimeSpan.FromMinutes(1))!.ErrorId);
        Assert.Equal(["a:1"], ecs.Updates);
        Assert.Empty(ecs.Tagged);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnUndoThatFailsOrTimesOutCarriesEveryReason(bool timesOut)
    {
        var ecs = new RolloutEcs { Revisions = 2 };
        (timesOut ? ecs.Stuck : ecs.Failing).Add(Arn("a", 1));
        ecs.StoppedTasks.Add(Stopped("t1", "Essential container in task exited", Container("a", exit: 1)));
        var now = DateTimeOffset.UnixEpoch;
        var clock = new WatchClock(() => now, (delay, _) => { now += delay; return Task.CompletedTask; });

        var d = await UndoAsync(ecs, "a:1", new DeployOptions { Timeout = TimeSpan.FromMinutes(3) }, clock: clock);

        Assert.Equal(2, d!.FailureReasons.Count);
        Assert.Equal("task stopped: Essential container in task exited - container a exited with code 1", d.FailureReasons[1]);
        var e = EcsDeployer.UndoErrorFor(d, TimeSpan.FromMinutes(3))!;
        Assert.Contains((timesOut ? "So far: " : "failed: ") + string.Join("; ", d.FailureReasons) + ".", e.Message, StringComparison.Ordinal);
    }

    // ---- The errors, from a concluded deployment ----

    [Fact]
    public void ATimedOutDeployIsAnOperationTimeoutAndAFailedOneAnInvalidOperation()
    {
        var timedOut = Concluded(DeploymentOutcome.RolledBack, timedOut: true);
        var failed = Concluded(DeploymentOutcome.Failed, timedOut: false);

        Assert.Equal(("DeployTimedOut", ErrorKind.OperationTimeout), (EcsDeployer.ErrorFor(timedOut)!.ErrorId, EcsDeployer.ErrorFor(timedOut)!.Kind));
        Assert.Equal(("DeployFailed", ErrorKind.InvalidOperation), (EcsDeployer.ErrorFor(failed)!.ErrorId, EcsDeployer.ErrorFor(failed)!.Kind));
        var message = EcsDeployer.ErrorFor(failed)!.Message;
        Assert.Contains("Deploying a:2 to cruddur/a failed (nothing was rolled back): why one; why two.", message, StringComparison.Ordinal);
        Assert.Contains("Get-CruddurLog -Cluster cruddur -Service a", message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheErrorShowsTheLastLogLinesOfTheFirstStoppedTaskThatHasThem()
    {
        var d = Concluded(DeploymentOutcome.Failed, timedOut: false);
        d.StoppedTasks =
        [
            new StoppedTask { TaskArn = "arn:aws:ecs:us-east-1:1:task/cruddur/quiet", ExitCodes = new Dictionary<string, int?>(), FailingContainer = "a" },
            new StoppedTask { TaskArn = "arn:aws:ecs:us-east-1:1:task/cruddur/loud", ExitCodes = new Dictionary<string, int?>(), FailingContainer = "a", LogTail = ["Traceback", "KeyError: 'DB_URL'"] },
        ];

        foreach (var message in new[] { EcsDeployer.ErrorFor(d)!.Message, EcsDeployer.UndoErrorFor(d, TimeSpan.FromMinutes(1))!.Message })
        {
            Assert.Contains($"The last lines of container a in task loud:{Environment.NewLine}    Traceback{Environment.NewLine}    KeyError: 'DB_URL'{Environment.NewLine}", message, StringComparison.Ordinal);
            Assert.DoesNotContain("quiet", message, StringComparison.Ordinal);
        }

        // Without log lines the reasons lead straight to what to do.
        Assert.Contains("why one; why two. Look at the task's logs", EcsDeployer.ErrorFor(Concluded(DeploymentOutcome.Failed, timedOut: false))!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownOutcomeIsAWatchFailureForDeployAndUndoAlike()
    {
        var d = Concluded(DeploymentOutcome.Unknown, timedOut: false);

        foreach (var e in new[] { EcsDeployer.ErrorFor(d)!, EcsDeployer.UndoErrorFor(d, TimeSpan.FromMinutes(1))! })
        {
            Assert.Equal(("DeployWatchFailed", ErrorKind.ResourceUnavailable), (e.ErrorId, e.Kind));
            Assert.Contains("a:2 to cruddur/a was started but could not be followed: why one; why two.", e.Message, StringComparison.Ordinal);
            Assert.Contains("Nothing was rolled back", e.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A clock whose delays pass at once; one more task of the service stops as each of <paramref name="crashes"/> passes.</summary>
    private static WatchClock CrashingAt(RolloutEcs ecs, params TimeSpan[] crashes)
    {
        var now = DateTimeOffset.UnixEpoch;
        return new WatchClock(() => now, (delay, _) =>
        {
            now += delay;
            while (ecs.StoppedTasks.Count < crashes.Length && now - DateTimeOffset.UnixEpoch >= crashes[ecs.StoppedTasks.Count])
            {
                var crashed = Stopped($"crashed-{ecs.StoppedTasks.Count}", "Essential container in task exited", Container("a", exit: 1));
                crashed["startedBy"] = ecs.CurrentDeploymentId;
                ecs.StoppedTasks.Add(crashed);
            }

            return Task.CompletedTask;
        });
    }

    private static Deployment Concluded(DeploymentOutcome outcome, bool timedOut)
    {
        var d = new Deployment { Cluster = "cruddur", Service = "a", TaskDefinitionArn = Arn("a", 2), PreviousTaskDefinitionArn = Arn("a", 1), DeploymentId = "ecs-svc/1" };
        d.Conclude(outcome, ["why one", "why two"], timedOut);
        return d;
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static Task<DeployResult> DeployAsync(RolloutEcs ecs, DeployTarget target, DeployOptions? options = null, RecordingHost? host = null,
        WatchClock? clock = null, Func<string, CancellationToken, Task<string?>>? placeholders = null) =>
        new EcsDeployer(ecs, host ?? new RecordingHost(), placeholders ?? NoPlaceholders, clock ?? NoWait)
            .DeployAsync([target], options ?? new DeployOptions(), CancellationToken.None);

    /// <summary>Deploys <paramref name="target"/>, expecting an error that carries <paramref name="facts"/>, and nothing registered or updated.</summary>
    private static async Task RefusedAsync(RolloutEcs ecs, DeployTarget target, string errorId, ErrorKind kind, params string[] facts)
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => DeployAsync(ecs, target));

        Assert.Equal((errorId, kind), (e.ErrorId, e.Kind));
        Assert.All(facts, f => Assert.Contains(f, e.Message, StringComparison.Ordinal));
        Assert.Empty(ecs.Registered);
        Assert.Empty(ecs.Updates);
    }

    private static Task<Deployment?> UndoAsync(RolloutEcs ecs, string? revision, DeployOptions? options = null, RecordingHost? host = null, WatchClock? clock = null) =>
        new EcsDeployer(ecs, host ?? new RecordingHost(), NoPlaceholders, clock ?? NoWait)
            .UndoAsync("cruddur", "a", revision, options ?? new DeployOptions(), CancellationToken.None);

    private static Task<string?> NoPlaceholders(string name, CancellationToken token) => Task.FromResult<string?>(null);

    private static JsonObject Stopped(string id, string? stoppedReason, params JsonObject[] containers)
    {
        var task = new JsonObject { ["taskArn"] = $"arn:aws:ecs:us-east-1:1:task/cruddur/{id}", ["stoppedReason"] = stoppedReason };
        if (containers.Length > 0)
        {
            task["containers"] = new JsonArray(containers);
        }

        return task;
    }

    private static JsonObject Container(string name, string? health = null, int? exit = null, string? reason = null) =>
        new() { ["name"] = name, ["healthStatus"] = health, ["exitCode"] = exit, ["reason"] = reason };
}
