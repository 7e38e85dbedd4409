using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cruddur.EcsSimulator;
using Microsoft.AspNetCore.Builder;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>A simulator started in-process on a free loopback port (Kestrel, port 0), plus a raw JSON 1.1 client.</summary>
public sealed class Sim : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private Sim(WebApplication app, string url)
    {
        _app = app;
        Url = url;
        Port = new Uri(url).Port;
    }

    public string Url { get; }
    public int Port { get; }

    public static async Task<Sim> StartAsync(double timeScale = 0.02, params string[] args)
    {
        var app = SimulatorHost.Build(["--urls", "http://127.0.0.1:0", "--time-scale", timeScale.ToString(CultureInfo.InvariantCulture), .. args]);
        await app.StartAsync();
        var url = app.Urls.Single();
        return new Sim(app, url.TrimEnd('/'));
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async Task<(HttpStatusCode Status, JsonObject Body)> CallAsync(string operation, JsonObject? body = null, string region = "us-east-1")
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, Url + "/");
        req.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerServiceV20141113." + operation);
        req.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00");
        req.Content = new StringContent((body ?? []).ToJsonString(), Encoding.UTF8);
        req.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        using var res = await _http.SendAsync(req);
        var text = await res.Content.ReadAsStringAsync();
        return (res.StatusCode, JsonNode.Parse(text) as JsonObject ?? throw new InvalidOperationException("Not a JSON object: " + text));
    }

    public async Task<JsonObject> OkAsync(string operation, JsonObject? body = null, string region = "us-east-1")
    {
        var (status, res) = await CallAsync(operation, body, region);
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{operation} failed: {(int)status} {res.ToJsonString()}");
        }
        return res;
    }

    public async Task<JsonObject> ErrorAsync(string operation, JsonObject? body, string expectedType, HttpStatusCode expectedStatus = HttpStatusCode.BadRequest)
    {
        var (status, res) = await CallAsync(operation, body);
        Assert.Equal(expectedStatus, status);
        Assert.Equal(expectedType, res["__type"]?.GetValue<string>());
        return res;
    }

    public async Task<JsonObject> ControlAsync(string path, object? body = null)
    {
        using var res = body is null
            ? await _http.GetAsync(Url + path)
            : await _http.PostAsync(Url + path, new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.IsSuccessStatusCode, $"{path}: {(int)res.StatusCode} {text}");
        return JsonNode.Parse(text) as JsonObject ?? [];
    }

    public async Task<int> CallCountAsync(string operation)
    {
        var calls = await ControlAsync("/_sim/calls");
        return calls[operation]?.GetValue<int>() ?? 0;
    }

    // ------------------------------------------------------------------ scenario setup

    public static JsonObject SeedTaskDefinition(string? scenario = null, string family = "backend-flask")
    {
        var td = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "backend-flask.json")))!;
        td["family"] = family;
        if (scenario is not null)
        {
            var env = (JsonArray)td["containerDefinitions"]![1]!["environment"]!;
            env.Add(new JsonObject { ["name"] = "CRUDDUR_SIM_SCENARIO", ["value"] = scenario });
        }
        return td;
    }

    public async Task<string> RegisterAsync(string? scenario = null, string family = "backend-flask") =>
        (await OkAsync("RegisterTaskDefinition", SeedTaskDefinition(scenario, family)))["taskDefinition"]!["taskDefinitionArn"]!.GetValue<string>();

    public async Task CreateClusterAsync(string cluster = "cruddur") =>
        await OkAsync("CreateCluster", new JsonObject { ["clusterName"] = cluster });

    public async Task<JsonObject> CreateServiceAsync(string service, string taskDefinition, int desired = 1, bool exec = false,
        bool circuitBreaker = false, bool rollback = false, string cluster = "cruddur")
    {
        var res = await OkAsync("CreateService", new JsonObject
        {
            ["cluster"] = cluster,
            ["serviceName"] = service,
            ["taskDefinition"] = taskDefinition,
            ["desiredCount"] = desired,
            ["launchType"] = "FARGATE",
            ["enableExecuteCommand"] = exec,
            ["networkConfiguration"] = new JsonObject
            {
                ["awsvpcConfiguration"] = new JsonObject { ["subnets"] = new JsonArray("subnet-1"), ["securityGroups"] = new JsonArray("sg-1") },
            },
            ["deploymentConfiguration"] = new JsonObject
            {
                ["deploymentCircuitBreaker"] = new JsonObject { ["enable"] = circuitBreaker, ["rollback"] = rollback },
            },
        });
        return (JsonObject)res["service"]!;
    }

    public async Task<JsonObject> DescribeServiceAsync(string service, string cluster = "cruddur")
    {
        var res = await OkAsync("DescribeServices", new JsonObject { ["cluster"] = cluster, ["services"] = new JsonArray(service) });
        return (JsonObject)res["services"]![0]!;
    }

    public async Task<JsonObject> DescribeTaskAsync(string taskArn, string cluster = "cruddur")
    {
        var res = await OkAsync("DescribeTasks", new JsonObject { ["cluster"] = cluster, ["tasks"] = new JsonArray(taskArn) });
        return (JsonObject)res["tasks"]![0]!;
    }

    public async Task<List<string>> ListTasksAsync(JsonObject filter)
    {
        var res = await OkAsync("ListTasks", filter);
        return res["taskArns"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
    }

    /// <summary>Polls DescribeServices until the predicate holds; returns the matching service.</summary>
    public async Task<JsonObject> WaitServiceAsync(string service, Func<JsonObject, bool> predicate, string what, double seconds = 30, string cluster = "cruddur")
    {
        JsonObject? last = null;
        var ok = await Poll.UntilAsync(async () =>
        {
            last = await DescribeServiceAsync(service, cluster);
            return predicate(last);
        }, TimeSpan.FromSeconds(seconds));
        Assert.True(ok, $"Timed out waiting for {what}; last state: {last?.ToJsonString()}");
        return last!;
    }

    public static bool Completed(JsonObject svc) =>
        svc["deployments"]!.AsArray().Count == 1 && svc["deployments"]![0]!["rolloutState"]!.GetValue<string>() == "COMPLETED";

    public static List<string> Events(JsonObject svc) =>
        svc["events"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()).ToList();
}

