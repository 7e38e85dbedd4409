using System.Text.Json.Nodes;
using static Cruddur.EcsSimulator.Tests.Releases;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>Blue/green, linear and canary deployments over the raw API, without a load balancer behind the simulator
/// (listener-rule weights are kept in the simulator; BlueGreenElbTests writes them to moto).</summary>
public sealed class BlueGreenTests
{
    internal static readonly string[] FirstDeploymentStages =
    [
        "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT@100", "POST_TEST_TRAFFIC_SHIFT",
        "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT@100", "POST_PRODUCTION_TRAFFIC_SHIFT", "CLEAN_UP",
    ];

    internal static readonly string[] BlueGreenStages =
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
