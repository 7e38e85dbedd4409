using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>What the load balancer's health checks find for a service's tasks (set with POST /_sim/target-health).</summary>
public sealed record TargetHealthMode(string State, string? Reason, string? Description)
{
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
    public const string Unregistered = "unregistered";

    public static readonly TargetHealthMode Default = new(Healthy, null, null);

    /// <summary>The reason codes ELB gives for a failing target, with the description it writes.</summary>
    public static readonly IReadOnlyDictionary<string, string> Reasons = new Dictionary<string, string>
    {
        ["Target.ResponseCodeMismatch"] = "Health checks failed with these codes: [500]",
        ["Target.Timeout"] = "Request timed out",
        ["Target.FailedHealthChecks"] = "Health checks failed",
    };
}

/// <summary>One task's IP in one target group, with the state ELB would report for it.</summary>
public sealed record SimTarget(TaskRec Task, string TargetGroupArn, int Port, string State, string? Reason, string? Description);

/// <summary>
/// ELB's view of the services' tasks, derived from the tasks themselves, as ECS registers them: a task is registered in
/// each target group of its revision once RUNNING (a blue/green revision uses one of its target-group pair); it is <c>initial</c> until its health checks pass (three 5 s intervals
/// at scale 1.0), then <c>healthy</c> or, as the service's mode says, <c>unhealthy</c> with a reason code (without a mode:
/// as its essential containers' real health checks say, see FromContainers); <c>draining</c>
/// once ECS stops it; gone once STOPPED. In mode <c>unregistered</c> its tasks are never registered (a missing target).
/// </summary>
public static class TargetHealth
{
    public const double HealthyAfterSeconds = 15;

    private static readonly TargetHealthMode Initial = new("initial", null, null);
    private static readonly TargetHealthMode Failing = new(TargetHealthMode.Unhealthy, "Target.FailedHealthChecks", TargetHealthMode.Reasons["Target.FailedHealthChecks"]);

    /// <summary>
    /// When an essential container's health check runs for real, the load balancer's checks reach the same program: the target
    /// stays initial until the container is HEALTHY and turns unhealthy (Target.FailedHealthChecks) with it. Null: the stand-in
    /// answers the load balancer (healthy, unless /_sim/target-health says otherwise).
    /// </summary>
    private static TargetHealthMode? FromContainers(TaskRec task) =>
        !task.Containers.Any(c => c is { Essential: true, HealthCheckRuns: true }) ? null
            : task.HealthStatus switch
            {
                "HEALTHY" => TargetHealthMode.Default,
                "UNHEALTHY" => Failing,
                _ => Initial,
            };

    /// <summary>Every target of every service task in <paramref name="region"/> (all regions when null). Call with the Gate held.</summary>
    public static IEnumerable<SimTarget> Targets(SimState state, string? region = null)
    {
        var now = SimState.Now;
        foreach (var task in state.Tasks.Values)
        {
            if (task.Service is not { } svc || (region is not null && task.Region != region) || task.StartedAt is not { } started || task.LastStatus == Status.Stopped)
            {
                continue;
            }

            var set = state.TargetHealthByService.GetValueOrDefault(SimState.ScenarioKey(svc.Cluster.Name, svc.Name));
            var mode = set ?? FromContainers(task) ?? TargetHealthMode.Default;
            if (mode.State == TargetHealthMode.Unregistered)
            {
                continue;
            }

            foreach (var (tg, port) in SimState.TargetGroupsOf(task))
            {
                yield return task.DesiredStatus == Status.Stopped
                    ? new SimTarget(task, tg, port, "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress")
                    : now - started < state.Scaled(HealthyAfterSeconds) || mode == Initial
                        ? new SimTarget(task, tg, port, "initial", "Elb.RegistrationInProgress", "Target registration is in progress")
                        : new SimTarget(task, tg, port, mode.State, mode.Reason, mode.Description);
            }
        }
    }
}

