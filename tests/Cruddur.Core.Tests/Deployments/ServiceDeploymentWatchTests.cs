using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>What one ServiceDeployment means for a blue/green-family watch: progress text, outcome, the stage a failure happened in, pauses, -WaitUntil.</summary>
public class ServiceDeploymentWatchTests
{
    private const string Green = "arn:aws:ecs:us-east-1:1:service-revision/cruddur/backend-flask/2";
    private const string Blue = "arn:aws:ecs:us-east-1:1:service-revision/cruddur/backend-flask/1";

    private static ServiceWatch Watch(int? reachAt = null) => new(new Deployment
    {
        Cluster = "cruddur",
        Service = "backend-flask",
        TaskDefinitionArn = "arn:aws:ecs:us-east-1:1:task-definition/backend-flask:42",
        DeploymentId = "ecs-svc/1",
        ServiceDeploymentArn = "arn:aws:ecs:us-east-1:1:service-deployment/cruddur/backend-flask/x",
        Strategy = DeploymentStrategy.Linear,
    }, 1) { ReachAt = reachAt };

    private static EcsServiceDeployment Sd(string status, string? stage, double? production = null, double? test = null, string? reason = null, params EcsLifecycleHook[] hooks) =>
        new("arn:sd", status, reason, stage, "LINEAR", [new EcsServiceRevisionSummary(Blue, 1, 1, 0, null, null)],
            new EcsServiceRevisionSummary(Green, 1, 1, 0, test, production), hooks, null, null);

    private static string Name(string arn) => arn == Green ? "backend-flask:42" : "backend-flask:41";

    [Theory]
    [InlineData("PRODUCTION_TRAFFIC_SHIFT", 30.0, null, "PRODUCTION_TRAFFIC_SHIFT: 30 % to backend-flask:42")]
    [InlineData("TEST_TRAFFIC_SHIFT", null, 100.0, "TEST_TRAFFIC_SHIFT: test traffic 100 % to backend-flask:42")]
    [InlineData("SCALE_UP", null, null, "SCALE_UP: 1/1 running")]
    [InlineData("POST_SCALE_UP", null, null, "POST_SCALE_UP")]
    public void ProgressNamesTheStageAndTheWeights(string stage, double? production, double? test, string expected)
    {
        var w = Watch();
        w.ObserveServiceDeployment(Sd("IN_PROGRESS", stage, production, test), Name);
        Assert.Equal(expected, w.Progress().Status);
        Assert.Equal(WatchState.InProgress, w.State);
        Assert.Equal(["backend-flask:41"], w.Deployment.SourceRevisions);
        Assert.Equal("backend-flask:42", w.Deployment.TargetRevision);
    }

    [Fact]
    public void SuccessfulIsSuccess()
    {
        var w = Watch();
        w.ObserveServiceDeployment(Sd("SUCCESSFUL", "CLEAN_UP"), Name);
        Assert.Equal(WatchState.Succeeded, w.State);
        Assert.Equal("SUCCESSFUL", w.Deployment.Stage);
    }

    [Fact]
    public void ARollbackNamesTheStageItFailedInAndEcssReason()
    {
        var w = Watch();
        w.ObserveServiceDeployment(Sd("IN_PROGRESS", "TEST_TRAFFIC_SHIFT", test: 100), Name);
        var (changed, _) = w.ObserveServiceDeployment(Sd("ROLLBACK_IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", reason: "Lifecycle hook arn:fn returned FAILED at TEST_TRAFFIC_SHIFT."), Name);
        Assert.True(changed);
        Assert.False(w.IsDone);
        Assert.StartsWith("ROLLBACK_IN_PROGRESS (PRODUCTION_TRAFFIC_SHIFT", w.Progress().Status);

        w.ObserveServiceDeployment(Sd("ROLLBACK_SUCCESSFUL", "CLEAN_UP", reason: "Lifecycle hook arn:fn returned FAILED at TEST_TRAFFIC_SHIFT."), Name);
        Assert.Equal(WatchState.RolledBackByEcs, w.State);
        Assert.Equal("It failed (last stage seen: TEST_TRAFFIC_SHIFT): Lifecycle hook arn:fn returned FAILED at TEST_TRAFFIC_SHIFT. ECS rolled the service back to backend-flask:41.", w.Reason);
    }

    [Fact]
    public void AFailedRollbackIsAFailure()
    {
        var w = Watch();
        w.ObserveServiceDeployment(Sd("ROLLBACK_FAILED", "CLEAN_UP", reason: "nothing to return to"), Name);
        Assert.Equal(WatchState.Failed, w.State);
        Assert.EndsWith("ECS's rollback failed too.", w.Reason);
    }

    [Fact]
    public void APauseHookAwaitingActionEndsTheWatchAsPausedAndWarnsOnce()
    {
        var w = Watch();
        var hook = new EcsLifecycleHook("ecs-pause-abc", "PAUSE", null, "AWAITING_ACTION", null);
        var (_, warning) = w.ObserveServiceDeployment(Sd("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", hooks: hook), Name);
        Assert.Equal(WatchState.Paused, w.State);
        Assert.Equal("ecs-pause-abc", w.Deployment.PausedHookId);
        Assert.Equal("POST_TEST_TRAFFIC_SHIFT: waiting for approval (PAUSE hook ecs-pause-abc)", w.Progress().Status);
        Assert.Contains("waits for approval at POST_TEST_TRAFFIC_SHIFT (PAUSE hook ecs-pause-abc)", warning);
        Assert.Null(w.ObserveServiceDeployment(Sd("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", hooks: hook), Name).Warning);
    }

    [Fact]
    public void LambdaHooksShowTheirStatus()
    {
        var w = Watch();
        w.ObserveServiceDeployment(Sd("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", hooks: new EcsLifecycleHook("g", "AWS_LAMBDA", "arn:aws:lambda:us-east-1:1:function:smoke", "IN_PROGRESS", null)), Name);
        Assert.Equal("POST_TEST_TRAFFIC_SHIFT; hook smoke IN_PROGRESS", w.Progress().Status);
        Assert.Equal(WatchState.InProgress, w.State);
    }

    [Theory]
    [InlineData("Deployed", "PRODUCTION_TRAFFIC_SHIFT", false)]
    [InlineData("Deployed", "POST_PRODUCTION_TRAFFIC_SHIFT", true)]
    [InlineData("Deployed", "BAKE_TIME", true)]
    [InlineData("TEST_TRAFFIC_SHIFT", "TEST_TRAFFIC_SHIFT", true)]
    [InlineData("Completed", "CLEAN_UP", false)]
    public void WaitUntilReturnsOnceItsStageIsReached(string waitUntil, string stage, bool reached)
    {
        var w = Watch(LifecycleStages.IndexOf(waitUntil));
        w.ObserveServiceDeployment(Sd("IN_PROGRESS", stage), Name);
        Assert.Equal(reached ? WatchState.Reached : WatchState.InProgress, w.State);
    }

    [Fact]
    public void ARollingDeploymentIsNotFollowedByItsServiceDeployment()
    {
        var rolling = new ServiceWatch(new Deployment
        {
            Cluster = "c", Service = "s", TaskDefinitionArn = "td/s:1", DeploymentId = "d", ServiceDeploymentArn = "arn:sd", Strategy = DeploymentStrategy.Rolling,
        }, 1);
        Assert.False(rolling.FollowsServiceDeployment);
        Assert.True(Watch().FollowsServiceDeployment);
    }
}
