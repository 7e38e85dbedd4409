using System.Text.Json.Nodes;
using static Cruddur.EcsSimulator.Tests.Releases;
using static Cruddur.EcsSimulator.Tests.BlueGreenTests;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>Blue/green lifecycle hooks over the raw API: PAUSE hooks answered, rolled back or timed out, and Lambda hooks that fail or succeed (a class of its own so that xunit runs it beside the other blue/green tests).</summary>
public sealed class BlueGreenHookTests
{
    [Fact]
    public async Task A_pause_hook_waits_for_ContinueServiceDeployment_then_the_deployment_goes_on()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateServiceAsync(BlueGreen(), BlueGreenLb.Fake.LoadBalancers());
        var arn = await sim.DeployAsync(deploymentConfiguration: BlueGreen(hooks: [Pause("POST_TEST_TRAFFIC_SHIFT")]));
        var hookId = await sim.WaitPauseAsync(arn, "POST_TEST_TRAFFIC_SHIFT");
        Assert.Matches(@"^ecs-pause-[A-Za-z0-9_-]{43}$", hookId);
        var paused = await sim.DescribeDeploymentAsync(arn);
        var hook = paused["lifecycleHookDetails"]!.AsArray().Single()!.AsObject();
        Assert.Equal(["hookId", "targetType", "status", "expiresAt", "timeoutAction"], hook.Select(p => p.Key));
        Assert.Equal("PAUSE", Str(hook["targetType"]));
        Assert.Equal("ROLLBACK", Str(hook["timeoutAction"]));
        Assert.InRange(hook["expiresAt"]!.GetValue<double>() - SimState.Now, 1400 * 60 * 0.02, 1440 * 60 * 0.02 + 1);
        Assert.Equal(100, paused["targetServiceRevision"]!["requestedTestTrafficWeight"]!.GetValue<double>());
        Assert.Equal(0, paused["targetServiceRevision"]!["requestedProductionTrafficWeight"]!.GetValue<double>());

