using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>RunTask with a command override runs that command as a real process: real exit codes and durations.</summary>
public sealed class OneOffTaskTests
{
    private static async Task<JsonObject> RunAsync(Sim sim, params string[] command)
    {
        await sim.OkAsync("CreateCluster", new JsonObject { ["clusterName"] = "cruddur" });
        await sim.OkAsync("RegisterTaskDefinition", new JsonObject
        {
            ["family"] = "one-off",
            ["containerDefinitions"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "x", ["memory"] = 128 }),
        });
        var run = await sim.OkAsync("RunTask", new JsonObject
        {
            ["cluster"] = "cruddur",
            ["taskDefinition"] = "one-off",
            ["overrides"] = new JsonObject
            {
                ["containerOverrides"] = new JsonArray(new JsonObject
                {
                    ["name"] = "app",
                    ["command"] = new JsonArray(command.Select(c => (JsonNode)c).ToArray()),
                    ["environment"] = new JsonArray(new JsonObject { ["name"] = "CODE", ["value"] = "7" }),
                }),
            },
        });
        var arn = run["tasks"]![0]!["taskArn"]!.GetValue<string>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var task = (await sim.OkAsync("DescribeTasks", new JsonObject { ["cluster"] = "cruddur", ["tasks"] = new JsonArray(arn) }))["tasks"]![0]!.AsObject();
            if (task["lastStatus"]!.GetValue<string>() == "STOPPED")
            {
                return task;
            }
            Assert.True(DateTime.UtcNow < deadline, "the one-off task did not stop");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task The_command_runs_with_the_container_environment_and_its_exit_code_is_the_containers()
    {
        await using var sim = await Sim.StartAsync();
        var task = await RunAsync(sim, "sh", "-c", "sleep 0.3; exit $CODE");

        Assert.Equal(7, task["containers"]![0]!["exitCode"]!.GetValue<int>());
        Assert.Equal("Essential container in task exited", task["stoppedReason"]!.GetValue<string>());
        Assert.Equal("EssentialContainerExited", task["stopCode"]!.GetValue<string>());
        var ran = task["executionStoppedAt"]!.GetValue<double>() - task["startedAt"]!.GetValue<double>();
        Assert.True(ran >= 0.3, $"ran {ran} s, the command sleeps 0.3 s");
    }

    [Fact]
    public async Task A_command_that_is_not_on_PATH_never_starts()
    {
        await using var sim = await Sim.StartAsync();
        var task = await RunAsync(sim, "no-such-program-cruddur");

        Assert.Equal("TaskFailedToStart", task["stopCode"]!.GetValue<string>());
        Assert.StartsWith("CannotStartContainerError:", task["stoppedReason"]!.GetValue<string>());
        Assert.Null(task["startedAt"]);
        Assert.Null(task["containers"]![0]!["exitCode"]);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint signal(int signum, nint handler);

    [Fact]
    public async Task A_command_can_be_interrupted_even_when_the_simulator_was_started_with_SIGINT_ignored()
    {
        // As a background job of a script (CI) the host inherits SIGINT ignored; a container's process never does.
        const int sigInt = 2;
        const nint ignore = 1;
        _ = signal(sigInt, ignore);
        await using var sim = await Sim.StartAsync();
        var task = await RunAsync(sim, "sh", "-c", "kill -INT $$; exit 0");

        Assert.Equal(128 + sigInt, task["containers"]![0]!["exitCode"]!.GetValue<int>());
    }
}
