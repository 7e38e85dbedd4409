using System.Text.Json.Nodes;
using static Cruddur.EcsSimulator.Tests.Releases;
using static Cruddur.EcsSimulator.Tests.BlueGreenTests;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>Linear and canary deployments over the raw API: production traffic in steps, with bakes between them (a class of its own so that xunit runs it beside the other blue/green tests).</summary>
public sealed class LinearCanaryTests
{
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
}
