using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>
/// The whole in-memory ECS world plus the scheduler that moves it forward. Every public member must be
/// called with <see cref="Gate"/> held (the API and the background ticker both take it). Deployments are moved on by
/// SimState.Rolling.cs (ROLLING) and SimState.BlueGreen.cs (BLUE_GREEN, LINEAR, CANARY); their ServiceDeployment records
/// are kept by SimState.ServiceDeployments.cs.
/// </summary>
public sealed partial class SimState
{
    public const string Account = "123456789012";

    // Phase durations in seconds at time scale 1.0 ("natural" pacing, a few seconds per phase).
    public const double ProvisioningSeconds = 5;
    public const double PendingSeconds = 10;
    public const double HealthCheckSeconds = 10;
    public const double CrashAfterSeconds = 5;
    public const double DrainSeconds = 5;
    public const double DeprovisionSeconds = 2;
    public const double RestartBackoffSeconds = 2;
    public const double SlowFactor = 5;
    public const double StoppedTaskRetentionSeconds = 3600;

    public object Gate { get; } = new();
    public double TimeScale { get; set; }

    public Dictionary<string, ClusterRec> Clusters { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<TaskDefRec>> TaskDefs { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, ServiceRec> Services { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, TaskRec> Tasks { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, JsonArray> Tags { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> ScenarioByService { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, TargetHealthMode> TargetHealthByService { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Fault> Faults { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);
    public List<ExecSession> Sessions { get; } = [];

    /// <summary>What runs in the containers: commands, health checks, output (see <see cref="TaskRuntime"/>).</summary>
    public TaskRuntime Runtime { get; set; }

    public SimState(double timeScale)
    {
        TimeScale = timeScale;
        Runtime = new TaskRuntime(this, null);
    }

    public static double Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    public void Reset()
    {
        Clusters.Clear();
        TaskDefs.Clear();
        Services.Clear();
        Tasks.Clear();
        Tags.Clear();
        ScenarioByService.Clear();
        TargetHealthByService.Clear();
        Faults.Clear();
        Calls.Clear();
        Sessions.Clear();
        ResetServiceDeployments();
        Runtime.Reset();
    }

    public static string ClusterKey(string region, string name) => $"{region}/{name}";
    public static string ServiceKey(string region, string cluster, string name) => $"{region}/{cluster}/{name}";
    public static string ScenarioKey(string cluster, string service) => $"{cluster}/{service}";

    public static string NewDeploymentId() =>
        "ecs-svc/" + Random.Shared.NextInt64(1_000_000_000_000_000_000L, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Hex(int bytes) => Convert.ToHexString(RandomNumberGenerator.GetBytes(bytes)).ToLowerInvariant();

    public double Scaled(double seconds) => seconds * TimeScale;

    public static int CircuitBreakerThreshold(int desiredCount) =>
        Math.Min(Math.Max((int)Math.Ceiling(0.5 * desiredCount), 3), 200);

    // ------------------------------------------------------------------ events

    public static void AddEvent(ServiceRec svc, string message)
    {
        svc.Events.Insert(0, new ServiceEventRec { Id = Guid.NewGuid().ToString(), CreatedAt = Now, Message = message });
        if (svc.Events.Count > 100)
        {
            svc.Events.RemoveRange(100, svc.Events.Count - 100);
        }
    }

    // ------------------------------------------------------------------ tasks

    public TaskRec LaunchTask(ClusterRec cluster, TaskDefRec td, ServiceRec? svc, DeploymentRec? dep, string? startedBy,
        string group, string scenario, bool exec, string launchType, JsonNode? networkConfiguration, JsonObject? overrides)
    {
        var now = Now;
        var id = Hex(16);
        var subnets = (networkConfiguration?["awsvpcConfiguration"]?["subnets"] as JsonArray ?? [])
            .Select(n => n?.GetValue<string>()).Where(s => s is not null).ToList();
        // ECS judges a task's health by its essential containers' checks.
        var healthTracked = scenario == Scenarios.Unhealthy || td.Containers.Any(c => c["healthCheck"] is JsonObject && Json.Bool(c, "essential") != false);
        var task = new TaskRec
        {
            Region = cluster.Region,
            Id = id,
            Arn = $"arn:aws:ecs:{cluster.Region}:{Account}:task/{cluster.Name}/{id}",
            Cluster = cluster,
            TaskDef = td,
            Service = svc,
            Deployment = dep,
            StartedBy = startedBy,
            Group = group,
            Scenario = scenario,
            LaunchType = launchType,
            EnableExecuteCommand = exec,
            PrivateIp = $"10.0.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(2, 255)}",
            EniId = "eni-" + Hex(9)[..17],
            SubnetId = subnets.Count > 0 ? subnets[Random.Shared.Next(subnets.Count)] : null,
            AttachmentId = Guid.NewGuid().ToString(),
            CreatedAt = now,
            Overrides = overrides,
            HealthTracked = healthTracked,
        };
        foreach (var c in td.Containers)
        {
            var name = Json.Str(c, "name") ?? "container";
            task.Containers.Add(new ContainerRec
            {
                Name = name,
                Arn = $"arn:aws:ecs:{cluster.Region}:{Account}:container/{cluster.Name}/{id}/{Guid.NewGuid()}",
                Image = Json.Str(c, "image") ?? "",
                RuntimeId = $"{id}-{Random.Shared.NextInt64(1_000_000_000L, 10_000_000_000L)}",
                Essential = Json.Bool(c, "essential") ?? true,
                HasHealthCheck = c["healthCheck"] is JsonObject,
                Cpu = c["cpu"]?.ToString() ?? "0",
                Memory = c["memory"]?.ToString(),
            });
        }
        task.NextAt = now + Scaled(ProvisioningSeconds * SpeedFactor(task));
        Tasks[task.Arn] = task;
        svc?.Tasks.Add(task);
        dep?.Tasks.Add(task);
        Runtime.OnLaunched(task);
        PropagateTags(task);
        return task;
    }

    /// <summary>enableECSManagedTags and propagateTags (SERVICE / TASK_DEFINITION) applied to a service's new task.</summary>
    private void PropagateTags(TaskRec task)
    {
        if (task.Service is not { } svc)
        {
            return;
        }
        var tags = new JsonArray();
        var source = svc.PropagateTags switch
        {
            "SERVICE" => svc.Arn,
            "TASK_DEFINITION" => task.TaskDef.Arn,
            _ => null,
        };
        if (source is not null && Tags.TryGetValue(source, out var src))
        {
            foreach (var t in src)
            {
                tags.Add(t?.DeepClone());
            }
        }
        if (svc.EnableEcsManagedTags)
        {
            tags.Add(new JsonObject { ["key"] = "aws:ecs:clusterName", ["value"] = svc.Cluster.Name });
            tags.Add(new JsonObject { ["key"] = "aws:ecs:serviceName", ["value"] = svc.Name });
        }
        if (tags.Count > 0)
        {
            Tags[task.Arn] = tags;
        }
    }

    private static double SpeedFactor(TaskRec t) => t.Scenario == Scenarios.Slow ? SlowFactor : 1;

    /// <summary>Begins stopping a task (desiredStatus STOPPED); it reaches STOPPED after the drain.</summary>
    public void StopTask(TaskRec t, string? reason, string stopCode)
    {
        if (t.DesiredStatus == Status.Stopped)
        {
            return;
        }
        var now = Now;
        t.DesiredStatus = Status.Stopped;
        t.StoppedReason ??= reason;
        t.StopCode ??= stopCode;
        t.StoppingAt = now;
        if (t.LastStatus is Status.Provisioning or Status.Pending)
        {
            // Never started: goes straight to deprovisioning.
            t.LastStatus = Status.Deprovisioning;
            t.Phase = TaskPhase.Deprovisioning;
            t.NextAt = now + Scaled(DeprovisionSeconds);
        }
        else
        {
            t.LastStatus = Status.Stopping;
            t.Phase = TaskPhase.Stopping;
            t.NextAt = now + Scaled(DrainSeconds);
            Runtime.OnStopping(t, now);
        }
        t.Version++;
    }

    private void AdvanceTask(TaskRec t, double now)
    {
        switch (t.Phase)
        {
            case TaskPhase.Provisioning:
                t.Phase = TaskPhase.Pending;
                t.LastStatus = Status.Pending;
                t.PullStartedAt = now;
                t.NextAt = now + Scaled(PendingSeconds * SpeedFactor(t));
                break;
            case TaskPhase.Pending:
                if (!StartTask(t, now))
                {
                    return;
                }
                break;
            case TaskPhase.HealthCheck:
                ScenarioHealthCheck(t, now);
                break;
            case TaskPhase.Crash:
                Crash(t, now);
                break;
            case TaskPhase.Stopping:
                if (!Runtime.Exited(t))
                {
                    t.NextAt = now + 0.01; // a command has not ended yet (SIGKILL follows after its stopTimeout)
                    return;
                }
                FinishStopping(t, now);
                break;
            case TaskPhase.Deprovisioning:
                t.Phase = TaskPhase.Stopped;
                t.LastStatus = Status.Stopped;
                t.StoppedAt = now;
                t.ExecutionStoppedAt ??= now;
                foreach (var c in t.Containers.Where(c => c.LastStatus != Status.Stopped))
                {
                    c.LastStatus = Status.Stopped;
                }
                t.NextAt = double.MaxValue;
                break;
            case TaskPhase.Running:
            case TaskPhase.Stopped:
                t.NextAt = double.MaxValue;
                break;
        }
        t.Version++;
    }

    /// <summary>
    /// PENDING → RUNNING: the one place a task's containers are started (log streams, commands, stand-ins), so a check that
    /// fails a task at launch belongs here. False while the runtime asks to wait; a failure stops the task (TaskFailedToStart).
    /// </summary>
    private bool StartTask(TaskRec t, double now)
    {
        if (LaunchAllowed(t, now) is not true)
        {
            return t.DesiredStatus == Status.Stopped; // waiting for the look-ups, or failed by them (LaunchChecks.cs)
        }
        var start = Runtime.Start(t, now);
        if (start.Wait)
        {
            t.NextAt = now + 0.01;
            return false;
        }
        if (start.FailureReason is { } failure)
        {
            FailToStart(t, failure);
            return true;
        }
        t.Phase = TaskPhase.Running;
        t.LastStatus = Status.Running;
        t.PullStoppedAt = now;
        t.StartedAt = now;
        t.ConnectivityAt = now;
        if (t.Service is { } svc)
        {
            foreach (var (tg, _) in TargetGroupsOf(t))
            {
                AddEvent(svc, $"(service {svc.Name}) registered 1 targets in (target-group {tg})");
            }
        }
        ScheduleScenario(t, now);
        return true;
    }

    /// <summary>What the scenario holds for the stand-in containers once RUNNING: a crash, a health result, an exit, or nothing.</summary>
    private void ScheduleScenario(TaskRec t, double now)
    {
        var f = SpeedFactor(t);
        if (t.Scenario == Scenarios.Crash)
        {
            t.Phase = TaskPhase.Crash;
            t.NextAt = now + Scaled(CrashAfterSeconds * f);
        }
        else if (t.HealthTracked)
        {
            t.Phase = TaskPhase.HealthCheck;
            t.NextAt = now + Scaled(HealthCheckSeconds * f);
        }
        else if (Scenarios.ExitAfter(t.Scenario) is { } after)
        {
            t.Phase = TaskPhase.Crash;
            t.NextAt = now + Scaled(after * f);
        }
        else
        {
            t.NextAt = double.MaxValue;
        }
    }

    /// <summary>The scenario's health result for the stand-in containers' checks (a container that runs a command has its
    /// check run for real by the runtime).</summary>
    private void ScenarioHealthCheck(TaskRec t, double now)
    {
        var healthy = t.Scenario != Scenarios.Unhealthy;
        var status = healthy ? "HEALTHY" : "UNHEALTHY";
        Runtime.OnHealthChecked(t, healthy);
        foreach (var c in t.Containers.Where(c => c is { HasHealthCheck: true, HealthCheckRuns: false }))
        {
            c.HealthStatus = status;
        }
        t.Phase = TaskPhase.Running;
        t.NextAt = double.MaxValue;
        if (healthy && Scenarios.ExitAfter(t.Scenario) is { } after)
        {
            // Healthy first, then the exit N seconds after the start (at once if that time has passed).
            t.Phase = TaskPhase.Crash;
            t.NextAt = Math.Max(now, (t.StartedAt ?? now) + Scaled(after * SpeedFactor(t)));
        }
        // The scenario speaks for the task when no container's check runs for real ("unhealthy" without any health check).
        SetTaskHealth(t, t.Containers.Any(c => c.HealthCheckRuns) ? TaskHealthOf(t) : status);
    }

    /// <summary>A container's health changed (a real check): the task's health follows its essential containers'.</summary>
    public void OnContainerHealthChanged(TaskRec t) => SetTaskHealth(t, TaskHealthOf(t));

    /// <summary>ECS's rule: UNHEALTHY if an essential container is, HEALTHY if every essential container with a check is,
    /// else UNKNOWN.</summary>
    private static string TaskHealthOf(TaskRec t)
    {
        var checkedEssentials = t.Containers.Where(c => c is { Essential: true, HasHealthCheck: true }).ToList();
        return checkedEssentials.Any(c => c.HealthStatus == "UNHEALTHY") ? "UNHEALTHY"
            : checkedEssentials.Count > 0 && checkedEssentials.All(c => c.HealthStatus == "HEALTHY") ? "HEALTHY"
            : "UNKNOWN";
    }

    /// <summary>Sets the task's health; an UNHEALTHY service task is replaced, as the service scheduler does.</summary>
    private void SetTaskHealth(TaskRec t, string health)
    {
        t.HealthStatus = health;
        if (health != "UNHEALTHY" || t.Service is not { } svc || t.DesiredStatus != Status.Running)
        {
            return;
        }
        AddEvent(svc, $"(service {svc.Name}) (task {t.Id}) failed container health checks.");
        StopTask(t, "Task failed container health checks", "ServiceSchedulerInitiated");
        OnTaskFailed(t);
    }

    /// <summary>The crash scenario (or exit-after): a stand-in essential container exits 1.</summary>
    private void Crash(TaskRec t, double now)
    {
        var standIns = t.Containers.Where(c => !c.RunsCommand && c.LastStatus == Status.Running).ToList();
        var victim = standIns.FirstOrDefault(c => c.Essential && c.HasHealthCheck) ?? standIns.LastOrDefault(c => c.Essential);
        t.Phase = TaskPhase.Running;
        t.NextAt = double.MaxValue;
        if (victim is null || t.DesiredStatus != Status.Running)
        {
            return; // every essential container runs a real command: the scenario has nothing to crash
        }
        Runtime.OnCrash(t, victim);
        victim.LastStatus = Status.Stopped;
        victim.ExitCode = 1;
        EssentialContainerExited(t);
    }

    /// <summary>An essential container exited while the task should run: the task stops, as ECS stops it.</summary>
    public void EssentialContainerExited(TaskRec t)
    {
        t.ExecutionStoppedAt = Now;
        StopTask(t, "Essential container in task exited", "EssentialContainerExited");
        OnTaskFailed(t);
    }

    /// <summary>STOPPING → DEPROVISIONING once every command has ended; the stand-ins stop on SIGTERM.</summary>
    private void FinishStopping(TaskRec t, double now)
    {
        t.Phase = TaskPhase.Deprovisioning;
        t.LastStatus = Status.Deprovisioning;
        t.ExecutionStoppedAt ??= now;
        foreach (var c in t.Containers.Where(c => c.LastStatus != Status.Stopped))
        {
            // Stopped by the agent (SIGTERM): exit code 143 for the others when an essential one crashed, else 0; a container
            // that never started has none.
            if (c.LastStatus == Status.Running)
            {
                c.ExitCode ??= t.StopCode == "EssentialContainerExited" ? 143 : 0;
            }
            c.LastStatus = Status.Stopped;
        }
        t.NextAt = now + Scaled(DeprovisionSeconds);
    }

    /// <summary>A container could not start (log stream, command): the task stops (TaskFailedToStart).</summary>
    public void FailToStart(TaskRec t, string reason)
    {
        foreach (var c in t.Containers.Where(c => c.LastStatus != Status.Stopped))
        {
            c.Reason = reason;
        }
        StopTask(t, reason, "TaskFailedToStart");
        OnTaskFailed(t);
    }

    /// <summary>Removes a task from the state (expired, reset, its service replaced); whatever still runs for it is killed.</summary>
    public void ForgetTask(TaskRec t)
    {
        Tasks.Remove(t.Arn);
        t.Service?.Tasks.Remove(t);
        t.Deployment?.Tasks.Remove(t);
        Tags.Remove(t.Arn);
        Runtime.Forget(t);
    }

    // ------------------------------------------------------------------ deployments

    /// <summary>Makes a new PRIMARY deployment of a revision; the previous primary becomes ACTIVE.</summary>
    private DeploymentRec NewDeployment(ServiceRec svc, ServiceRevisionRec revision, int desired, ServiceDeploymentRec? serviceDeployment)
    {
        var td = revision.TaskDef;
        var now = Now;
        foreach (var d in svc.Deployments)
        {
            d.Status = "ACTIVE";
            d.UpdatedAt = now;
        }
        var dep = new DeploymentRec
        {
            Id = NewDeploymentId(),
            TaskDef = td,
            DesiredCount = desired,
            CreatedAt = now,
            UpdatedAt = now,
            LaunchType = svc.LaunchType,
            PlatformVersion = "1.4.0",
            NetworkConfiguration = Json.Clone(svc.NetworkConfiguration),
            ServiceConnectConfiguration = Json.Clone(svc.ServiceConnectConfiguration) as JsonObject,
            Revision = revision,
            ServiceDeployment = serviceDeployment,
        };
        dep.RolloutStateReason = $"ECS deployment {dep.Id} in progress.";
        svc.Deployments.Insert(0, dep);
        svc.NextLaunchAllowedAt = now;
        return dep;
    }

    public IEnumerable<TaskRec> TasksOf(DeploymentRec d) => d.Tasks;

    public IEnumerable<TaskRec> TasksOf(ServiceRec s) => s.Tasks;

    public string ScenarioFor(ServiceRec svc, TaskDefRec td)
    {
        var fromTd = td.Scenario;
        if (Scenarios.IsValid(fromTd))
        {
            return fromTd!;
        }
        return ScenarioByService.TryGetValue(ScenarioKey(svc.Cluster.Name, svc.Name), out var s) ? s : Scenarios.Healthy;
    }

    private void Reconcile(ServiceRec svc, double now)
    {
        if (svc.Status == "INACTIVE")
        {
            return;
        }
        var all = TasksOf(svc).ToList();
        if (svc.Status == "DRAINING")
        {
            ReconcileDraining(svc, all);
        }
        else if (svc.Deployments.Count > 0 && svc.History.Current is { Run: { Finished: false } run } sd)
        {
            AdvanceRun(svc, sd, run, all, now);
        }
        else if (svc.Deployments.Count > 0)
        {
            ReconcileRolling(svc, all, now);
        }
    }

    private void ReconcileDraining(ServiceRec svc, List<TaskRec> all)
    {
        foreach (var t in all.Where(t => t.IsLive))
        {
            StopTask(t, $"Scaling activity initiated by (deployment {svc.Deployments.FirstOrDefault()?.Id})", "ServiceSchedulerInitiated");
        }
        if (all.All(t => t.LastStatus == Status.Stopped))
        {
            svc.Status = "INACTIVE";
            svc.Deployments.Clear();
            ForgetServiceDeployments(svc);
        }
    }

    /// <summary>Moves every task and service forward to wall-clock time now.</summary>
    public void Tick()
    {
        var now = Now;
        // Tasks may need several transitions if the ticker was late; loop until nothing is due.
        for (var guard = 0; guard < 20; guard++)
        {
            var due = Tasks.Values.Where(t => t.NextAt <= now).ToList();
            if (due.Count == 0)
            {
                break;
            }
            foreach (var t in due)
            {
                AdvanceTask(t, now);
            }
        }
        Runtime.Tick(now);
        foreach (var svc in Services.Values.ToList())
        {
            Reconcile(svc, now);
        }
        // ECS shows a stopped task for about an hour (scaled), then forgets it.
        var expiry = now - Scaled(StoppedTaskRetentionSeconds);
        foreach (var t in Tasks.Values.Where(t => t.StoppedAt < expiry).ToList())
        {
            ForgetTask(t);
        }
    }
}

/// <summary>Advances the simulation without requests, so ListTasks and events stay consistent.</summary>
public sealed class Ticker(SimState state) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                lock (state.Gate)
                {
                    state.Tick();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
