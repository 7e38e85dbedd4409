using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static Cruddur.EcsSimulator.Tests.AwsCliTests;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>Rolling deployments as the real aws CLI follows them: the services-stable waiter (it polls every 15 s) and a circuit-breaker rollback (a class of its own so that xunit runs it beside AwsCliTests).</summary>
public sealed class AwsCliRolloutTests
{
    [Fact]
    public async Task Cli_services_stable_waiter_is_not_satisfied_during_a_rollout_and_succeeds_after_it()
    {
        // Scale 0.1 with the "slow" scenario: the second rollout takes ~10 s, long enough to observe it in progress.
        await using var sim = await Sim.StartAsync(timeScale: 0.1);
        await sim.CreateClusterAsync();
        var rev1 = await sim.RegisterAsync();
        await sim.CreateServiceAsync("backend-flask", rev1);
        await sim.WaitServiceAsync("backend-flask", Sim.Completed, "first rollout");
        var rev2 = await sim.RegisterAsync("slow");
        await sim.OkAsync("UpdateService", new JsonObject { ["cluster"] = "cruddur", ["service"] = "backend-flask", ["taskDefinition"] = rev2 });
        var before = await sim.CallCountAsync("DescribeServices");

        using var waiter = Process.Start(AwsCli.StartInfo(sim, "ecs", "wait", "services-stable", "--cluster", "cruddur", "--services", "backend-flask"))!;
        try
        {
            Assert.True(await Poll.UntilAsync(async () => await sim.CallCountAsync("DescribeServices") > before, TimeSpan.FromSeconds(30)),
                "the waiter never called DescribeServices");
            var during = await sim.DescribeServiceAsync("backend-flask");
            Assert.Equal(2, during["deployments"]!.AsArray().Count);
            Assert.Equal("IN_PROGRESS", during["deployments"]![0]!["rolloutState"]!.GetValue<string>());
            // A satisfied waiter exits right after its first poll; this one must still be waiting (its next poll is 15 s away).
            Assert.False(waiter.WaitForExit(2000), "services-stable returned while the rollout was in progress");
        }
        finally
        {
            if (!waiter.HasExited)
            {
                waiter.Kill();
            }
        }

        var done = await sim.WaitServiceAsync("backend-flask", Sim.Completed, "second rollout");
        Assert.Equal(rev2, done["taskDefinition"]!.GetValue<string>());
        var sw = Stopwatch.StartNew();
        var r = await AwsCli.RunAsync(sim, "ecs", "wait", "services-stable", "--cluster", "cruddur", "--services", "backend-flask");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(14), $"waiter needed a second poll ({sw.Elapsed})");
    }

    [Fact]
    public async Task Cli_circuit_breaker_rollback_shows_the_failed_deployment_then_a_different_rollback_deployment()
    {
        await using var sim = await Sim.StartAsync();
        await AwsCli.OkAsync(sim, "ecs", "create-cluster", "--cluster-name", "cruddur");
        await AwsCli.OkAsync(sim, "ecs", "register-task-definition", "--cli-input-json", "file://" + Fixture("backend-flask.json"));
        await AwsCli.OkAsync(sim, "ecs", "create-service", "--cluster", "cruddur", "--service-name", "backend-flask",
            "--task-definition", "backend-flask", "--desired-count", "1", "--launch-type", "FARGATE",
            "--network-configuration", "awsvpcConfiguration={subnets=[subnet-1],securityGroups=[sg-1]}",
            "--deployment-configuration", "deploymentCircuitBreaker={enable=true,rollback=true},maximumPercent=200,minimumHealthyPercent=100");
        var stable = await AwsCli.RunAsync(sim, "ecs", "wait", "services-stable", "--cluster", "cruddur", "--services", "backend-flask");
        Assert.True(stable.ExitCode == 0, stable.Stderr);
        var first = await sim.WaitServiceAsync("backend-flask", Sim.Completed, "first rollout");
        var goodId = first["deployments"]![0]!["id"]!.GetValue<string>();

        var bad = Sim.SeedTaskDefinition("crash");
        var badFile = Path.Combine(Path.GetTempPath(), $"bad-td-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(badFile, bad.ToJsonString());
        try
        {
            var reg = await AwsCli.OkAsync(sim, "ecs", "register-task-definition", "--cli-input-json", "file://" + badFile);
            Assert.Equal(2, reg["taskDefinition"]!["revision"]!.GetValue<int>());
        }
        finally
        {
            File.Delete(badFile);
        }
        var upd = await AwsCli.OkAsync(sim, "ecs", "update-service", "--cluster", "cruddur", "--service", "backend-flask", "--task-definition", "backend-flask:2");
        var badId = upd["service"]!["deployments"]![0]!["id"]!.GetValue<string>();
        Assert.NotEqual(goodId, badId);

        var failedSeen = await sim.WaitServiceAsync("backend-flask",
            s => s["deployments"]!.AsArray().Any(d => d!["rolloutState"]!.GetValue<string>() == "FAILED"), "the FAILED deployment");
        var deps = failedSeen["deployments"]!.AsArray();
        var failed = deps.Single(d => d!["rolloutState"]!.GetValue<string>() == "FAILED")!;
        Assert.Equal(badId, failed["id"]!.GetValue<string>());
        Assert.Equal("ACTIVE", failed["status"]!.GetValue<string>());
        Assert.Equal("ECS deployment circuit breaker: tasks failed to start.", failed["rolloutStateReason"]!.GetValue<string>());
        Assert.True(failed["failedTasks"]!.GetValue<int>() >= 3);
        var rollback = deps[0]!;
        var rollbackId = rollback["id"]!.GetValue<string>();
        Assert.Equal("PRIMARY", rollback["status"]!.GetValue<string>());
        Assert.NotEqual(badId, rollbackId);
        Assert.NotEqual(goodId, rollbackId);
        Assert.EndsWith("task-definition/backend-flask:1", rollback["taskDefinition"]!.GetValue<string>());
        Assert.Equal($"ECS deployment circuit breaker: rolling back to deploymentId {goodId}.", rollback["rolloutStateReason"]!.GetValue<string>());

        await sim.WaitServiceAsync("backend-flask", Sim.Completed, "the rollback to finish");
        var final = (await AwsCli.OkAsync(sim, "ecs", "describe-services", "--cluster", "cruddur", "--services", "backend-flask"))["services"]![0]!.AsObject();
        Assert.Equal(rollbackId, final["deployments"]![0]!["id"]!.GetValue<string>());
        Assert.EndsWith("task-definition/backend-flask:1", final["taskDefinition"]!.GetValue<string>());
        var events = Sim.Events(final);
        Assert.Contains($"(service backend-flask) deployment {badId} deployment failed: tasks failed to start.", events);
        Assert.Contains($"(service backend-flask) rolling back to deployment {goodId}.", events);
        Assert.Equal("(service backend-flask) has reached a steady state.", events[0]);
        Assert.Equal($"(service backend-flask) (deployment {rollbackId}) deployment completed.", events[1]);
    }
}
