using System.Text.Json.Nodes;
using static Cruddur.EcsSimulator.Tests.Releases;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>Blue/green, linear and canary deployments over the raw API, without a load balancer behind the simulator
/// (listener-rule weights are kept in the simulator; BlueGreenElbTests writes them to moto).</summary>
public sealed class BlueGreenTests
{
    private static readonly string[] FirstDeploymentStages =
    [
        "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT@100", "POST_TEST_TRAFFIC_SHIFT",
        "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT@100", "POST_PRODUCTION_TRAFFIC_SHIFT", "CLEAN_UP",
    ];

    private static readonly string[] BlueGreenStages =
    [
        "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT@100", "POST_TEST_TRAFFIC_SHIFT",
        "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT@100", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP",
    ];

    [Fact]
    public async Task Blue_green_walks_the_stages_in_order_keeps_blue_through_the_bake_then_scales_it_in()
    {
        await using var sim = await Sim.StartAsync();
        var created = await sim.CreateServiceAsync(BlueGreen(bakeMinutes: 1), BlueGreenLb.Fake.LoadBalancers());
        var first = Str(created["currentServiceDeployment"]);
        Assert.Matches(@"^arn:aws:ecs:us-east-1:123456789012:service-deployment/cruddur/backend-flask/[A-Za-z0-9_-]{21}$", first);
        Assert.Equal(FirstDeploymentStages, await sim.StagesAsync(first));
        var blueTask = Assert.Single(await sim.ServiceTasksAsync());

        var arn = await sim.DeployAsync();
        var baking = await sim.WaitDeploymentAsync(arn, d => Str(d["lifecycleStage"]) == "BAKE_TIME", "the bake time");
        Assert.Equal("IN_PROGRESS", Str(baking["status"]));
        Assert.Equal(100, baking["targetServiceRevision"]!["requestedProductionTrafficWeight"]!.GetValue<double>());
        var blue = baking["sourceServiceRevisions"]!.AsArray().Single()!;
        Assert.Equal(0, blue["requestedProductionTrafficWeight"]!.GetValue<double>());
        Assert.Equal(1, blue["runningTaskCount"]!.GetValue<int>());
        Assert.Equal(1, baking["targetServiceRevision"]!["runningTaskCount"]!.GetValue<int>());
        var during = await sim.ServiceTasksAsync();
        Assert.Equal(2, during.Count);
        Assert.Contains(blueTask, during);

        var done = await sim.WaitStatusAsync(arn, "SUCCESSFUL");
        Assert.Equal("CLEAN_UP", Str(done["lifecycleStage"]));
        Assert.Equal(BlueGreenStages, await sim.StagesAsync(arn));
        var times = await sim.StageTimesAsync(arn);
        var bake = times.Single(t => t.Stage == "BAKE_TIME").At;
        var cleanUp = times.Single(t => t.Stage == "CLEAN_UP").At;
        Assert.True(cleanUp - bake >= 60 * 0.02, $"the bake lasted {cleanUp - bake:0.000} s, less than 1 minute scaled");
        Assert.Equal(0, done["sourceServiceRevisions"]![0]!["runningTaskCount"]!.GetValue<int>());
        Assert.True(done["finishedAt"]!.GetValue<double>() >= done["startedAt"]!.GetValue<double>());

        var service = await sim.DescribeServiceAsync("backend-flask");
        Assert.True(Sim.Completed(service));
        Assert.Equal(arn, Str(service["currentServiceDeployment"]));
        Assert.EndsWith("task-definition/backend-flask:2", Str(service["taskDefinition"]));
        Assert.Equal("STOPPED", Str((await sim.DescribeTaskAsync(blueTask))["lastStatus"]));
        var listed = await sim.OkAsync("ListServiceDeployments", new JsonObject { ["cluster"] = "cruddur", ["service"] = "backend-flask" });
        Assert.Equal([arn, first], listed["serviceDeployments"]!.AsArray().Select(d => Str(d!["serviceDeploymentArn"])));

        // Green took the alternate target group; the next deployment goes back to the first one.
        var revisions = await sim.OkAsync("DescribeServiceRevisions", new JsonObject
        {
            ["serviceRevisionArns"] = new JsonArray(Str(done["targetServiceRevision"]!["arn"]), Str(done["sourceServiceRevisions"]![0]!["arn"])),
        });
        var resolved = revisions["serviceRevisions"]!.AsArray().Select(r => Str(r!["resolvedConfiguration"]!["loadBalancers"]![0]!["targetGroupArn"])).ToList();
        Assert.Equal([BlueGreenLb.Fake.Green, BlueGreenLb.Fake.Blue], resolved);
        var third = await sim.DeployAsync();
        await sim.WaitStatusAsync(third, "SUCCESSFUL");
        var thirdRevision = await sim.OkAsync("DescribeServiceRevisions", new JsonObject
        {
            ["serviceRevisionArns"] = new JsonArray(Str((await sim.DescribeDeploymentAsync(third))["targetServiceRevision"]!["arn"])),
        });
        Assert.Equal(BlueGreenLb.Fake.Blue, Str(thirdRevision["serviceRevisions"]![0]!["resolvedConfiguration"]!["loadBalancers"]![0]!["targetGroupArn"]));
    }