/// <summary>
/// Mirrors the registrations in the real ELBv2 endpoint given by --elbv2-upstream (moto in the stack), as ECS does:
/// RegisterTargets when a task's target appears, DeregisterTargets when it starts draining, with the service events ECS
/// writes. Without an upstream only the events are written.
/// </summary>
public sealed class TargetRegistrar(SimState state, IConfiguration config, ILogger<TargetRegistrar> log) : BackgroundService
{
    private readonly HashSet<(string Region, string Tg, string Ip, int Port)> _registered = [];
    private readonly Uri? _upstream = config["elbv2-upstream"] is { Length: > 0 } u ? new Uri(u) : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var changes = new List<(string Action, string Region, string Tg, string Ip, int Port)>();
                lock (state.Gate)
                {
                    var wanted = TargetHealth.Targets(state).Where(t => t.State != "draining")
                        .Select(t => (t.Task.Region, t.TargetGroupArn, t.Task.PrivateIp, t.Port)).ToHashSet();
                    if (state.Tasks.Count == 0)
                    {
                        _registered.Clear(); // a reset forgets the world; the upstream was reset too
                    }

                    foreach (var gone in _registered.Where(r => !wanted.Contains(r)).ToList())
                    {
                        _registered.Remove(gone);
                        changes.Add(("DeregisterTargets", gone.Region, gone.Tg, gone.Ip, gone.Port));
                        var task = state.Tasks.Values.FirstOrDefault(t => t.PrivateIp == gone.Ip && t.Service is not null);
                        if (task?.Service is { } svc)
                        {
                            SimState.AddEvent(svc, $"(service {svc.Name}) has begun draining connections on 1 tasks.");
                            SimState.AddEvent(svc, $"(service {svc.Name}) deregistered 1 targets in (target-group {gone.Tg})");
                        }
                    }

                    foreach (var added in wanted.Where(w => !_registered.Contains(w)).ToList())
                    {
                        _registered.Add(added);
                        changes.Add(("RegisterTargets", added.Region, added.TargetGroupArn, added.PrivateIp, added.Port));
                    }
                }

                foreach (var change in changes.Where(_ => _upstream is not null))
                {
                    await CallUpstreamAsync(change.Action, change.Region, change.Tg, change.Ip, change.Port, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CallUpstreamAsync(string action, string region, string tg, string ip, int port, CancellationToken cancellationToken)
    {
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Action"] = action, ["Version"] = Elbv2Front.Version, ["TargetGroupArn"] = tg, ["Targets.member.1.Id"] = ip, ["Targets.member.1.Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, _upstream) { Content = form };
        Elbv2Front.Sign(request, region);
        try
        {
            using var response = await Elbv2Front.Http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                log.LogWarning("{Action} {Ip}:{Port} in {Tg} answered {Status}: {Body}", action, ip, port, tg, (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
            }
        }
        catch (HttpRequestException e)
        {
            log.LogWarning("{Action} {Ip}:{Port} in {Tg} failed: {Message}", action, ip, port, tg, e.Message);
        }
    }
}

/// <summary>POST /_sim/target-health: {"cluster","service","state": healthy|unhealthy|unregistered, "reason": Target.ResponseCodeMismatch|Target.Timeout|Target.FailedHealthChecks}.</summary>
public static class TargetHealthControl
{
    public static void Map(WebApplication app, SimState state) => app.MapPost("/_sim/target-health", async (HttpContext ctx) =>
    {
        var o = await System.Text.Json.Nodes.JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject ?? [];
        var service = Json.Str(o, "service");
        var mode = Json.Str(o, "state");
        var reason = Json.Str(o, "reason") ?? (mode == TargetHealthMode.Unhealthy ? "Target.ResponseCodeMismatch" : null);
        if (service is null || mode is not (TargetHealthMode.Healthy or TargetHealthMode.Unhealthy or TargetHealthMode.Unregistered)
            || (reason is not null && !TargetHealthMode.Reasons.ContainsKey(reason)))
        {
            return Results.Json(new { message = "Body must be {\"cluster\",\"service\",\"state\": healthy|unhealthy|unregistered, \"reason\": " + string.Join("|", TargetHealthMode.Reasons.Keys) + "}." }, statusCode: 400);
        }

        var cluster = Json.Str(o, "cluster") ?? "default";
        lock (state.Gate)
        {
            state.TargetHealthByService[SimState.ScenarioKey(cluster, service)] =
                new TargetHealthMode(mode, mode == TargetHealthMode.Unhealthy ? reason : null, mode == TargetHealthMode.Unhealthy ? TargetHealthMode.Reasons[reason!] : null);
        }

        return Results.Json(new { cluster, service, state = mode, reason });
    });
}
