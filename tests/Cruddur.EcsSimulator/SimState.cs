using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>
/// The whole in-memory ECS world plus the scheduler that moves it forward. Every public member must be
/// called with <see cref="Gate"/> held (the API and the background ticker both take it).
/// </summary>
public sealed class SimState
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

    /// <summary>Container output and one-off commands (see <see cref="TaskRuntime"/>); null runs tasks without either.</summary>
    public TaskRuntime? Runtime { get; set; }

    public SimState(double timeScale)
    {
        TimeScale = timeScale;
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
        Runtime?.Reset();
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
        var healthTracked = scenario == Scenarios.Unhealthy;
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
            HealthTracked = healthTracked || td.Containers.Any(c => c["healthCheck"] is JsonObject),
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
        Runtime?.OnLaunched(task);
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
            Runtime?.OnStopping(t);
        }
        t.Version++;
    }

    private void AdvanceTask(TaskRec t, double now)
    {
        var f = SpeedFactor(t);
        switch (t.Phase)
        {
            case TaskPhase.Provisioning:
                t.Phase = TaskPhase.Pending;
                t.LastStatus = Status.Pending;
                t.PullStartedAt = now;
                t.NextAt = now + Scaled(PendingSeconds * f);
                break;
            case TaskPhase.Pending:
                var start = Runtime?.Start(t) ?? StartResult.Go;
                if (start.Wait)
                {
                    t.NextAt = now + 0.01;
                    return;
                }
                if (start.FailureReason is { } failure)
                {
                    FailToStart(t, failure);
                    break;
                }
                t.Phase = TaskPhase.Running;
                t.LastStatus = Status.Running;
                t.PullStoppedAt = now;
                t.StartedAt = now;
                t.ConnectivityAt = now;
                foreach (var c in t.Containers)
                {
                    c.LastStatus = Status.Running;
                    if (t.EnableExecuteCommand)
                    {
                        c.AgentStartedAt = now;
                    }
                }
                if (t.Service is { } svc)
                {
                    foreach (var lb in svc.LoadBalancers.OfType<JsonObject>())
                    {
                        if (Json.Str(lb, "targetGroupArn") is { } tg)
                        {
                            AddEvent(svc, $"(service {svc.Name}) registered 1 targets in (target-group {tg})");
                        }
                    }
                }
                Runtime?.OnRunning(t);
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
                break;
            case TaskPhase.HealthCheck:
                Runtime?.OnHealthChecked(t, t.Scenario != Scenarios.Unhealthy);
                if (t.Scenario == Scenarios.Unhealthy)
                {
                    t.HealthStatus = "UNHEALTHY";
                    foreach (var c in t.Containers.Where(c => c.HasHealthCheck))
                    {
                        c.HealthStatus = "UNHEALTHY";
                    }
                    t.Phase = TaskPhase.Running;
                    t.NextAt = double.MaxValue;
                    if (t.Service is { } s)
                    {
                        AddEvent(s, $"(service {s.Name}) (task {t.Id}) failed container health checks.");
                    }
                    StopTask(t, "Task failed container health checks", "ServiceSchedulerInitiated");
                    OnTaskFailed(t);
                }
                else
                {
                    t.HealthStatus = "HEALTHY";
                    foreach (var c in t.Containers.Where(c => c.HasHealthCheck))
                    {
                        c.HealthStatus = "HEALTHY";
                    }
                    if (Scenarios.ExitAfter(t.Scenario) is { } after)
                    {
                        // Healthy first, then the exit N seconds after the start (at once if that time has passed).
                        t.Phase = TaskPhase.Crash;
                        t.NextAt = Math.Max(now, (t.StartedAt ?? now) + Scaled(after * f));
                    }
                    else
                    {
                        t.Phase = TaskPhase.Running;
                        t.NextAt = double.MaxValue;
                    }
                }
                break;
            case TaskPhase.Crash:
            {
                var victim = t.Containers.FirstOrDefault(c => c.Essential && c.HasHealthCheck)
                    ?? t.Containers.LastOrDefault(c => c.Essential)
                    ?? t.Containers.First();
                Runtime?.OnCrash(t, victim);
                victim.LastStatus = Status.Stopped;
                victim.ExitCode = 1;
                t.ExecutionStoppedAt = now;
                StopTask(t, "Essential container in task exited", "EssentialContainerExited");
                OnTaskFailed(t);
                break;
            }
            case TaskPhase.Stopping:
                t.Phase = TaskPhase.Deprovisioning;
                t.LastStatus = Status.Deprovisioning;
                t.ExecutionStoppedAt ??= now;
                foreach (var c in t.Containers.Where(c => c.LastStatus != Status.Stopped))
                {
                    c.LastStatus = Status.Stopped;
                    // Stopped by the agent (SIGTERM): exit code 143 for the others when an essential one crashed, else 0.
                    c.ExitCode ??= t.StopCode == "EssentialContainerExited" ? 143 : 0;
                }
                t.NextAt = now + Scaled(DeprovisionSeconds);
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

    /// <summary>A container could not start (log stream, command): the task stops without ever running (TaskFailedToStart).</summary>
    private void FailToStart(TaskRec t, string reason)
    {
        foreach (var c in t.Containers)
        {
            c.Reason = reason;
        }
        StopTask(t, reason, "TaskFailedToStart");
        OnTaskFailed(t);
    }

    /// <summary>A task of a service failed (crash or health check): failedTasks, back-off, circuit breaker.</summary>
    private void OnTaskFailed(TaskRec t)
    {
        if (t.Service is not { } svc || t.Deployment is not { } dep)
        {
            return;
        }
        dep.FailedTasks++;
        dep.UpdatedAt = Now;
        svc.NextLaunchAllowedAt = Now + Scaled(RestartBackoffSeconds);
        if (!ReferenceEquals(svc.Deployments.FirstOrDefault(), dep) || dep.RolloutState != "IN_PROGRESS" || !svc.CircuitBreakerEnabled)
        {
            return;
        }
        if (dep.FailedTasks < CircuitBreakerThreshold(dep.DesiredCount))
        {
            return;
        }
        dep.RolloutState = "FAILED";
        dep.RolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
        AddEvent(svc, $"(service {svc.Name}) deployment {dep.Id} deployment failed: tasks failed to start.");
        if (svc.CircuitBreakerRollback && svc.LastCompletedTaskDef is { } good && svc.LastCompletedDeploymentId is { } goodId)
        {
            var rollback = NewDeployment(svc, good, dep.DesiredCount);
            rollback.RolloutStateReason = $"ECS deployment circuit breaker: rolling back to deploymentId {goodId}.";
            AddEvent(svc, $"(service {svc.Name}) rolling back to deployment {goodId}.");
        }
    }

    // ------------------------------------------------------------------ deployments

    /// <summary>Makes a new PRIMARY deployment; the previous primary becomes ACTIVE.</summary>
    public DeploymentRec NewDeployment(ServiceRec svc, TaskDefRec td, int desired)
    {
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
        };
        dep.RolloutStateReason = $"ECS deployment {dep.Id} in progress.";
        svc.Deployments.Insert(0, dep);
        svc.NextLaunchAllowedAt = now;
        return dep;
    }

    public IEnumerable<TaskRec> TasksOf(DeploymentRec d) => Tasks.Values.Where(t => ReferenceEquals(t.Deployment, d));

    public IEnumerable<TaskRec> TasksOf(ServiceRec s) => Tasks.Values.Where(t => ReferenceEquals(t.Service, s));

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
            foreach (var t in all.Where(t => t.IsLive))
            {
                StopTask(t, $"Scaling activity initiated by (deployment {svc.Deployments.FirstOrDefault()?.Id})", "ServiceSchedulerInitiated");
            }
            if (all.All(t => t.LastStatus == Status.Stopped))
            {
                svc.Status = "INACTIVE";
                svc.Deployments.Clear();
            }
            return;
        }
        if (svc.Deployments.Count == 0)
        {
            return;
        }
        var primary = svc.Deployments[0];
        var primaryLive = all.Where(t => ReferenceEquals(t.Deployment, primary) && t.IsLive).ToList();

        // 1. Launch or scale in the primary deployment.
        if (primary.RolloutState != "FAILED")
        {
            var need = primary.DesiredCount - primaryLive.Count;
            if (need > 0 && now >= svc.NextLaunchAllowedAt)
            {
                var started = new List<TaskRec>();
                for (var i = 0; i < need; i++)
                {
                    started.Add(LaunchTask(svc.Cluster, primary.TaskDef, svc, primary, primary.Id, $"service:{svc.Name}",
                        ScenarioFor(svc, primary.TaskDef), svc.EnableExecuteCommand, svc.LaunchType, svc.NetworkConfiguration, null));
                }
                primaryLive.AddRange(started);
                primary.UpdatedAt = now;
                AddEvent(svc, $"(service {svc.Name}) has started {started.Count} tasks: {string.Join(" ", started.Select(t => $"(task {t.Id})"))}.");
            }
            else if (need < 0)
            {
                var victims = primaryLive.OrderByDescending(t => t.IsReady ? 0 : 1).ThenByDescending(t => t.CreatedAt).Take(-need).ToList();
                foreach (var v in victims)
                {
                    StopTask(v, $"Scaling activity initiated by (deployment {primary.Id})", "ServiceSchedulerInitiated");
                    primaryLive.Remove(v);
                }
                primary.UpdatedAt = now;
                AddEvent(svc, $"(service {svc.Name}) has stopped {victims.Count} running tasks: {string.Join(" ", victims.Select(t => $"(task {t.Id})"))}.");
            }
        }

        // 2. Drain older deployments as the primary's tasks become ready (minimumHealthyPercent 100).
        var primaryReady = primaryLive.Count(t => t.IsReady);
        if (svc.Deployments.Count > 1 && primary.RolloutState != "FAILED")
        {
            var olderLive = all.Where(t => !ReferenceEquals(t.Deployment, primary) && t.IsLive).ToList();
            var totalReady = primaryReady + olderLive.Count(t => t.IsReady);
            var stopping = new List<TaskRec>();
            foreach (var t in olderLive.Where(t => !t.IsReady))
            {
                stopping.Add(t);
            }
            var excess = totalReady - svc.DesiredCount;
            foreach (var t in olderLive.Where(t => t.IsReady).OrderBy(t => t.CreatedAt))
            {
                if (excess <= 0)
                {
                    break;
                }
                stopping.Add(t);
                excess--;
            }
            if (stopping.Count > 0)
            {
                foreach (var t in stopping)
                {
                    StopTask(t, $"Scaling activity initiated by (deployment {primary.Id})", "ServiceSchedulerInitiated");
                }
                AddEvent(svc, $"(service {svc.Name}) has stopped {stopping.Count} running tasks: {string.Join(" ", stopping.Select(t => $"(task {t.Id})"))}.");
            }
            foreach (var d in svc.Deployments.Skip(1))
            {
                var live = all.Count(t => ReferenceEquals(t.Deployment, d) && t.IsLive);
                if (d.DesiredCount != live)
                {
                    d.DesiredCount = live;
                    d.UpdatedAt = now;
                }
            }
            // An older deployment disappears once its last task has STOPPED and the primary carries the load.
            if (primaryReady >= primary.DesiredCount)
            {
                svc.Deployments.RemoveAll(d => !ReferenceEquals(d, primary)
                    && all.Where(t => ReferenceEquals(t.Deployment, d)).All(t => t.LastStatus == Status.Stopped));
            }
        }

        // 3. Completion and steady state.
        if (primary.RolloutState == "IN_PROGRESS" && svc.Deployments.Count == 1
            && primaryReady == primary.DesiredCount && primaryLive.Count == primary.DesiredCount)
        {
            primary.RolloutState = "COMPLETED";
            primary.RolloutStateReason = $"ECS deployment {primary.Id} completed.";
            primary.UpdatedAt = now;
            svc.LastCompletedDeploymentId = primary.Id;
            svc.LastCompletedTaskDef = primary.TaskDef;
            AddEvent(svc, $"(service {svc.Name}) (deployment {primary.Id}) deployment completed.");
            AddEvent(svc, $"(service {svc.Name}) has reached a steady state.");
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
        foreach (var svc in Services.Values.ToList())
        {
            Reconcile(svc, now);
        }
        // ECS shows a stopped task for about an hour (scaled), then forgets it.
        var expiry = now - Scaled(StoppedTaskRetentionSeconds);
        foreach (var t in Tasks.Values.Where(t => t.StoppedAt < expiry).ToList())
        {
            Tasks.Remove(t.Arn);
            Tags.Remove(t.Arn);
            Runtime?.OnForgotten(t);
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