    [Fact]
    public async Task Linear_shifts_production_in_equal_steps_with_a_bake_between_them_and_none_after_the_last()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateServiceAsync(Linear(stepPercent: 33.3, stepBakeMinutes: 1), BlueGreenLb.Fake.LoadBalancers());
        var arn = await sim.DeployAsync();
        await sim.WaitStatusAsync(arn, "SUCCESSFUL");
        Assert.Equal(
        [
            "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT@100", "POST_TEST_TRAFFIC_SHIFT",
            "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT@33.3", "step-bake",
            "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT@66.6", "step-bake",
            "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT@99.9", "step-bake",
            "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT@100",
            "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP",
        ], await sim.StagesAsync(arn));
        var times = await sim.StageTimesAsync(arn);
        var firstShift = times.FindIndex(t => t.Stage == "PRODUCTION_TRAFFIC_SHIFT") + 1;
        Assert.True(times[firstShift + 2].At - times[firstShift + 1].At >= 60 * 0.02, "a step bake lasted less than its minute");
    }

    [Fact]
    public async Task Canary_shifts_its_percentage_bakes_then_shifts_the_rest()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateServiceAsync(Canary(canaryPercent: 10, canaryBakeMinutes: 1), BlueGreenLb.Fake.LoadBalancers());
        var arn = await sim.DeployAsync();
        var canary = await sim.WaitDeploymentAsync(arn, d => d["targetServiceRevision"]!["requestedProductionTrafficWeight"]!.GetValue<double>() == 10, "the canary step");
        Assert.Equal(90, canary["sourceServiceRevisions"]![0]!["requestedProductionTrafficWeight"]!.GetValue<double>());
        Assert.Equal("PRODUCTION_TRAFFIC_SHIFT", Str(canary["lifecycleStage"]));
        await sim.WaitStatusAsync(arn, "SUCCESSFUL");
        Assert.Equal(
        [
            "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT@100", "POST_TEST_TRAFFIC_SHIFT",
            "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT@10", "step-bake",
            "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT@100",
            "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP",
        ], await sim.StagesAsync(arn));
    }

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
    public async Task StopServiceDeployment_during_the_bake_rolls_back_at_once_to_the_blue_tasks_that_still_run()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateServiceAsync(BlueGreen(bakeMinutes: 60), BlueGreenLb.Fake.LoadBalancers());
        var blueTask = Assert.Single(await sim.ServiceTasksAsync());
        var arn = await sim.DeployAsync();
        await sim.WaitDeploymentAsync(arn, d => Str(d["lifecycleStage"]) == "BAKE_TIME", "the bake time");

        var stopped = await sim.OkAsync("StopServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn, ["stopType"] = "ROLLBACK" });
        Assert.Equal(arn, Str(stopped["serviceDeploymentArn"]));
        Assert.Equal("ROLLBACK_REQUESTED", Str((await sim.DescribeDeploymentAsync(arn))["status"]));
        var seen = await sim.WaitDeploymentAsync(arn, d => Str(d["status"]) != "ROLLBACK_REQUESTED", "the rollback to start");
        Assert.Contains(Str(seen["status"]), new[] { "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL" });
        // The bake was an hour (72 s at this scale); the rollback takes a few stage lengths.
        var done = await sim.WaitStatusAsync(arn, "ROLLBACK_SUCCESSFUL", seconds: 10);
        Assert.Equal("Rollback requested by StopServiceDeployment.", Str(done["rollback"]!["reason"]));
        Assert.Equal([blueTask], await sim.ServiceTasksAsync());
        var rollbackStages = (await sim.StagesAsync(arn)).SkipWhile(s => !s.StartsWith("rollback:", StringComparison.Ordinal));
        Assert.Equal(["rollback:PRODUCTION_TRAFFIC_SHIFT@0", "rollback:TEST_TRAFFIC_SHIFT@0", "rollback:CLEAN_UP"], rollbackStages);

        await sim.ErrorAsync("StopServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn }, "ConflictException");
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

    [Fact]
    public async Task A_stage_that_fails_rolls_the_deployment_back()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateServiceAsync(BlueGreen(), BlueGreenLb.Fake.LoadBalancers());
        await sim.ControlAsync("/_sim/stage-fault", new { cluster = "cruddur", service = "backend-flask", stage = "TEST_TRAFFIC_SHIFT", reason = "listener rule refused" });
        var arn = await sim.DeployAsync();
        var done = await sim.WaitStatusAsync(arn, "ROLLBACK_SUCCESSFUL");
        Assert.Equal("listener rule refused", Str(done["statusReason"]));
        Assert.Equal("listener rule refused", Str(done["rollback"]!["reason"]));
        Assert.Equal(["PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT@100", "rollback:TEST_TRAFFIC_SHIFT@0", "rollback:CLEAN_UP"],
            await sim.StagesAsync(arn));
        var service = await sim.DescribeServiceAsync("backend-flask");
        Assert.EndsWith("task-definition/backend-flask:1", Str(service["taskDefinition"]));
    }

    [Fact]
    public async Task The_circuit_breaker_stops_only_rolling_deployments()
    {
        await using var sim = await Sim.StartAsync();
        var breaker = new JsonObject { ["enable"] = true, ["rollback"] = true };
        var config = BlueGreen();
        config["deploymentCircuitBreaker"] = breaker.DeepClone();
        await sim.CreateServiceAsync(config, BlueGreenLb.Fake.LoadBalancers());
        var arn = await sim.DeployAsync("crash");
        Assert.True(await Poll.UntilAsync(async () =>
            (await sim.DescribeServiceAsync("backend-flask"))["deployments"]![0]!["failedTasks"]!.GetValue<int>() >= 5, TimeSpan.FromSeconds(30)));
        var looping = await sim.DescribeDeploymentAsync(arn);
        Assert.Equal("IN_PROGRESS", Str(looping["status"]));
        Assert.Equal("SCALE_UP", Str(looping["lifecycleStage"]));
        Assert.Equal("DISABLED", Str(looping["deploymentCircuitBreaker"]!["status"]));
        Assert.Equal("IN_PROGRESS", Str((await sim.DescribeServiceAsync("backend-flask"))["deployments"]![0]!["rolloutState"]));
        await sim.OkAsync("StopServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn });
        await sim.WaitStatusAsync(arn, "ROLLBACK_SUCCESSFUL");

        var rolling = new JsonObject { ["strategy"] = "ROLLING", ["deploymentCircuitBreaker"] = breaker };
        var tripped = await sim.DeployAsync("crash", rolling);
        var rolledBack = await sim.WaitStatusAsync(tripped, "ROLLBACK_SUCCESSFUL");
        var cb = rolledBack["deploymentCircuitBreaker"]!;
        Assert.Equal("TRIGGERED", Str(cb["status"]));
        Assert.True(cb["failureCount"]!.GetValue<int>() >= 3);
        Assert.Equal(3, cb["threshold"]!.GetValue<int>());
        Assert.Equal("ECS deployment circuit breaker: tasks failed to start.", Str(rolledBack["statusReason"]));
        Assert.Equal(Str(looping["sourceServiceRevisions"]![0]!["arn"]), Str(rolledBack["rollback"]!["serviceRevisionArn"]));
        Assert.Null(rolledBack["lifecycleStage"]);
        Assert.Null(rolledBack["lifecycleHookDetails"]);
    }
}
