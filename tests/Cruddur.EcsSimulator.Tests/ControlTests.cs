using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>The /_sim/ control endpoints, scenarios and the command-line start.</summary>
public sealed class ControlTests
{
    private static string Str(JsonNode? n) => n!.GetValue<string>();

    [Fact]
    public async Task Health_calls_and_reset()
    {
        await using var sim = await Sim.StartAsync();
        Assert.Equal("ok", Str((await sim.ControlAsync("/_sim/health"))["status"]));
        await sim.CreateClusterAsync();
        await sim.OkAsync("ListClusters");
        await sim.OkAsync("ListClusters");
        await sim.CallAsync("DescribeServices", new JsonObject { ["cluster"] = "nope", ["services"] = new JsonArray("x") });
        var calls = await sim.ControlAsync("/_sim/calls");
        Assert.Equal(1, calls["CreateCluster"]!.GetValue<int>());
        Assert.Equal(2, calls["ListClusters"]!.GetValue<int>());
        Assert.Equal(1, calls["DescribeServices"]!.GetValue<int>());
        Assert.Equal(3, calls.Count);

        await sim.ControlAsync("/_sim/faults", new { operation = "ListClusters", kind = "Throttling", count = 5 });
        await sim.ControlAsync("/_sim/reset", new { });
        Assert.Empty(await sim.ControlAsync("/_sim/calls"));
        // Reset drops clusters and pending faults.
        Assert.Empty((await sim.OkAsync("ListClusters"))["clusterArns"]!.AsArray());
        await sim.ErrorAsync("DescribeServices", new JsonObject { ["cluster"] = "cruddur", ["services"] = new JsonArray("x") }, "ClusterNotFoundException");
    }

    [Fact]
    public async Task Control_endpoints_reject_bad_bodies()
    {
        await using var sim = await Sim.StartAsync();
        using var http = new HttpClient();
        async Task<HttpStatusCode> Post(string path, string json) =>
            (await http.PostAsync(sim.Url + path, new StringContent(json, Encoding.UTF8, "application/json"))).StatusCode;
        Assert.Equal(HttpStatusCode.BadRequest, await Post("/_sim/scenario", """{"cluster":"c","service":"s","scenario":"on-fire"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, await Post("/_sim/faults", """{"operation":"ListTasks","kind":"Explode","count":1}"""));
        Assert.Equal(HttpStatusCode.BadRequest, await Post("/_sim/time-scale", """{"scale":0}"""));
        Assert.Equal(HttpStatusCode.OK, await Post("/_sim/scenario", """{"cluster":"c","service":"s","scenario":"slow"}"""));
    }

    [Fact]
    public async Task Time_scale_endpoint_changes_the_pacing_of_later_transitions()
    {
        // Start so slow that nothing would happen within the test, then speed up.
        await using var sim = await Sim.StartAsync(timeScale: 1000);
        Assert.Equal(1000, (await sim.ControlAsync("/_sim/time-scale"))["scale"]!.GetValue<double>());
        await sim.ControlAsync("/_sim/time-scale", new { scale = 0.02 });
        Assert.Equal(0.02, (await sim.ControlAsync("/_sim/time-scale"))["scale"]!.GetValue<double>());
        await sim.CreateClusterAsync();
        await sim.CreateServiceAsync("backend-flask", await sim.RegisterAsync());
        await sim.WaitServiceAsync("backend-flask", Sim.Completed, "rollout at the new scale", seconds: 20);
    }

    [Fact]
    public async Task Slow_scenario_takes_several_times_longer_than_healthy()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        var td = await sim.RegisterAsync();
        await sim.ControlAsync("/_sim/scenario", new { cluster = "cruddur", service = "slow-one", scenario = "slow" });
        await sim.CreateServiceAsync("slow-one", td);
        await sim.CreateServiceAsync("fast-one", td);
        await sim.WaitServiceAsync("fast-one", Sim.Completed, "healthy rollout");
        var slow = await sim.DescribeServiceAsync("slow-one");
        Assert.Equal("IN_PROGRESS", Str(slow["deployments"]![0]!["rolloutState"]));
        Assert.Equal(0, slow["runningCount"]!.GetValue<int>());
        await sim.WaitServiceAsync("slow-one", Sim.Completed, "slow rollout");
    }

    [Fact]
    public async Task Tasks_inherit_service_tags_and_managed_tags()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        await sim.RegisterAsync();
        var svcJson = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "service-backend-flask.json")))!;
        svcJson["tags"] = new JsonArray(new JsonObject { ["key"] = "app", ["value"] = "cruddur" });
        await sim.OkAsync("CreateService", svcJson);
        var ok = await Poll.UntilAsync(async () =>
            (await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask" })).Count == 1, TimeSpan.FromSeconds(10));
        Assert.True(ok);
        var arn = (await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask" })).Single();
        var res = await sim.OkAsync("DescribeTasks", new JsonObject { ["cluster"] = "cruddur", ["tasks"] = new JsonArray(arn), ["include"] = new JsonArray("TAGS") });
        var tags = res["tasks"]![0]!["tags"]!.AsArray().ToDictionary(t => Str(t!["key"]), t => Str(t!["value"]));
        Assert.Equal("cruddur", tags["app"]);
        Assert.Equal("cruddur", tags["aws:ecs:clusterName"]);
        Assert.Equal("backend-flask", tags["aws:ecs:serviceName"]);
        var svc = await sim.WaitServiceAsync("backend-flask", Sim.Completed, "rollout");
        Assert.Contains("(service backend-flask) registered 1 targets in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cruddur-backend-flask-tg/87ed2a3daf2d2b1d)", Sim.Events(svc));
    }

    [Fact]
    public async Task Starts_as_a_process_prints_the_listening_line_and_honours_the_time_scale_environment_variable()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Cruddur.EcsSimulator.dll");
        Assert.True(File.Exists(dll), dll);
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{port}" })
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["ECS_SIM_TIME_SCALE"] = "0.5";
        using var p = Process.Start(psi)!;
        var output = new StringBuilder();
        var listening = new TaskCompletionSource();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (output)
            {
                output.AppendLine(e.Data);
            }
            if (e.Data.Contains($"Now listening on: http://127.0.0.1:{port}", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            var finished = await Task.WhenAny(listening.Task, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.True(finished == listening.Task, "no listening line: " + output);
            using var http = new HttpClient();
            var scale = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/_sim/time-scale"))!["scale"]!.GetValue<double>();
            Assert.Equal(0.5, scale);
            await http.PostAsync($"http://127.0.0.1:{port}/_sim/reset", null);
            string text;
            lock (output)
            {
                text = output.ToString();
            }
            // Terse: only the host lifetime lines, nothing per request.
            Assert.DoesNotContain("Request starting", text);
        }
        finally
        {
            p.Kill();
            await p.WaitForExitAsync();
        }
    }
}