        // Paused: many stage lengths later it is still there, waiting.
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(100);
            Assert.Equal("POST_TEST_TRAFFIC_SHIFT", Str((await sim.DescribeDeploymentAsync(arn))["lifecycleStage"]));
        }

        await sim.ContinueAsync(arn, hookId);
        var done = await sim.WaitStatusAsync(arn, "SUCCESSFUL");
        Assert.Equal("SUCCEEDED", Str(done["lifecycleHookDetails"]![0]!["status"]));
        Assert.Equal(BlueGreenStages, await sim.StagesAsync(arn));
    }

    [Fact]
    public async Task A_pause_hook_answered_with_ROLLBACK_rolls_back_to_blue()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateServiceAsync(BlueGreen(), BlueGreenLb.Fake.LoadBalancers());
        var blueTask = Assert.Single(await sim.ServiceTasksAsync());
        var blueRevision = Str((await sim.DescribeServiceAsync("backend-flask"))["currentServiceRevisions"]![0]!["arn"]);
        var arn = await sim.DeployAsync(deploymentConfiguration: BlueGreen(hooks: [Pause("POST_PRODUCTION_TRAFFIC_SHIFT")]));
        var hookId = await sim.WaitPauseAsync(arn, "POST_PRODUCTION_TRAFFIC_SHIFT");

        await sim.ContinueAsync(arn, hookId, "ROLLBACK");
        var requested = await sim.DescribeDeploymentAsync(arn);
        Assert.Equal("ROLLBACK_REQUESTED", Str(requested["status"]));
        Assert.Equal("FAILED", Str(requested["lifecycleHookDetails"]![0]!["status"]));
        Assert.Equal(blueRevision, Str(requested["rollback"]!["serviceRevisionArn"]));
        var done = await sim.WaitStatusAsync(arn, "ROLLBACK_SUCCESSFUL");
        Assert.Equal($"Rollback requested by ContinueServiceDeployment for lifecycle hook {hookId}.", Str(done["statusReason"]));
        Assert.Equal(0, done["targetServiceRevision"]!["requestedProductionTrafficWeight"]!.GetValue<double>());
        Assert.Equal(0, done["targetServiceRevision"]!["runningTaskCount"]!.GetValue<int>());
        Assert.Equal(
            [.. BlueGreenStages[..8], "rollback:PRODUCTION_TRAFFIC_SHIFT@0", "rollback:TEST_TRAFFIC_SHIFT@0", "rollback:CLEAN_UP"],
            await sim.StagesAsync(arn));

        // Blue never stopped: the rollback needed no new task.
        Assert.Equal([blueTask], await sim.ServiceTasksAsync());
        var service = await sim.DescribeServiceAsync("backend-flask");
        Assert.True(Sim.Completed(service));
        Assert.EndsWith("task-definition/backend-flask:1", Str(service["taskDefinition"]));
        Assert.Equal(blueRevision, Str(service["currentServiceRevisions"]!.AsArray().Single()!["arn"]));
    }

    [Fact]
    public async Task A_pause_hook_times_out_per_its_timeoutConfiguration()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateServiceAsync(BlueGreen(), BlueGreenLb.Fake.LoadBalancers());
        var rolledBack = await sim.DeployAsync(deploymentConfiguration: BlueGreen(hooks: [Pause("POST_SCALE_UP", timeoutMinutes: 1)]));
        await sim.WaitPauseAsync(rolledBack, "POST_SCALE_UP");
        var done = await sim.WaitStatusAsync(rolledBack, "ROLLBACK_SUCCESSFUL");
        var hook = done["lifecycleHookDetails"]!.AsArray().Single()!;
        Assert.Equal("TIMED_OUT", Str(hook["status"]));
        Assert.Equal($"Lifecycle hook {Str(hook["hookId"])} timed out at POST_SCALE_UP.", Str(done["statusReason"]));
        // Nothing was shifted yet: the rollback only scales green in.
        Assert.Equal(["PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "rollback:CLEAN_UP"], await sim.StagesAsync(rolledBack));

        var times = await sim.StageTimesAsync(rolledBack);
        Assert.True(times[^1].At - times[2].At >= 60 * 0.02, "the pause ended before its minute");

        var continued = await sim.DeployAsync(deploymentConfiguration: BlueGreen(hooks: [Pause("POST_SCALE_UP", timeoutMinutes: 1, timeoutAction: "CONTINUE")]));
        var success = await sim.WaitStatusAsync(continued, "SUCCESSFUL");
        Assert.Equal("TIMED_OUT", Str(success["lifecycleHookDetails"]![0]!["status"]));
        Assert.Equal("CONTINUE", Str(success["lifecycleHookDetails"]![0]!["timeoutAction"]));
    }

    [Fact]
    public async Task A_lambda_hook_failing_at_the_test_traffic_shift_rolls_back_and_runs_again_during_the_rollback()
    {
        const string function = "arn:aws:lambda:us-east-1:123456789012:function:smoke-test";
        await using var sim = await Sim.StartAsync();
        await sim.CreateServiceAsync(BlueGreen(), BlueGreenLb.Fake.LoadBalancers());
        await sim.ControlAsync("/_sim/lambda-hooks", new { functionArn = function, hookStatus = "IN_PROGRESS", callBackDelay = 5 });
        var arn = await sim.DeployAsync(deploymentConfiguration: BlueGreen(hooks: [Lambda(function, "TEST_TRAFFIC_SHIFT")]));

        var running = await sim.WaitDeploymentAsync(arn, d => d["lifecycleHookDetails"]!.AsArray().Count == 1, "the hook");
        var hook = running["lifecycleHookDetails"]![0]!.AsObject();
        Assert.Equal(["hookId", "targetType", "targetArn", "status", "expiresAt", "timeoutAction"], hook.Select(p => p.Key));
        Assert.Equal("IN_PROGRESS", Str(hook["status"]));
        Assert.Equal(function, Str(hook["targetArn"]));
        Assert.True(Guid.TryParse(Str(hook["hookId"]), out _));
        Assert.Equal("TEST_TRAFFIC_SHIFT", Str(running["lifecycleStage"]));
        // Invoked again after its callBackDelay (5 s, 0.1 s here) while it answers IN_PROGRESS.
        Assert.True(await Poll.UntilAsync(async () => (await sim.ControlAsync("/_sim/lambda-hooks"))["invocations"]!.AsArray().Count >= 2, TimeSpan.FromSeconds(10)));

        await sim.ControlAsync("/_sim/lambda-hooks", new { functionArn = function, hookStatus = "FAILED" });
        var done = await sim.WaitStatusAsync(arn, "ROLLBACK_SUCCESSFUL");
        Assert.Equal($"Lifecycle hook {function} returned FAILED at TEST_TRAFFIC_SHIFT.", Str(done["statusReason"]));
        Assert.Equal(["PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT@100", "rollback:TEST_TRAFFIC_SHIFT@0", "rollback:CLEAN_UP"],
            await sim.StagesAsync(arn));

        var invocations = (await sim.ControlAsync("/_sim/lambda-hooks"))["invocations"]!.AsArray();
        var first = invocations[0]!["payload"]!;
        Assert.Equal("TEST_TRAFFIC_SHIFT", Str(first["lifecycleStage"]));
        Assert.Equal(arn, Str(first["resourceArn"]));
        Assert.Equal("smoke", Str(first["hookDetails"]!["suite"]));
        var target = Str(done["targetServiceRevision"]!["arn"]);
        Assert.Equal(100, first["executionDetails"]!["testTrafficWeights"]![target]!.GetValue<double>());
        Assert.Equal(0, first["executionDetails"]!["productionTrafficWeights"]![target]!.GetValue<double>());
        // The rollback's test traffic shift invoked it again, with the weights back on blue; its FAILED did not stop the rollback.
        var last = invocations[^1]!["payload"]!;
        Assert.Equal(0, last["executionDetails"]!["testTrafficWeights"]![target]!.GetValue<double>());
        Assert.Equal("FAILED", Str(invocations[^1]!["hookStatus"]));
    }

    [Fact]
    public async Task A_lambda_hook_with_no_function_behind_it_fails_and_one_that_succeeds_lets_the_deployment_finish()
    {
        const string function = "arn:aws:lambda:us-east-1:123456789012:function:approve";
        await using var sim = await Sim.StartAsync();
        await sim.CreateServiceAsync(BlueGreen(), null);
        var missing = await sim.DeployAsync(deploymentConfiguration: BlueGreen(hooks: [Lambda(function, "PRE_SCALE_UP")]));
        var failed = await sim.WaitStatusAsync(missing, "ROLLBACK_SUCCESSFUL");
        Assert.Equal($"Lifecycle hook {function} could not be invoked at PRE_SCALE_UP: Function not found: {function}", Str(failed["statusReason"]));

        await sim.ControlAsync("/_sim/lambda-hooks", new { functionArn = function, hookStatus = "SUCCEEDED" });
        var arn = await sim.DeployAsync();
        var done = await sim.WaitStatusAsync(arn, "SUCCESSFUL");
        Assert.Equal("SUCCEEDED", Str(done["lifecycleHookDetails"]![0]!["status"]));
        // Headless (no load balancer): no traffic weights are reported.
        Assert.Null(done["targetServiceRevision"]!["requestedProductionTrafficWeight"]);
        Assert.Empty(((await sim.ControlAsync("/_sim/lambda-hooks"))["invocations"]!.AsArray()[^1]!["payload"]!["executionDetails"]!["productionTrafficWeights"]!).AsObject());
    }
}
