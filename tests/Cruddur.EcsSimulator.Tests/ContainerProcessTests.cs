using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>
/// A task definition's own entryPoint/command runs as a real process: exits, health checks, dependsOn and stopping follow
/// ECS's rules, with real programs (sh one-liners) rather than scenario flags.
/// </summary>
public sealed class ContainerProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "cruddur-sim-proc-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static JsonObject Container(string name, string? shell = null, bool essential = true, JsonObject? healthCheck = null,
        JsonArray? dependsOn = null, int? stopTimeout = null, string? workingDirectory = null, params (string Name, string Value)[] env)
    {
        var c = new JsonObject { ["name"] = name, ["image"] = $"registry.local/{name}:1", ["essential"] = essential, ["memory"] = 128 };
        if (shell is not null)
        {
            c["entryPoint"] = new JsonArray("sh", "-c");
            c["command"] = new JsonArray(shell);
        }
        if (healthCheck is not null)
        {
            c["healthCheck"] = healthCheck;
        }
        if (dependsOn is not null)
        {
            c["dependsOn"] = dependsOn;
        }
        if (stopTimeout is not null)
        {
            c["stopTimeout"] = stopTimeout;
        }
        if (workingDirectory is not null)
        {
            c["workingDirectory"] = workingDirectory;
        }
        c["environment"] = new JsonArray(env.Select(e => (JsonNode)new JsonObject { ["name"] = e.Name, ["value"] = e.Value }).ToArray());
        return c;
    }

    private static JsonObject Check(string shell, int interval = 5, int retries = 2, int? startPeriod = null)
    {
        var check = new JsonObject { ["command"] = new JsonArray("CMD-SHELL", shell), ["interval"] = interval, ["timeout"] = 5, ["retries"] = retries };
        if (startPeriod is not null)
        {
            check["startPeriod"] = startPeriod;
        }
        return check;
    }

    private static async Task<string> RegisterAsync(Sim sim, params JsonObject[] containers)
    {
        await sim.CreateClusterAsync();
        var td = await sim.OkAsync("RegisterTaskDefinition", new JsonObject
        {
            ["family"] = "app", ["networkMode"] = "awsvpc", ["requiresCompatibilities"] = new JsonArray("FARGATE"),
            ["cpu"] = "256", ["memory"] = "512", ["containerDefinitions"] = new JsonArray(containers.Select(c => (JsonNode)c).ToArray()),
        });
        return td["taskDefinition"]!["taskDefinitionArn"]!.GetValue<string>();
    }

    private static async Task<JsonObject> RunTaskAsync(Sim sim, string td)
    {
        var run = await sim.OkAsync("RunTask", new JsonObject { ["cluster"] = "cruddur", ["taskDefinition"] = td, ["launchType"] = "FARGATE" });
        return (JsonObject)run["tasks"]![0]!;
    }

    private static async Task<JsonObject> WaitTaskAsync(Sim sim, string arn, Func<JsonObject, bool> predicate, string what, double seconds = 20)
    {
        JsonObject? last = null;
        var ok = await Poll.UntilAsync(async () => predicate(last = await sim.DescribeTaskAsync(arn)), TimeSpan.FromSeconds(seconds));
        Assert.True(ok, $"Timed out waiting for {what}; last: {last?.ToJsonString()}");
        return last!;
    }

    private static JsonObject ContainerOf(JsonObject task, string name) =>
        task["containers"]!.AsArray().OfType<JsonObject>().Single(c => c["name"]!.GetValue<string>() == name);

    private static string Str(JsonNode? n) => n?.GetValue<string>() ?? "";

    private static async Task<List<JsonObject>> StoppedTasksAsync(Sim sim, string service)
    {
        var arns = await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = service, ["desiredStatus"] = "STOPPED" });
        return arns.Count == 0 ? [] : (await sim.OkAsync("DescribeTasks", new JsonObject { ["cluster"] = "cruddur", ["tasks"] = Arr(arns) }))["tasks"]!.AsArray().OfType<JsonObject>().ToList();
    }

    /// <summary>The first of the service's tasks that has reached STOPPED.</summary>
    private static async Task<JsonObject> FirstStoppedAsync(Sim sim, string service)
    {
        JsonObject? found = null;
        Assert.True(await Poll.UntilAsync(async () => (found = (await StoppedTasksAsync(sim, service)).FirstOrDefault(t => Str(t["lastStatus"]) == "STOPPED")) is not null,
            TimeSpan.FromSeconds(20)), "no task of the service reached STOPPED");
        return found!;
    }

    private static JsonArray Arr(IEnumerable<string> items) => new(items.Select(i => (JsonNode)i).ToArray());

    [Fact]
    public async Task An_essential_command_that_exits_stops_the_task_with_ECSs_texts_and_the_service_replaces_it()
    {
        await using var sim = await Sim.StartAsync();
        var td = await RegisterAsync(sim, Container("web", "echo boom: no DATABASE_URL >&2; exit 3"));
        await sim.CreateServiceAsync("web", td);

        var svc = await sim.WaitServiceAsync("web", s => s["deployments"]![0]!["failedTasks"]!.GetValue<int>() >= 2, "two failed tasks");
        var task = await FirstStoppedAsync(sim, "web");

        Assert.Equal("EssentialContainerExited", Str(task["stopCode"]));
        Assert.Equal("Essential container in task exited", Str(task["stoppedReason"]));
        Assert.Equal(3, ContainerOf(task, "web")["exitCode"]!.GetValue<int>());
        Assert.Equal("STOPPED", Str(ContainerOf(task, "web")["lastStatus"]));
        Assert.Contains(Sim.Events(svc), e => e.Contains("has started 1 tasks", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_container_without_entryPoint_or_command_runs_the_stand_in_and_keeps_running()
    {
        await using var sim = await Sim.StartAsync();
        var td = await RegisterAsync(sim, Container("web"));
        await sim.CreateServiceAsync("web", td);

        await sim.WaitServiceAsync("web", Sim.Completed, "the rollout to complete");
        await Task.Delay(300); // several simulated seconds: nothing exits
        var svc = await sim.DescribeServiceAsync("web");
        Assert.Equal(1, svc["runningCount"]!.GetValue<int>());
        Assert.Empty(await StoppedTasksAsync(sim, "web"));
    }

    [Fact]
    public async Task A_non_essential_sidecar_that_exits_is_recorded_and_the_task_runs_on()
    {
        await using var sim = await Sim.StartAsync();
        var td = await RegisterAsync(sim, Container("web", "sleep 60"), Container("migrate", "echo migrated; exit 0", essential: false));
        var arn = Str((await RunTaskAsync(sim, td))["taskArn"]);

        var task = await WaitTaskAsync(sim, arn, t => Str(ContainerOf(t, "migrate")["lastStatus"]) == "STOPPED", "the sidecar to exit");

        Assert.Equal(0, ContainerOf(task, "migrate")["exitCode"]!.GetValue<int>());
        Assert.Equal("RUNNING", Str(task["lastStatus"]));
        Assert.Equal("RUNNING", Str(ContainerOf(task, "web")["lastStatus"]));
        Assert.Null(task["stopCode"]);
    }

    [Fact]
    public async Task The_command_gets_the_environment_and_workingDirectory_and_runs_for_the_task_once_it_is_started()
    {
        await using var sim = await Sim.StartAsync();
        var td = await RegisterAsync(sim, Container("web", "date +%s.%N > started; echo \"$GREETING $(pwd)\" > seen; sleep 60",
            workingDirectory: _dir, env: ("GREETING", "hello")));
        var arn = Str((await RunTaskAsync(sim, td))["taskArn"]);

        var task = await WaitTaskAsync(sim, arn, t => Str(t["lastStatus"]) == "RUNNING", "RUNNING");
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(_dir, "seen"))), TimeSpan.FromSeconds(10)), "the command never ran");

        Assert.Equal($"hello {_dir}", File.ReadAllText(Path.Combine(_dir, "seen")).Trim());
        var started = double.Parse(File.ReadAllText(Path.Combine(_dir, "started")).Trim(), CultureInfo.InvariantCulture);
        // Both wall-clock epoch seconds, as the simulator's timestamps are: the command ran for this task, not before it
        // existed. How soon after RUNNING is a speed, for a bench, not a test.
        var created = task["createdAt"]!.GetValue<double>();
        Assert.True(started >= created, $"the command started {created - started:0.000} s before the task was created");
    }

    [Fact]
    public async Task A_failing_health_check_makes_the_container_and_task_UNHEALTHY_and_the_service_replaces_the_task()
    {
        await using var sim = await Sim.StartAsync();
        var td = await RegisterAsync(sim, Container("web", "sleep 60", healthCheck: Check("exit 1")));
        await sim.CreateServiceAsync("web", td);

        var svc = await sim.WaitServiceAsync("web", s => s["deployments"]![0]!["failedTasks"]!.GetValue<int>() >= 1, "a failed task");
        var task = await FirstStoppedAsync(sim, "web");

        Assert.Equal("Task failed container health checks", Str(task["stoppedReason"]));
        Assert.Equal("ServiceSchedulerInitiated", Str(task["stopCode"]));
        Assert.Equal("UNHEALTHY", Str(task["healthStatus"]));
        Assert.Equal("UNHEALTHY", Str(ContainerOf(task, "web")["healthStatus"]));
        Assert.Equal(143, ContainerOf(task, "web")["exitCode"]!.GetValue<int>());
        Assert.Contains(Sim.Events(svc), e => e.EndsWith("failed container health checks.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_passing_CMD_health_check_makes_the_task_HEALTHY_and_the_rollout_complete()
    {
        await using var sim = await Sim.StartAsync();
        var check = new JsonObject { ["command"] = new JsonArray("CMD", "test", "-f", "ready"), ["interval"] = 5, ["retries"] = 1 };
        var td = await RegisterAsync(sim, Container("web", "touch ready; sleep 60", healthCheck: check));
        await sim.CreateServiceAsync("web", td);

        await sim.WaitServiceAsync("web", Sim.Completed, "the rollout to complete");
        var arn = (await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "web" })).Single();
        var task = await sim.DescribeTaskAsync(arn);
        Assert.Equal("HEALTHY", Str(task["healthStatus"]));
        Assert.Equal("HEALTHY", Str(ContainerOf(task, "web")["healthStatus"]));
    }

    [Fact]
    public async Task Failures_inside_startPeriod_do_not_count()
    {
        await using var sim = await Sim.StartAsync();
        // Checks every 0.1 s, one failure is UNHEALTHY; the program is ready after 0.6 s, inside the 2 s start period (100 simulated s).
        var td = await RegisterAsync(sim, Container("web", "sleep 0.6; touch ready; sleep 60", healthCheck: Check("test -f ready", retries: 1, startPeriod: 100)));
        await sim.CreateServiceAsync("web", td);

        await sim.WaitServiceAsync("web", Sim.Completed, "the rollout to complete");
        Assert.Empty(await StoppedTasksAsync(sim, "web"));
    }

    [Fact]
    public async Task Without_startPeriod_the_same_slow_start_is_UNHEALTHY()
    {
        await using var sim = await Sim.StartAsync();
        var td = await RegisterAsync(sim, Container("web", "sleep 0.6; touch ready; sleep 60", healthCheck: Check("test -f ready", retries: 1)));
        await sim.CreateServiceAsync("web", td);

        await sim.WaitServiceAsync("web", s => s["deployments"]![0]!["failedTasks"]!.GetValue<int>() >= 1, "a failed task");
        Assert.Equal("Task failed container health checks", Str((await FirstStoppedAsync(sim, "web"))["stoppedReason"]));
    }

    [Fact]
    public async Task A_container_that_depends_on_SUCCESS_starts_after_the_other_exited_0()
    {
        await using var sim = await Sim.StartAsync();
        var td = await RegisterAsync(sim,
            Container("migrate", "sleep 0.3; touch migrated", essential: false),
            Container("web", "test -f migrated || exit 9; sleep 60", dependsOn: new JsonArray(new JsonObject { ["containerName"] = "migrate", ["condition"] = "SUCCESS" })));
        var arn = Str((await RunTaskAsync(sim, td))["taskArn"]);

        var running = await WaitTaskAsync(sim, arn, t => Str(t["lastStatus"]) == "RUNNING", "RUNNING");
        Assert.Equal("PENDING", Str(ContainerOf(running, "web")["lastStatus"]));
        var task = await WaitTaskAsync(sim, arn, t => Str(ContainerOf(t, "web")["lastStatus"]) == "RUNNING", "web to start");

        Assert.Equal(0, ContainerOf(task, "migrate")["exitCode"]!.GetValue<int>());
        await Task.Delay(200);
        Assert.Equal("RUNNING", Str((await sim.DescribeTaskAsync(arn))["lastStatus"]));
    }

    [Fact]
    public async Task A_container_that_depends_on_HEALTHY_waits_for_the_others_health_check()
    {
        await using var sim = await Sim.StartAsync();
        var td = await RegisterAsync(sim,
            Container("db", "sleep 0.4; touch up; sleep 60", healthCheck: Check("test -f up", retries: 10)),
            Container("web", "test -f up || exit 9; sleep 60", dependsOn: new JsonArray(new JsonObject { ["containerName"] = "db", ["condition"] = "HEALTHY" })));
        var arn = Str((await RunTaskAsync(sim, td))["taskArn"]);

        var task = await WaitTaskAsync(sim, arn, t => Str(ContainerOf(t, "web")["lastStatus"]) == "RUNNING", "web to start");

        Assert.Equal("HEALTHY", Str(ContainerOf(task, "db")["healthStatus"]));
        await Task.Delay(200);
        Assert.Equal("RUNNING", Str((await sim.DescribeTaskAsync(arn))["lastStatus"]));
    }

    [Fact]
    public async Task StopTask_sends_SIGTERM_and_the_exit_code_says_so()
    {
        await using var sim = await Sim.StartAsync();
        var td = await RegisterAsync(sim, Container("web", "sleep 60"));
        var arn = Str((await RunTaskAsync(sim, td))["taskArn"]);
        await WaitTaskAsync(sim, arn, t => Str(t["lastStatus"]) == "RUNNING", "RUNNING");

        await sim.OkAsync("StopTask", new JsonObject { ["cluster"] = "cruddur", ["task"] = arn });
        var task = await WaitTaskAsync(sim, arn, t => Str(t["lastStatus"]) == "STOPPED", "STOPPED");

        Assert.Equal(143, ContainerOf(task, "web")["exitCode"]!.GetValue<int>());
        Assert.Equal("UserInitiated", Str(task["stopCode"]));
    }

    [Fact]
    public async Task A_command_that_ignores_SIGTERM_gets_SIGKILL_after_its_stopTimeout()
    {
        await using var sim = await Sim.StartAsync();
        var td = await RegisterAsync(sim, Container("web", "trap '' TERM; touch trapped; sleep 60", stopTimeout: 20, workingDirectory: _dir));
        var arn = Str((await RunTaskAsync(sim, td))["taskArn"]);
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(_dir, "trapped"))), TimeSpan.FromSeconds(10)), "the trap was never set");

        var clock = Stopwatch.StartNew();
        await sim.OkAsync("StopTask", new JsonObject { ["cluster"] = "cruddur", ["task"] = arn });
        var task = await WaitTaskAsync(sim, arn, t => Str(t["lastStatus"]) == "STOPPED", "STOPPED");

        Assert.Equal(137, ContainerOf(task, "web")["exitCode"]!.GetValue<int>());
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.4), $"SIGKILL came after {clock.Elapsed.TotalSeconds:0.00} s; stopTimeout 20 s is 0.4 s at scale 0.02");
    }

    [Fact]
    public async Task Scaling_in_stops_the_extra_tasks_processes()
    {
        await using var sim = await Sim.StartAsync();
        var td = await RegisterAsync(sim, Container("web", "echo $$ > pid-$(date +%s%N); sleep 60", workingDirectory: _dir));
        await sim.CreateServiceAsync("web", td, desired: 2);
        await sim.WaitServiceAsync("web", s => Sim.Completed(s) && s["runningCount"]!.GetValue<int>() == 2, "two running tasks");
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(Directory.GetFiles(_dir, "pid-*").Length == 2), TimeSpan.FromSeconds(5)));

        await sim.OkAsync("UpdateService", new JsonObject { ["cluster"] = "cruddur", ["service"] = "web", ["desiredCount"] = 1 });
        var task = await FirstStoppedAsync(sim, "web");

        Assert.Equal(143, ContainerOf(task, "web")["exitCode"]!.GetValue<int>());
        Assert.Equal(1, Directory.GetFiles(_dir, "pid-*").Select(f => int.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture)).Count(Alive));
    }

    [Fact]
    public async Task Reset_kills_every_command_of_the_forgotten_tasks()
    {
        await using var sim = await Sim.StartAsync();
        var td = await RegisterAsync(sim, Container("web", "echo $$ > pid; sleep 60", workingDirectory: _dir));
        var arn = Str((await RunTaskAsync(sim, td))["taskArn"]);
        await WaitTaskAsync(sim, arn, t => Str(t["lastStatus"]) == "RUNNING", "RUNNING");
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(_dir, "pid"))), TimeSpan.FromSeconds(5)));
        var pid = int.Parse(File.ReadAllText(Path.Combine(_dir, "pid")).Trim(), CultureInfo.InvariantCulture);

        await sim.ControlAsync("/_sim/reset", new { });

        Assert.True(await Poll.UntilAsync(() => Task.FromResult(!Alive(pid)), TimeSpan.FromSeconds(5)), $"process {pid} outlived the reset");
    }

    [Fact]
    public async Task The_load_balancers_target_follows_the_containers_real_health()
    {
        await using var sim = await Sim.StartAsync();
        const string tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
        var td = await RegisterAsync(sim, Container("web", "sleep 0.3; touch ready-lb; sleep 60", healthCheck: Check("test -f ready-lb", retries: 10), workingDirectory: _dir));
        await sim.OkAsync("CreateService", new JsonObject
        {
            ["cluster"] = "cruddur", ["serviceName"] = "web", ["taskDefinition"] = td, ["desiredCount"] = 1, ["launchType"] = "FARGATE",
            ["networkConfiguration"] = new JsonObject { ["awsvpcConfiguration"] = new JsonObject { ["subnets"] = new JsonArray("subnet-1") } },
            ["loadBalancers"] = new JsonArray(new JsonObject { ["targetGroupArn"] = tg, ["containerName"] = "web", ["containerPort"] = 80 }),
        });

        var states = new List<string>();
        var healthy = await Poll.UntilAsync(async () =>
        {
            var state = await TargetStateAsync(sim, tg);
            if (state is not null && (states.Count == 0 || states[^1] != state))
            {
                states.Add(state);
            }
            return state == "healthy";
        }, TimeSpan.FromSeconds(15));

        Assert.True(healthy, "the target never turned healthy: " + string.Join(" → ", states));
        Assert.Equal("initial", states[0]);
        var arn = (await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "web" })).Single();
        Assert.Equal("HEALTHY", Str((await sim.DescribeTaskAsync(arn))["healthStatus"]));
    }

    private static async Task<string?> TargetStateAsync(Sim sim, string tg)
    {
        using var http = new HttpClient();
        using var req = new HttpRequestMessage(HttpMethod.Post, sim.Url + "/")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Action"] = "DescribeTargetHealth", ["Version"] = "2015-12-01", ["TargetGroupArn"] = tg }),
        };
        req.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=00");
        using var res = await http.SendAsync(req);
        var xml = await res.Content.ReadAsStringAsync();
        var m = System.Text.RegularExpressions.Regex.Match(xml, "<State>([a-z]+)</State>");
        return m.Success ? m.Groups[1].Value : null;
    }

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
}
