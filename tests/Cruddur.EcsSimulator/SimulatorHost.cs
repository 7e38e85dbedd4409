using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cruddur.EcsSimulator;

/// <summary>Builds the simulator web app: the ECS JSON 1.1 endpoint on POST / and the /_sim/ control endpoints.</summary>
public static partial class SimulatorHost
{
    public const string TargetPrefix = "AmazonEC2ContainerServiceV20141113.";
    public const string DefaultRegion = "us-east-1";

    [GeneratedRegex(@"Credential=[^/]+/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")]
    private static partial Regex CredentialScope();

    [DllImport("libc", SetLastError = true)]
    private static extern nint signal(int signum, nint handler);

    // A container's processes start with the default handling of every signal. A host started in the background without
    // job control (CI, `command &` in a script) inherits SIGINT and SIGQUIT ignored and would hand that on to every task
    // and exec session, where Ctrl+C must stop the remote command as it does in a container. Only an ignored signal is
    // reset: a handled one is .NET's own (Ctrl+C's graceful stop, the test process's Console.CancelKeyPress) and stays.
    private static void RestoreDefaultSignalHandling()
    {
        const int sigInt = 2, sigQuit = 3;
        const nint sigDefault = 0;
        // Where /proc cannot say what is ignored, both are reset as before.
        var status = OperatingSystem.IsLinux() ? File.ReadAllLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) : null;
        var ignored = status is null ? ulong.MaxValue : ulong.Parse(status[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        foreach (var signum in new[] { sigInt, sigQuit }.Where(s => (ignored & (1UL << (s - 1))) != 0))
        {
            _ = signal(signum, sigDefault);
        }
    }

    public static double ResolveTimeScale(IConfiguration config)
    {
        var raw = config["time-scale"] ?? Environment.GetEnvironmentVariable("ECS_SIM_TIME_SCALE");
        if (raw is null)
        {
            return 1.0;
        }
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v <= 0)
        {
            throw new ArgumentException($"Invalid time scale '{raw}': a positive number is required.");
        }
        return v;
    }

    public static WebApplication Build(string[] args)
    {
        RestoreDefaultSignalHandling();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        var state = new SimState(ResolveTimeScale(builder.Configuration));
        var logsEndpoint = LogsWriter.ResolveEndpoint(builder.Configuration);
        var logs = logsEndpoint is null ? null : new LogsWriter(logsEndpoint);
        state.Runtime = new TaskRuntime(state, logs);
        state.Launch = LaunchChecks.Of(builder.Configuration);
        builder.Services.AddSingleton(state);
        builder.Services.AddHostedService<Ticker>();
        var hub = new DataChannelHub(Path.Combine(Path.GetTempPath(), $"cruddur-ecs-sim-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        builder.Services.AddSingleton(hub);
        builder.Services.AddHostedService<TargetRegistrar>();
        builder.Services.AddHostedService<TrafficShifter>();
        var app = builder.Build();
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            lock (state.Gate)
            {
                state.Runtime.Reset(); // no one-off command outlives the simulator
            }
            logs?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
        });
        var api = new EcsApi(state, hub);
        // --ecs-quotas true: ECS's API quotas are enforced (off by default: most tests are about other things).
        var quotas = builder.Configuration["ecs-quotas"] is "true" ? new ApiQuotas(state.TimeScale) : null;
        app.Lifetime.ApplicationStopped.Register(hub.DeleteScratch);
        var elbv2Upstream = builder.Configuration["elbv2-upstream"] is { Length: > 0 } u ? new Uri(u) : null;
        state.Elbv2Upstream = elbv2Upstream;

        app.UseWebSockets();
        // One endpoint, routed like moto by the credential scope's service: ECS, or the small ELBv2 stand-in.
        app.MapPost("/", (HttpContext ctx) => CredentialScope().Match(ctx.Request.Headers.Authorization.ToString()) is { Success: true } m && m.Groups[2].Value == Elbv2Front.SigningName
            ? Elbv2Front.HandleAsync(ctx, state, m.Groups[1].Value, elbv2Upstream)
            : HandleEcs(ctx, state, api, quotas));
        app.MapGet("/_sim/quotas", () =>
        {
            lock (state.Gate)
            {
                return Results.Json(new { enforced = quotas is not null, throttled = quotas?.Throttled ?? [], buckets = ApiQuotas.Documented });
            }
        });
        MapControl(app, state, hub);
        TargetHealthControl.Map(app, state);
        MapDeploymentControl(app, state);
        hub.Map(app);
        return app;
    }

    private static async Task HandleEcs(HttpContext ctx, SimState state, EcsApi api, ApiQuotas? quotas)
    {
        var target = ctx.Request.Headers["X-Amz-Target"].ToString();
        var region = DefaultRegion;
        var m = CredentialScope().Match(ctx.Request.Headers.Authorization.ToString());
        if (m.Success)
        {
            region = m.Groups[1].Value;
        }
        string body;
        using (var reader = new StreamReader(ctx.Request.Body))
        {
            body = await reader.ReadToEndAsync(ctx.RequestAborted);
        }
        ctx.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (!target.StartsWith(TargetPrefix, StringComparison.Ordinal))
        {
            await WriteError(ctx, new EcsError("UnknownOperationException", string.IsNullOrEmpty(target) ? "Missing X-Amz-Target header." : $"Unknown operation {target}."));
            return;
        }
        var op = target[TargetPrefix.Length..];
        JsonObject? response = null;
        EcsError? error = null;
        lock (state.Gate)
        {
            state.Calls[op] = state.Calls.GetValueOrDefault(op) + 1;
            if (quotas?.Take(op, region) is { } throttled)
            {
                error = throttled;
            }
            else if (state.Faults.TryGetValue(op, out var fault) && fault.Remaining > 0)
            {
                fault.Remaining--;
                error = fault.Kind switch
                {
                    "Throttling" => new EcsError("ThrottlingException", "Rate exceeded"),
                    "AccessDenied" => new EcsError("AccessDeniedException",
                        $"User: arn:aws:iam::{SimState.Account}:user/testing is not authorized to perform: ecs:{op} on resource: * because no identity-based policy allows the ecs:{op} action"),
                    _ => new EcsError("ServerException", "Service Unavailable. Please try again later.", 500),
                };
            }
            else
            {
                try
                {
                    var req = string.IsNullOrWhiteSpace(body) ? [] : JsonNode.Parse(body) as JsonObject
                        ?? throw new EcsError("SerializationException", "Start of structure or map found where not expected.");
                    state.Tick();
                    response = api.Invoke(op, req, region, ctx.Connection.LocalPort);
                }
                catch (EcsError e)
                {
                    error = e;
                }
                catch (JsonException e)
                {
                    error = new EcsError("SerializationException", e.Message);
                }
                catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
                {
                    error = new EcsError("InvalidParameterException", e.Message);
                }
            }
        }
        if (error is not null)
        {
            await WriteError(ctx, error);
            return;
        }
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/x-amz-json-1.1";
        await ctx.Response.WriteAsync(response!.ToJsonString(), ctx.RequestAborted);
    }

    private static async Task WriteError(HttpContext ctx, EcsError e)
    {
        ctx.Response.StatusCode = e.Status;
        ctx.Response.ContentType = "application/x-amz-json-1.1";
        var o = new JsonObject { ["__type"] = e.Type, ["message"] = e.Message };
        await ctx.Response.WriteAsync(o.ToJsonString(), ctx.RequestAborted);
    }
}
