using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cruddur.EcsSimulator;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>Behaviours checked over the raw JSON 1.1 protocol.</summary>
public sealed class ApiTests
{
    private static string Str(JsonNode? n) => n!.GetValue<string>();

    [Fact]
    public async Task DescribeServices_with_more_than_10_services_is_InvalidParameterException()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        var names = new JsonArray();
        for (var i = 0; i < 11; i++)
        {
            names.Add($"svc{i}");
        }
        var err = await sim.ErrorAsync("DescribeServices", new JsonObject { ["cluster"] = "cruddur", ["services"] = names.DeepClone() }, "InvalidParameterException");
        Assert.Contains("10", Str(err["message"]));

        names.RemoveAt(10);
        var ok = await sim.OkAsync("DescribeServices", new JsonObject { ["cluster"] = "cruddur", ["services"] = names });
        Assert.Equal(10, ok["failures"]!.AsArray().Count);
    }

    [Fact]
    public async Task DescribeServices_puts_unknown_services_in_failures_with_reason_MISSING()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        await sim.CreateServiceAsync("backend-flask", await sim.RegisterAsync());
        var res = await sim.OkAsync("DescribeServices", new JsonObject { ["cluster"] = "cruddur", ["services"] = new JsonArray("backend-flask", "ghost") });
        Assert.Equal("backend-flask", Str(res["services"]!.AsArray().Single()!["serviceName"]));
        var failure = res["failures"]!.AsArray().Single()!;
        Assert.Equal("arn:aws:ecs:us-east-1:123456789012:service/cruddur/ghost", Str(failure["arn"]));
        Assert.Equal("MISSING", Str(failure["reason"]));

        var err = await sim.ErrorAsync("DescribeServices", new JsonObject { ["cluster"] = "nope", ["services"] = new JsonArray("x") }, "ClusterNotFoundException");
        Assert.Equal("Cluster not found.", Str(err["message"]));
    }

    [Fact]
    public async Task ListTasks_filters_by_service_family_and_desired_status()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        var flask = await sim.RegisterAsync();
        var react = await sim.RegisterAsync(family: "frontend-react-js");
        await sim.CreateServiceAsync("backend-flask", flask, desired: 2);
        await sim.CreateServiceAsync("frontend-react-js", react, desired: 1);
        var run = await sim.OkAsync("RunTask", new JsonObject { ["cluster"] = "cruddur", ["taskDefinition"] = flask, ["startedBy"] = "migration" });
        var standalone = Str(run["tasks"]![0]!["taskArn"]);
        Assert.Equal("family:backend-flask", Str(run["tasks"]![0]!["group"]));

        var flaskTasks = await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask" });
        var reactTasks = await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "frontend-react-js" });
        Assert.Equal(2, flaskTasks.Count);
        Assert.Single(reactTasks);
        Assert.Empty(flaskTasks.Intersect(reactTasks));
        Assert.DoesNotContain(standalone, flaskTasks);

        var byFamily = await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["family"] = "backend-flask" });
        Assert.Equal(flaskTasks.Append(standalone).Order(), byFamily.Order());
        Assert.Equal([standalone], await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["startedBy"] = "migration" }));
        Assert.Equal(4, (await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur" })).Count);
        Assert.Empty(await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["desiredStatus"] = "STOPPED" }));

        await sim.OkAsync("StopTask", new JsonObject { ["cluster"] = "cruddur", ["task"] = standalone, ["reason"] = "done" });
        Assert.Equal([standalone], await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["desiredStatus"] = "STOPPED" }));
        Assert.DoesNotContain(standalone, await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["family"] = "backend-flask" }));
        Assert.Empty(await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "frontend-react-js", ["desiredStatus"] = "STOPPED" }));
        var stopped = await sim.DescribeTaskAsync(standalone);
        Assert.Equal("UserInitiated", Str(stopped["stopCode"]));
        Assert.Equal("done", Str(stopped["stoppedReason"]));

        await sim.ErrorAsync("ListTasks", new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "ghost" }, "ServiceNotFoundException");
    }

    [Fact]
    public async Task Healthy_rollout_moves_tasks_through_their_states_drains_the_old_task_and_words_events_like_ecs()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        var rev1 = await sim.RegisterAsync();
        await sim.CreateServiceAsync("backend-flask", rev1);
        var first = await sim.WaitServiceAsync("backend-flask", Sim.Completed, "first rollout");
        var oldTask = (await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask" })).Single();

        var rev2 = await sim.RegisterAsync();
        var upd = await sim.OkAsync("UpdateService", new JsonObject { ["cluster"] = "cruddur", ["service"] = "backend-flask", ["taskDefinition"] = rev2 });
        var deps = upd["service"]!["deployments"]!.AsArray();
        Assert.Equal(2, deps.Count);
        var newId = Str(deps[0]!["id"]);
        Assert.Matches(new Regex(@"^ecs-svc/\d{19}$"), newId);
        Assert.Equal("PRIMARY", Str(deps[0]!["status"]));
        Assert.Equal("IN_PROGRESS", Str(deps[0]!["rolloutState"]));
        Assert.Equal($"ECS deployment {newId} in progress.", Str(deps[0]!["rolloutStateReason"]));
        Assert.Equal("ACTIVE", Str(deps[1]!["status"]));
        Assert.Equal(Str(first["deployments"]![0]!["id"]), Str(deps[1]!["id"]));

        // Follow the new task through its lifecycle.
        string? newTask = null;
        var statuses = new List<string>();
        var health = new List<string>();
        var oldWhileNewUnhealthy = new List<string>();
        var done = await Poll.UntilAsync(async () =>
        {
            newTask ??= (await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask" })).FirstOrDefault(t => t != oldTask);
            if (newTask is null)
            {
                return false;
            }
            // Both tasks in one call: one snapshot of the simulator, so the old task's state belongs to the new one's.
            var both = (await sim.OkAsync("DescribeTasks", new JsonObject { ["cluster"] = "cruddur", ["tasks"] = new JsonArray(newTask, oldTask) }))["tasks"]!.AsArray();
            var t = both.Single(x => Str(x!["taskArn"]) == newTask)!;
            var old = both.Single(x => Str(x!["taskArn"]) == oldTask)!;
            var st = Str(t["lastStatus"]);
            if (statuses.LastOrDefault() != st)
            {
                statuses.Add(st);
            }
            var h = Str(t["healthStatus"]);
            if (health.LastOrDefault() != h)
            {
                health.Add(h);
            }
            if (st == "RUNNING" && h == "UNKNOWN")
            {
                // Started but not yet healthy: the old task must still be serving (minimumHealthyPercent 100).
                oldWhileNewUnhealthy.Add(Str(old["desiredStatus"]));
            }
            return h == "HEALTHY";
        }, TimeSpan.FromSeconds(30));
        Assert.True(done, $"new task never became HEALTHY: {string.Join(",", statuses)}");
        Assert.Equal(["PROVISIONING", "PENDING", "RUNNING"], statuses);
        Assert.Equal(["UNKNOWN", "HEALTHY"], health);
        Assert.NotEmpty(oldWhileNewUnhealthy);
        Assert.All(oldWhileNewUnhealthy, s => Assert.Equal("RUNNING", s));

        var svc = await sim.WaitServiceAsync("backend-flask", Sim.Completed, "second rollout");
        Assert.Equal(newId, Str(svc["deployments"]![0]!["id"]));
        Assert.Equal($"ECS deployment {newId} completed.", Str(svc["deployments"]![0]!["rolloutStateReason"]));
        Assert.Equal(1, svc["runningCount"]!.GetValue<int>());
        Assert.Equal(0, svc["pendingCount"]!.GetValue<int>());
        Assert.Equal(rev2, Str(svc["taskDefinition"]));

        var nt = await sim.DescribeTaskAsync(newTask!);
        Assert.Matches(new Regex(@"^arn:aws:ecs:us-east-1:123456789012:task/cruddur/[0-9a-f]{32}$"), Str(nt["taskArn"]));
        var taskId = Str(nt["taskArn"]).Split('/')[^1];
        Assert.Equal(newId, Str(nt["startedBy"]));
        Assert.Equal("service:backend-flask", Str(nt["group"]));
        Assert.Equal("1.4.0", Str(nt["platformVersion"]));
        Assert.Equal("FARGATE", Str(nt["launchType"]));
        Assert.Equal(rev2, Str(nt["taskDefinitionArn"]));
        Assert.False(nt["enableExecuteCommand"]!.GetValue<bool>());
        foreach (var k in new[] { "createdAt", "startedAt", "pullStartedAt", "pullStoppedAt" })
        {
            Assert.True(nt[k]!.GetValue<double>() > 1_700_000_000, k);
        }
        var eni = nt["attachments"]![0]!;
        Assert.Equal("ElasticNetworkInterface", Str(eni["type"]));
        var ip = Str(eni["details"]!.AsArray().Single(d => Str(d!["name"]) == "privateIPv4Address")!["value"]);
        Assert.Matches(new Regex(@"^10\.0\.\d{1,3}\.\d{1,3}$"), ip);
        var containers = nt["containers"]!.AsArray();
        Assert.Equal(["xray", "backend-flask"], containers.Select(c => Str(c!["name"])));
        foreach (var c in containers)
        {
            Assert.Matches(new Regex($"^{taskId}-\\d{{10}}$"), Str(c!["runtimeId"]));
            Assert.StartsWith($"arn:aws:ecs:us-east-1:123456789012:container/cruddur/{taskId}/", Str(c["containerArn"]));
            Assert.Equal("RUNNING", Str(c["lastStatus"]));
            Assert.Null(c["managedAgents"]);
        }
        Assert.Equal("HEALTHY", Str(containers[1]!["healthStatus"]));

        var old = await sim.DescribeTaskAsync(oldTask);
        Assert.Equal("STOPPED", Str(old["lastStatus"]));
        Assert.Equal("STOPPED", Str(old["desiredStatus"]));
        Assert.Equal($"Scaling activity initiated by (deployment {newId})", Str(old["stoppedReason"]));
        Assert.Equal("ServiceSchedulerInitiated", Str(old["stopCode"]));
        Assert.True(old["stoppedAt"]!.GetValue<double>() >= old["stoppingAt"]!.GetValue<double>());

        var events = Sim.Events(svc);
        var oldId = oldTask.Split('/')[^1];
        Assert.Equal(
        [
            "(service backend-flask) has reached a steady state.",
            $"(service backend-flask) (deployment {newId}) deployment completed.",
            $"(service backend-flask) has stopped 1 running tasks: (task {oldId}).",
            $"(service backend-flask) has started 1 tasks: (task {taskId}).",
        ], events.Take(4));
        var createdAts = svc["events"]!.AsArray().Select(e => e!["createdAt"]!.GetValue<double>()).ToList();
        Assert.Equal(createdAts.OrderDescending(), createdAts);
        Assert.All(svc["events"]!.AsArray(), e => Assert.False(string.IsNullOrEmpty(Str(e!["id"]))));
    }

    [Fact]
    public async Task Crash_loop_without_circuit_breaker_keeps_replacing_tasks_and_counts_failedTasks_with_exit_code_1()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        await sim.ControlAsync("/_sim/scenario", new { cluster = "cruddur", service = "backend-flask", scenario = "crash" });
        await sim.CreateServiceAsync("backend-flask", await sim.RegisterAsync());

        // The circuit breaker threshold for desiredCount 1 would be 3; without it the loop goes past that.
        var svc = await sim.WaitServiceAsync("backend-flask", s => s["deployments"]![0]!["failedTasks"]!.GetValue<int>() >= 5, "5 failed tasks");
        var dep = svc["deployments"]!.AsArray().Single()!;
        Assert.Equal("IN_PROGRESS", Str(dep["rolloutState"]));

        var stopped = await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask", ["desiredStatus"] = "STOPPED" });
        Assert.True(stopped.Count >= 5);
        var t = await sim.DescribeTaskAsync(stopped[0]);
        Assert.Equal("Essential container in task exited", Str(t["stoppedReason"]));
        Assert.Equal("EssentialContainerExited", Str(t["stopCode"]));
        Assert.Equal(Str(dep["id"]), Str(t["startedBy"]));
        var flask = t["containers"]!.AsArray().Single(c => Str(c!["name"]) == "backend-flask")!;
        Assert.Equal(1, flask["exitCode"]!.GetValue<int>());
        Assert.True(t["startedAt"] is not null, "a crashed task had started");

        var started = Sim.Events(svc).Count(e => e.StartsWith("(service backend-flask) has started 1 tasks: (task ", StringComparison.Ordinal));
        Assert.True(started >= 5, $"only {started} start events");
        Assert.DoesNotContain(Sim.Events(svc), e => e.Contains("steady state", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exit_after_without_health_check_completes_the_rollout_then_crash_loops_which_the_circuit_breaker_ignores()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        await sim.CreateServiceAsync("backend-flask", await sim.RegisterAsync("healthy"), circuitBreaker: true, rollback: true);
        await sim.WaitServiceAsync("backend-flask", Sim.Completed, "rollout of revision 1");
        var td = Sim.SeedTaskDefinition("exit-after:60");
        foreach (var c in td["containerDefinitions"]!.AsArray())
        {
            c!.AsObject().Remove("healthCheck");
        }
        var bad = Str((await sim.OkAsync("RegisterTaskDefinition", td))["taskDefinition"]!["taskDefinitionArn"]);
        await sim.OkAsync("UpdateService", new JsonObject { ["cluster"] = "cruddur", ["service"] = "backend-flask", ["taskDefinition"] = bad });

        // 60 s at scale 0.02 is 1.2 s of running: the rollout completes first, then the tasks exit, past the threshold of 3.
        await sim.WaitServiceAsync("backend-flask", Sim.Completed, "rollout of the exiting revision");
        var svc = await sim.WaitServiceAsync("backend-flask", s => s["deployments"]![0]!["failedTasks"]!.GetValue<int>() >= 3, "3 failed tasks");
        var dep = svc["deployments"]!.AsArray().Single()!;
        Assert.Equal("COMPLETED", Str(dep["rolloutState"]));
        Assert.Equal(bad, Str(dep["taskDefinition"]));
        Assert.DoesNotContain(Sim.Events(svc), e => e.Contains("rolling back", StringComparison.Ordinal));

        var stopped = await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["startedBy"] = Str(dep["id"]), ["desiredStatus"] = "STOPPED" });
        Assert.True(stopped.Count >= 3);
        var t = await sim.DescribeTaskAsync(stopped[0]);
        Assert.Equal("Essential container in task exited", Str(t["stoppedReason"]));
        Assert.Equal("EssentialContainerExited", Str(t["stopCode"]));
        var startedAt = t["startedAt"]!.GetValue<double>();
        Assert.True(t["stoppingAt"]!.GetValue<double>() - startedAt >= 1.1, "the task ran for its 60 scaled seconds first");
        Assert.Equal(1, t["containers"]!.AsArray().Single(c => Str(c!["name"]) == "backend-flask")!["exitCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task Exit_after_with_a_health_check_turns_healthy_then_exits()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        // Healthy 10 scaled seconds after RUNNING, exited 120 after it: the rollout completes in between with room to spare
        // (at 40 it had 0.6 s of real time, and a loaded machine once missed it).
        await sim.CreateServiceAsync("backend-flask", await sim.RegisterAsync("exit-after:120"));

        var svc = await sim.WaitServiceAsync("backend-flask", s => s["deployments"]![0]!["failedTasks"]!.GetValue<int>() >= 1, "1 failed task");
        var stopped = await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask", ["desiredStatus"] = "STOPPED" });
        var t = await sim.DescribeTaskAsync(stopped[0]);
        Assert.Equal("HEALTHY", Str(t["healthStatus"]));
        Assert.Equal("Essential container in task exited", Str(t["stoppedReason"]));
        Assert.Contains(Sim.Events(svc), e => e.Contains("deployment completed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unhealthy_tasks_reach_RUNNING_then_are_stopped_for_failed_health_checks_and_the_circuit_breaker_fails_the_deployment()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        await sim.CreateServiceAsync("backend-flask", await sim.RegisterAsync("unhealthy"), circuitBreaker: true, rollback: false);

        var svc = await sim.WaitServiceAsync("backend-flask", s => Str(s["deployments"]![0]!["rolloutState"]) == "FAILED", "FAILED rollout");
        var dep = svc["deployments"]![0]!;
        Assert.Equal(3, dep["failedTasks"]!.GetValue<int>());
        Assert.Equal("ECS deployment circuit breaker: tasks failed to start.", Str(dep["rolloutStateReason"]));
        Assert.Equal("PRIMARY", Str(dep["status"]));
        var events = Sim.Events(svc);
        Assert.Equal($"(service backend-flask) deployment {Str(dep["id"])} deployment failed: tasks failed to start.", events[0]);
        Assert.Contains(events, e => Regex.IsMatch(e, @"^\(service backend-flask\) \(task [0-9a-f]{32}\) failed container health checks\.$"));

        var stopped = await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask", ["desiredStatus"] = "STOPPED" });
        Assert.Equal(3, stopped.Count);
        var t = await sim.DescribeTaskAsync(stopped[0]);
        Assert.Equal("Task failed container health checks", Str(t["stoppedReason"]));
        Assert.Equal("ServiceSchedulerInitiated", Str(t["stopCode"]));
        Assert.Equal("UNHEALTHY", Str(t["healthStatus"]));
        Assert.True(t["startedAt"] is not null);
        Assert.Empty(await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask" }));
    }

    [Fact]
    public async Task Task_definition_scenario_wins_over_the_control_endpoint_for_its_deployment()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        await sim.ControlAsync("/_sim/scenario", new { cluster = "cruddur", service = "backend-flask", scenario = "crash" });
        await sim.CreateServiceAsync("backend-flask", await sim.RegisterAsync("healthy"));
        var svc = await sim.WaitServiceAsync("backend-flask", Sim.Completed, "rollout of the healthy revision");
        Assert.Equal(0, svc["deployments"]![0]!["failedTasks"]!.GetValue<int>());
    }

    [Fact]
    public async Task ExecuteCommand_returns_a_session_for_a_running_task_with_exec_enabled()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        await sim.CreateServiceAsync("backend-flask", await sim.RegisterAsync(), exec: true);
        await sim.WaitServiceAsync("backend-flask", Sim.Completed, "rollout");
        var taskArn = (await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask" })).Single();
        var task = await sim.DescribeTaskAsync(taskArn);
        Assert.True(task["enableExecuteCommand"]!.GetValue<bool>());
        var flask = task["containers"]!.AsArray().Single(c => Str(c!["name"]) == "backend-flask")!;
        var agent = flask["managedAgents"]!.AsArray().Single()!;
        Assert.Equal("ExecuteCommandAgent", Str(agent["name"]));
        Assert.Equal("RUNNING", Str(agent["lastStatus"]));
        Assert.True(agent["lastStartedAt"]!.GetValue<double>() > 1_700_000_000);

        var res = await sim.OkAsync("ExecuteCommand", new JsonObject
        {
            ["cluster"] = "cruddur", ["task"] = taskArn, ["container"] = "backend-flask", ["command"] = "/bin/bash", ["interactive"] = true,
        });
        Assert.Equal("arn:aws:ecs:us-east-1:123456789012:cluster/cruddur", Str(res["clusterArn"]));
        Assert.Equal(taskArn, Str(res["taskArn"]));
        Assert.Equal("backend-flask", Str(res["containerName"]));
        Assert.Equal(Str(flask["containerArn"]), Str(res["containerArn"]));
        Assert.True(res["interactive"]!.GetValue<bool>());
        var session = res["session"]!;
        var sessionId = Str(session["sessionId"]);
        Assert.False(string.IsNullOrEmpty(sessionId));
        Assert.Equal($"ws://127.0.0.1:{sim.Port}/v1/data-channel/{sessionId}?role=publish_subscribe", Str(session["streamUrl"]));
        Assert.True(Str(session["tokenValue"]).Length >= 32);
        var again = await sim.OkAsync("ExecuteCommand", new JsonObject
        {
            ["cluster"] = "cruddur", ["task"] = taskArn.Split('/')[^1], ["container"] = "backend-flask", ["command"] = "ls", ["interactive"] = true,
        });
        Assert.NotEqual(Str(session["tokenValue"]), Str(again["session"]!["tokenValue"]));
    }

    [Fact]
    public async Task ExecuteCommand_on_a_task_launched_without_exec_fails_until_a_new_deployment_launches_tasks_with_exec()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        await sim.CreateServiceAsync("backend-flask", await sim.RegisterAsync(), exec: false);
        await sim.WaitServiceAsync("backend-flask", Sim.Completed, "rollout");
        var oldTask = (await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask" })).Single();
        JsonObject Exec(string task) => new()
        {
            ["cluster"] = "cruddur", ["task"] = task, ["container"] = "backend-flask", ["command"] = "/bin/sh", ["interactive"] = true,
        };

        var err = await sim.ErrorAsync("ExecuteCommand", Exec(oldTask), "InvalidParameterException");
        Assert.Equal(EcsApi.ExecNotEnabledMessage, Str(err["message"]));
        Assert.StartsWith("The execute command failed because execute command was not enabled when the task was run", EcsApi.ExecNotEnabledMessage);

        // Turning exec on does not change a task that is already running.
        var upd = await sim.OkAsync("UpdateService", new JsonObject { ["cluster"] = "cruddur", ["service"] = "backend-flask", ["enableExecuteCommand"] = true });
        Assert.Single(upd["service"]!["deployments"]!.AsArray());
        Assert.False((await sim.DescribeTaskAsync(oldTask))["enableExecuteCommand"]!.GetValue<bool>());
        await sim.ErrorAsync("ExecuteCommand", Exec(oldTask), "InvalidParameterException");

        await sim.OkAsync("UpdateService", new JsonObject { ["cluster"] = "cruddur", ["service"] = "backend-flask", ["forceNewDeployment"] = true });
        await sim.WaitServiceAsync("backend-flask", Sim.Completed, "forced rollout");
        var newTask = (await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask" })).Single();
        Assert.NotEqual(oldTask, newTask);
        Assert.True((await sim.DescribeTaskAsync(newTask))["enableExecuteCommand"]!.GetValue<bool>());
        await sim.OkAsync("ExecuteCommand", Exec(newTask));

        // The old task is STOPPED now: still refused; an unknown container and a non-interactive call are refused too.
        var stopped = await sim.ErrorAsync("ExecuteCommand", Exec(oldTask), "InvalidParameterException");
        Assert.Equal(EcsApi.ExecNotEnabledMessage, Str(stopped["message"]));
        var bad = Exec(newTask);
        bad["container"] = "nginx";
        await sim.ErrorAsync("ExecuteCommand", bad, "InvalidParameterException");
        var nonInteractive = Exec(newTask);
        nonInteractive["interactive"] = false;
        await sim.ErrorAsync("ExecuteCommand", nonInteractive, "InvalidParameterException");
    }

    [Fact]
    public async Task Injected_throttling_and_server_errors_are_returned_then_calls_succeed()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        await sim.ControlAsync("/_sim/faults", new { operation = "DescribeClusters", kind = "Throttling", count = 2 });
        var body = new JsonObject { ["clusters"] = new JsonArray("cruddur") };
        for (var i = 0; i < 2; i++)
        {
            var err = await sim.ErrorAsync("DescribeClusters", body, "ThrottlingException");
            Assert.Equal("Rate exceeded", Str(err["message"]));
        }
        Assert.Equal("cruddur", Str((await sim.OkAsync("DescribeClusters", body))["clusters"]![0]!["clusterName"]));

        await sim.ControlAsync("/_sim/faults", new { operation = "DescribeClusters", kind = "ServerError", count = 1 });
        await sim.ErrorAsync("DescribeClusters", body, "ServerException", HttpStatusCode.InternalServerError);
        await sim.OkAsync("DescribeClusters", body);
        await sim.ControlAsync("/_sim/faults", new { operation = "DescribeClusters", kind = "AccessDenied", count = 1 });
        var denied = await sim.ErrorAsync("DescribeClusters", body, "AccessDeniedException");
        Assert.Contains("ecs:DescribeClusters", Str(denied["message"]));
        await sim.OkAsync("DescribeClusters", body);
        await sim.OkAsync("ListClusters");
        Assert.Equal(7, await sim.CallCountAsync("DescribeClusters"));
        Assert.Equal(1, await sim.CallCountAsync("ListClusters"));
    }

    [Fact]
    public async Task Unknown_operation_is_UnknownOperationException()
    {
        await using var sim = await Sim.StartAsync();
        await sim.ErrorAsync("DescribeEverything", null, "UnknownOperationException");
    }

    [Fact]
    public async Task Region_comes_from_the_credential_scope()
    {
        await using var sim = await Sim.StartAsync();
        var c = await sim.OkAsync("CreateCluster", new JsonObject { ["clusterName"] = "cruddur" }, region: "eu-west-2");
        Assert.Equal("arn:aws:ecs:eu-west-2:123456789012:cluster/cruddur", Str(c["cluster"]!["clusterArn"]));
        Assert.Empty((await sim.OkAsync("ListClusters"))["clusterArns"]!.AsArray());
        Assert.Single((await sim.OkAsync("ListClusters", null, "eu-west-2"))["clusterArns"]!.AsArray());
    }

    [Fact]
    public async Task Task_definitions_resolve_by_family_revision_and_arn_and_deregistering_makes_them_INACTIVE()
    {
        await using var sim = await Sim.StartAsync();
        var body = Sim.SeedTaskDefinition();
        body["tags"] = new JsonArray(new JsonObject { ["key"] = "app", ["value"] = "cruddur" });
        var r1 = await sim.OkAsync("RegisterTaskDefinition", body);
        Assert.Equal("cruddur", Str(r1["tags"]![0]!["value"]));
        var rev2 = await sim.RegisterAsync();
        await sim.RegisterAsync(family: "frontend-react-js");

        Assert.Equal(rev2, Str((await sim.OkAsync("DescribeTaskDefinition", new JsonObject { ["taskDefinition"] = "backend-flask" }))["taskDefinition"]!["taskDefinitionArn"]));
        var byRev = await sim.OkAsync("DescribeTaskDefinition", new JsonObject { ["taskDefinition"] = "backend-flask:1", ["include"] = new JsonArray("TAGS") });
        Assert.Equal(1, byRev["taskDefinition"]!["revision"]!.GetValue<int>());
        Assert.Equal("app", Str(byRev["tags"]![0]!["key"]));
        Assert.Null((await sim.OkAsync("DescribeTaskDefinition", new JsonObject { ["taskDefinition"] = "backend-flask:1" }))["tags"]);

        var dereg = await sim.OkAsync("DeregisterTaskDefinition", new JsonObject { ["taskDefinition"] = rev2 });
        Assert.Equal("INACTIVE", Str(dereg["taskDefinition"]!["status"]));
        Assert.EndsWith(":1", Str((await sim.OkAsync("DescribeTaskDefinition", new JsonObject { ["taskDefinition"] = "backend-flask" }))["taskDefinition"]!["taskDefinitionArn"]));
        Assert.Equal("INACTIVE", Str((await sim.OkAsync("DescribeTaskDefinition", new JsonObject { ["taskDefinition"] = rev2 }))["taskDefinition"]!["status"]));
        await sim.ErrorAsync("DescribeTaskDefinition", new JsonObject { ["taskDefinition"] = "nope" }, "ClientException");

        static List<string> Arns(JsonObject o) => o["taskDefinitionArns"]!.AsArray().Select(n => n!.GetValue<string>().Split('/')[^1]).ToList();
        Assert.Equal(["backend-flask:1", "frontend-react-js:1"], Arns(await sim.OkAsync("ListTaskDefinitions")));
        Assert.Equal(["backend-flask:1"], Arns(await sim.OkAsync("ListTaskDefinitions", new JsonObject { ["familyPrefix"] = "backend-flask" })));
        Assert.Equal(["backend-flask:2"], Arns(await sim.OkAsync("ListTaskDefinitions", new JsonObject { ["status"] = "INACTIVE" })));
        Assert.Equal(["frontend-react-js:1", "backend-flask:2", "backend-flask:1"],
            Arns(await sim.OkAsync("ListTaskDefinitions", new JsonObject { ["status"] = "ALL", ["sort"] = "DESC" })));

        await sim.CreateClusterAsync();
        await sim.ErrorAsync("CreateService", new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "x", ["taskDefinition"] = rev2, ["desiredCount"] = 1 }, "InvalidParameterException");
    }

    [Fact]
    public async Task Services_update_delete_and_tags()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        var svc = await sim.CreateServiceAsync("backend-flask", await sim.RegisterAsync(), desired: 2);
        var arn = Str(svc["serviceArn"]);
        await sim.ErrorAsync("CreateService", new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask", ["taskDefinition"] = "backend-flask" }, "InvalidParameterException");
        await sim.ErrorAsync("UpdateService", new JsonObject { ["cluster"] = "cruddur", ["service"] = "ghost", ["desiredCount"] = 1 }, "ServiceNotFoundException");
        Assert.Equal([arn], (await sim.OkAsync("ListServices", new JsonObject { ["cluster"] = "cruddur" }))["serviceArns"]!.AsArray().Select(n => n!.GetValue<string>()));

        await sim.OkAsync("TagResource", new JsonObject { ["resourceArn"] = arn, ["tags"] = new JsonArray(new JsonObject { ["key"] = "env", ["value"] = "prod" }, new JsonObject { ["key"] = "team", ["value"] = "a" }) });
        await sim.OkAsync("UntagResource", new JsonObject { ["resourceArn"] = arn, ["tagKeys"] = new JsonArray("team") });
        var tags = (await sim.OkAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = arn }))["tags"]!.AsArray();
        Assert.Equal("env", Str(tags.Single()!["key"]));
        var withTags = await sim.OkAsync("DescribeServices", new JsonObject { ["cluster"] = "cruddur", ["services"] = new JsonArray("backend-flask"), ["include"] = new JsonArray("TAGS") });
        Assert.Equal("prod", Str(withTags["services"]![0]!["tags"]![0]!["value"]));

        await sim.WaitServiceAsync("backend-flask", s => Sim.Completed(s) && s["runningCount"]!.GetValue<int>() == 2, "two running tasks");
        await sim.ErrorAsync("DeleteService", new JsonObject { ["cluster"] = "cruddur", ["service"] = "backend-flask" }, "InvalidParameterException");
        var upd = await sim.OkAsync("UpdateService", new JsonObject { ["cluster"] = "cruddur", ["service"] = "backend-flask", ["desiredCount"] = 1 });
        Assert.Single(upd["service"]!["deployments"]!.AsArray());
        await sim.WaitServiceAsync("backend-flask", s => s["runningCount"]!.GetValue<int>() == 1, "scale-in to 1");
        var del = await sim.OkAsync("DeleteService", new JsonObject { ["cluster"] = "cruddur", ["service"] = "backend-flask", ["force"] = true });
        Assert.Equal("DRAINING", Str(del["service"]!["status"]));
        await sim.ErrorAsync("UpdateService", new JsonObject { ["cluster"] = "cruddur", ["service"] = "backend-flask", ["desiredCount"] = 1 }, "ServiceNotActiveException");
        await sim.WaitServiceAsync("backend-flask", s => Str(s["status"]) == "INACTIVE", "INACTIVE");
        Assert.Empty((await sim.OkAsync("ListServices", new JsonObject { ["cluster"] = "cruddur" }))["serviceArns"]!.AsArray());
        Assert.Empty(await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur" }));
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(6, 3)]
    [InlineData(7, 4)]
    [InlineData(10, 5)]
    [InlineData(399, 200)]
    [InlineData(1000, 200)]
    public void Circuit_breaker_threshold_is_half_the_desired_count_bounded_3_to_200(int desired, int threshold) =>
        Assert.Equal(threshold, SimState.CircuitBreakerThreshold(desired));
}