public static class Poll
{
    /// <summary>Re-checks a condition every 20 ms until it holds or the deadline passes.</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(20);
        }
        return await condition();
    }
}

/// <summary>Runs the machine's aws CLI against the simulator with test credentials and isolated config.</summary>
public static class AwsCli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonObject Json => JsonNode.Parse(Stdout) as JsonObject ?? throw new InvalidOperationException("stdout is not JSON: " + Stdout);
    }

    public static ProcessStartInfo StartInfo(Sim sim, params string[] args)
    {
        var psi = new ProcessStartInfo("aws")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var a in new[] { "--endpoint-url", sim.Url, "--region", "us-east-1", "--output", "json" })
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["AWS_ACCESS_KEY_ID"] = "testing";
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = "testing";
        psi.Environment.Remove("AWS_SESSION_TOKEN");
        psi.Environment.Remove("AWS_PROFILE");
        psi.Environment["AWS_CONFIG_FILE"] = "/nonexistent/aws-config";
        psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials";
        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        psi.Environment["AWS_PAGER"] = "";
        return psi;
    }

    public static async Task<Result> RunAsync(Sim sim, params string[] args)
    {
        using var p = Process.Start(StartInfo(sim, args)) ?? throw new InvalidOperationException("could not start aws");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(cts.Token);
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    public static async Task<JsonObject> OkAsync(Sim sim, params string[] args)
    {
        var r = await RunAsync(sim, args);
        Assert.True(r.ExitCode == 0, $"aws {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}");
        return r.Json;
    }
}
