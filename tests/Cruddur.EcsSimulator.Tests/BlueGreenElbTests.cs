using System.Text.Json.Nodes;
using static Cruddur.EcsSimulator.Tests.Releases;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>Blue/green traffic shifting against a real ELBv2 API (moto): the simulator writes the listener rules'
/// weights with ModifyRule and registers green tasks in the alternate target group.</summary>
public sealed class BlueGreenElbTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private Task<Sim> StartAsync() => Sim.StartAsync(0.02, "--elbv2-upstream", moto.Url);

    private static Dictionary<string, int> Weights(BlueGreenLb lb, int blue, int green) => new() { [lb.Blue] = blue, [lb.Green] = green };

    private async Task<string> TaskIpAsync(Sim sim, string taskArn) =>
        Str((await sim.DescribeTaskAsync(taskArn))["containers"]![0]!["networkInterfaces"]![0]!["privateIpv4Address"]);

    [Fact]
    public async Task Test_then_production_traffic_moves_to_green_in_the_listener_rules_and_green_registers_in_the_alternate_target_group()
    {
        await using var sim = await StartAsync();
        var lb = await moto.CreateBlueGreenLbAsync();
        await sim.CreateServiceAsync(BlueGreen(), lb.LoadBalancers());
        Assert.Equal(Weights(lb, 1, 0), await moto.WeightsAsync(lb.ProductionRule));
        Assert.Equal(Weights(lb, 1, 0), await moto.WeightsAsync(lb.TestRule!));
        var blueIp = await TaskIpAsync(sim, Assert.Single(await sim.ServiceTasksAsync()));
        Assert.True(await Poll.UntilAsync(async () => (await moto.TargetsAsync(lb.Blue)).Contains(blueIp), TimeSpan.FromSeconds(10)), "blue task not registered in moto");

        var arn = await sim.DeployAsync(deploymentConfiguration: BlueGreen(hooks: [Pause("POST_TEST_TRAFFIC_SHIFT"), Pause("POST_PRODUCTION_TRAFFIC_SHIFT")]));
        var afterTest = await sim.WaitPauseAsync(arn, "POST_TEST_TRAFFIC_SHIFT");
        Assert.Equal(Weights(lb, 0, 1), await moto.WeightsAsync(lb.TestRule!));
        Assert.Equal(Weights(lb, 1, 0), await moto.WeightsAsync(lb.ProductionRule));
        var tasks = await sim.ServiceTasksAsync();
        Assert.Equal(2, tasks.Count);
        var ips = new List<string>();
        foreach (var t in tasks)
        {
            ips.Add(await TaskIpAsync(sim, t));
        }
        var greenIp = ips.Single(ip => ip != blueIp);
        Assert.True(await Poll.UntilAsync(async () => (await moto.TargetsAsync(lb.Green)).Contains(greenIp), TimeSpan.FromSeconds(10)), "green task not registered in the alternate target group");
        Assert.DoesNotContain(greenIp, await moto.TargetsAsync(lb.Blue));

        await sim.ContinueAsync(arn, afterTest);
        var afterProduction = await sim.WaitPauseAsync(arn, "POST_PRODUCTION_TRAFFIC_SHIFT");
        Assert.Equal(Weights(lb, 0, 1), await moto.WeightsAsync(lb.ProductionRule));

        // What an operator sees with the aws CLI through the simulator's ELBv2 endpoint.
        var rules = await AwsCli.OkAsync(sim, "elbv2", "describe-rules", "--rule-arns", lb.ProductionRule);
        var forward = rules["Rules"]![0]!["Actions"]![0]!["ForwardConfig"]!["TargetGroups"]!.AsArray();
        Assert.Equal(1, forward.Single(g => Str(g!["TargetGroupArn"]) == lb.Green)!["Weight"]!.GetValue<int>());
        Assert.Equal(0, forward.Single(g => Str(g!["TargetGroupArn"]) == lb.Blue)!["Weight"]!.GetValue<int>());

        await sim.ContinueAsync(arn, afterProduction);
        await sim.WaitStatusAsync(arn, "SUCCESSFUL");
        Assert.True(await Poll.UntilAsync(async () => (await moto.TargetsAsync(lb.Blue)).Count == 0, TimeSpan.FromSeconds(10)), "blue was not deregistered at clean-up");
        Assert.Equal([greenIp], await moto.TargetsAsync(lb.Green));
    }

    [Fact]
    public async Task Linear_writes_each_step_and_pauses_before_each_one()
    {
        await using var sim = await StartAsync();
        var lb = await moto.CreateBlueGreenLbAsync();
        await sim.CreateServiceAsync(Linear(50, 0), lb.LoadBalancers());
        var arn = await sim.DeployAsync(deploymentConfiguration: Linear(50, 0, [Pause("PRE_PRODUCTION_TRAFFIC_SHIFT")]));

        var first = await sim.WaitPauseAsync(arn, "PRODUCTION_TRAFFIC_SHIFT");
        Assert.Equal(Weights(lb, 1, 0), await moto.WeightsAsync(lb.ProductionRule));
        await sim.ContinueAsync(arn, first);
        var second = await sim.WaitDeploymentAsync(arn, d => d["lifecycleHookDetails"]!.AsArray().Any(h => Str(h!["status"]) == "AWAITING_ACTION" && Str(h["hookId"]) != first), "the second step's pause");
        Assert.Equal(Weights(lb, 500, 500), await moto.WeightsAsync(lb.ProductionRule));
        Assert.Equal(50, second["targetServiceRevision"]!["requestedProductionTrafficWeight"]!.GetValue<double>());
        await sim.ContinueAsync(arn, Str(second["lifecycleHookDetails"]!.AsArray().Single(h => Str(h!["status"]) == "AWAITING_ACTION")!["hookId"]));
        await sim.WaitStatusAsync(arn, "SUCCESSFUL");
        Assert.Equal(Weights(lb, 0, 1), await moto.WeightsAsync(lb.ProductionRule));
    }

    [Fact]
    public async Task A_rollback_during_the_bake_puts_production_and_test_traffic_back_on_blue()
    {
        await using var sim = await StartAsync();
        var lb = await moto.CreateBlueGreenLbAsync();
        await sim.CreateServiceAsync(BlueGreen(bakeMinutes: 60), lb.LoadBalancers());
        var arn = await sim.DeployAsync();
        await sim.WaitDeploymentAsync(arn, d => Str(d["lifecycleStage"]) == "BAKE_TIME", "the bake time");
        Assert.Equal(Weights(lb, 0, 1), await moto.WeightsAsync(lb.ProductionRule));

        await sim.OkAsync("StopServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn, ["stopType"] = "ROLLBACK" });
        await sim.WaitStatusAsync(arn, "ROLLBACK_SUCCESSFUL", seconds: 10);
        Assert.Equal(Weights(lb, 1, 0), await moto.WeightsAsync(lb.ProductionRule));
        Assert.Equal(Weights(lb, 1, 0), await moto.WeightsAsync(lb.TestRule!));
        Assert.True(await Poll.UntilAsync(async () => (await moto.TargetsAsync(lb.Green)).Count == 0, TimeSpan.FromSeconds(10)), "green was not deregistered");
    }

    [Fact]
    public async Task A_listener_rule_that_does_not_forward_to_both_target_groups_rolls_the_deployment_back()
    {
        await using var sim = await StartAsync();
        var lb = await moto.CreateBlueGreenLbAsync();
        await sim.CreateServiceAsync(BlueGreen(), lb.LoadBalancers());
        await moto.Elbv2Async(new()
        {
            ["Action"] = "ModifyRule", ["RuleArn"] = lb.TestRule!,
            ["Actions.member.1.Type"] = "forward", ["Actions.member.1.TargetGroupArn"] = lb.Blue,
        });
        var arn = await sim.DeployAsync();
        var done = await sim.WaitStatusAsync(arn, "ROLLBACK_SUCCESSFUL");
        Assert.Equal(TrafficShifter.AssociationMessage, Str(done["statusReason"]));
        Assert.Equal("TEST_TRAFFIC_SHIFT", (await sim.StagesAsync(arn)).Last(s => !s.StartsWith("rollback:", StringComparison.Ordinal)).Split('@')[0]);
    }
}
