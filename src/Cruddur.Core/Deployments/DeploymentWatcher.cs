using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>Time for the watch loop: real in use, scripted in tests so they never sleep.</summary>
internal sealed class WatchClock
{
    public static readonly WatchClock System = new(() => DateTimeOffset.UtcNow, Task.Delay);

    public WatchClock(Func<DateTimeOffset> now, Func<TimeSpan, CancellationToken, Task> delay)
    {
        Now = now;
        Delay = delay;
    }

    public Func<DateTimeOffset> Now { get; }

    public Func<TimeSpan, CancellationToken, Task> Delay { get; }

    /// <summary>The first interval, and the one used again whenever something changed.</summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest interval, reached by doubling while nothing changes.</summary>
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>What one DescribeServices answer means for the deployment being watched.</summary>
internal enum WatchState
{
    InProgress,

    /// <summary>COMPLETED; now in the stability window, in which any of its tasks stopping fails it.</summary>
    Stabilizing,
    Succeeded,
    Failed,
    RolledBackByEcs,
    TimedOut,

    /// <summary>Waiting at a PAUSE lifecycle hook for approval.</summary>
    Paused,

    /// <summary>The point the caller waits for (-WaitUntil) is reached; ECS carries on.</summary>
    Reached,
}

/// <summary>
/// The state machine for one service's deployment (identified by deployment id), fed with DescribeServices results.
/// Success: our deployment is PRIMARY and COMPLETED, or, where ECS reports no rollout state, it is the only deployment and
/// running = desired; then, with <see cref="StableFor"/>, none of its tasks stopped for that long. Failure: it FAILED,
/// another deployment (a circuit-breaker rollback) replaced it, or one of its tasks stopped within the stability window.
/// </summary>
internal sealed partial class ServiceWatch
{
    private readonly HashSet<string> _seenEvents;
    private HashSet<string> _stoppedBefore = new(StringComparer.Ordinal);
    private string? _signature;

    public ServiceWatch(Deployment deployment, int progressId, IEnumerable<string>? seenEventIds = null)
    {
        Deployment = deployment;
        ProgressId = progressId;
        _seenEvents = new HashSet<string>(seenEventIds ?? [], StringComparer.Ordinal);
    }

    public Deployment Deployment { get; }

    public int ProgressId { get; }

    public WatchState State { get; private set; } = WatchState.InProgress;

    /// <summary>Why the deployment failed, as ECS said it (rollout reason, replacement).</summary>
    public string? Reason { get; private set; }

    public bool IsDone => State is not (WatchState.InProgress or WatchState.Stabilizing);

    /// <summary>
    /// How long the deployment's tasks must keep running after it COMPLETED. ECS marks a rollout COMPLETED once the new
    /// tasks run (and pass their health checks); a task that exits after that is invisible to the circuit breaker.
    /// </summary>
    public TimeSpan StableFor { get; init; }

    /// <summary>When the stability window began (the first time the watcher saw the deployment COMPLETED).</summary>
    public DateTimeOffset? CompletedAt { get; private set; }

    /// <summary>What is left of the stability window, as of the last check.</summary>
    public TimeSpan StableLeft { get; private set; }

    /// <summary>The service events already seen, for a follow-up watch (a rollback) of the same service.</summary>
    public IEnumerable<string> SeenEventIds => _seenEvents;

    /// <summary>The event ids present before the deployment started, so only new ones are shown.</summary>
    public static IEnumerable<string> EventIds(EcsService? service) =>
        (service?.Events ?? []).Select(e => e.Id).OfType<string>();

    /// <summary>Applies one DescribeServices entry; returns the new service events, oldest first, and whether anything changed.</summary>
    public (IReadOnlyList<ServiceEvent> Events, bool Changed) Observe(EcsService service)
    {
        var events = new List<ServiceEvent>();
        foreach (var e in service.Events.Reverse())
        {
            if (e.Id is { } id && _seenEvents.Add(id) && e.Message is { } message)
            {
                events.Add(new ServiceEvent(e.CreatedAt, message));
            }
        }

        var deployments = service.Deployments;
        var ours = deployments.FirstOrDefault(d => d.Id == Deployment.DeploymentId);
        var primary = deployments.FirstOrDefault(d => d.Status == "PRIMARY");
        if (ours is not null)
        {
            Deployment.DesiredCount = ours.DesiredCount;
            Deployment.RunningCount = ours.RunningCount;
            Deployment.PendingCount = ours.PendingCount;
            Deployment.FailedTasks = ours.FailedTasks;
            Deployment.RolloutState = ours.RolloutState ?? Deployment.RolloutState;
            Deployment.RolloutStateReason = ours.RolloutStateReason;
        }

        if (FollowsServiceDeployment)
        {
            // Decided by the ServiceDeployment (ObserveServiceDeployment): a blue/green deployment's rolloutState says little.
        }
        else if (service.Status is "DRAINING" or "INACTIVE")
        {
            End(WatchState.Failed, $"the service is {service.Status} (it is being deleted)");
        }
        else if (ours is null || !ReferenceEquals(ours, primary))
        {
            var rollback = primary is not null && (primary.RolloutStateReason ?? string.Empty).Contains("rolling back", StringComparison.OrdinalIgnoreCase);
            if (rollback || ours?.RolloutState == "FAILED")
            {
                Deployment.RolloutState = "FAILED";
                End(WatchState.RolledBackByEcs, $"{Deployment.RolloutStateReason ?? "the deployment failed"} ECS rolled the service back: {primary?.RolloutStateReason}".Trim());
            }
            else
            {
                End(WatchState.Failed, $"another deployment ({primary?.Id}, {AwsArn.TaskDefinitionName(primary?.TaskDefinition ?? "?")}) replaced this one before it completed");
            }
        }
        else if (ours.RolloutState == "FAILED")
        {
            End(WatchState.Failed, Deployment.RolloutStateReason ?? "ECS marked the deployment FAILED");
        }
        else if (ours.RolloutState == "COMPLETED"
            || (ours.RolloutState is null && deployments.Count == 1 && Deployment.DesiredCount == Deployment.RunningCount))
        {
            State = StableFor > TimeSpan.Zero ? WatchState.Stabilizing : WatchState.Succeeded;
            Deployment.RolloutState = "COMPLETED";
        }

        var signature = $"{State}|{Deployment.RolloutState}|{Deployment.RunningCount}|{Deployment.PendingCount}|{Deployment.FailedTasks}|{Deployment.DesiredCount}|{deployments.Count}";
        var changed = events.Count > 0 || signature != _signature;
        _signature = signature;
        return (events, changed);
    }

    /// <summary>
    /// One look in the stability window: <paramref name="stoppedTasks"/> are the deployment's stopped tasks now. The first
    /// look starts the window and takes them as the baseline (tasks ECS replaced during the rollout); any task stopped
    /// after that fails the deployment; a window that ran its course makes it Succeeded. Returns whether anything changed.
    /// </summary>
    public bool ObserveWindow(DateTimeOffset now, IReadOnlyCollection<string> stoppedTasks)
    {
        if (CompletedAt is not { } start)
        {
            CompletedAt = now;
            _stoppedBefore = [.. stoppedTasks];
            StableLeft = StableFor;
            return true;
        }

        var stopped = stoppedTasks.Count(t => !_stoppedBefore.Contains(t));
        StableLeft = StableFor - (now - start);
        if (stopped > 0)
        {
            End(WatchState.Failed, $"{(stopped == 1 ? "a task" : $"{stopped} tasks")} of the deployment stopped within {Seconds(now - start)} of its completion (stability window {Seconds(StableFor)})");
            return true;
        }

        if (StableLeft <= TimeSpan.Zero)
        {
            State = WatchState.Succeeded;
            return true;
        }

        return false;
    }

    /// <summary>Ends the watch as timed out (the caller decides when).</summary>
    public void TimeOut(TimeSpan after) =>
        End(WatchState.TimedOut, $"the deployment did not complete within {after} (rollout {Deployment.RolloutState}: {Deployment.RunningCount}/{Deployment.DesiredCount} running, {Deployment.FailedTasks} failed tasks)");

    /// <summary>Ends a watch ECS called a success because the load balancer's targets are not healthy (see <see cref="TargetHealthWaiter"/>).</summary>
    public void FailTargets(IReadOnlyList<string> reasons) => End(WatchState.Failed, "the load balancer's targets are not healthy: " + string.Join("; ", reasons));

    /// <summary>Ends the watch because DescribeServices no longer finds the service.</summary>
    public void Missing() => End(WatchState.Failed, "the service no longer exists");

    public ProgressUpdate Progress(bool completed = false)
    {
        var d = Deployment;
        if (FollowsServiceDeployment && _stageStatus is { } stageStatus)
        {
            return new ProgressUpdate(ProgressId, $"Deploying {d.Cluster}/{d.Service} ({AwsArn.TaskDefinitionName(d.TaskDefinitionArn)}, {d.Strategy})", stageStatus, StagePercent(), completed);
        }

        var percent = d.DesiredCount > 0 ? Math.Clamp(100 * d.RunningCount / d.DesiredCount, 0, 100) : (State == WatchState.Succeeded ? 100 : 0);
        var status = State == WatchState.Stabilizing
            ? $"COMPLETED, stability window: {d.RunningCount}/{d.DesiredCount} running, {Seconds(StableLeft > TimeSpan.Zero ? StableLeft : TimeSpan.Zero)} left"
            : $"{(IsDone ? State.ToString() : d.RolloutState)}: {d.RunningCount}/{d.DesiredCount} running, {d.PendingCount} pending, {d.FailedTasks} failed";
        return new ProgressUpdate(ProgressId, $"Deploying {d.Cluster}/{d.Service} ({AwsArn.TaskDefinitionName(d.TaskDefinitionArn)})", status, percent, completed);
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} s";

    private void End(WatchState state, string? reason)
    {
        State = state;
        Reason = reason;
    }
}

/// <summary>
/// Watches several deployments in one loop: one DescribeServices call per cluster and 10 services per round, an interval
/// that starts short, doubles while nothing changes and is short again after any change.
/// </summary>
internal sealed class DeploymentWatcher
{
    private readonly IEcsClient _ecs;
    private readonly IOperationHost _host;
    private readonly WatchClock _clock;
    private readonly ServiceDeploymentWatcher _serviceDeployments;

    // The stopped tasks of each cluster, each described once (which deployment started it).
    private readonly ClusterTasks _stoppedTasks;

    public DeploymentWatcher(IEcsClient ecs, IOperationHost host, WatchClock? clock = null)
    {
        _ecs = ecs;
        _host = host;
        _clock = clock ?? WatchClock.System;
        _serviceDeployments = new ServiceDeploymentWatcher(ecs, host);
        _stoppedTasks = new ClusterTasks(ecs);
    }

    /// <summary>
    /// Polls until every watch is done or <paramref name="timeout"/> passed; progress bars are removed at the end. The timeout
    /// bounds the rollout; a stability window after it adds at most its own length.
    /// </summary>
    public async Task WatchAsync(IReadOnlyList<ServiceWatch> watches, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = _clock.Now();
        var interval = _clock.MinInterval;
        try
        {
            while (true)
            {
                var changed = await PollAsync(watches.Where(w => !w.IsDone).ToList(), cancellationToken).ConfigureAwait(false);
                changed |= await _serviceDeployments.PollAsync(watches.Where(w => !w.IsDone && w.FollowsServiceDeployment).ToList(), cancellationToken).ConfigureAwait(false);
                changed |= await CheckWindowsAsync(watches.Where(w => w.State == WatchState.Stabilizing).ToList(), cancellationToken).ConfigureAwait(false);
                var elapsed = _clock.Now() - start;
                foreach (var w in watches)
                {
                    if (w.State == WatchState.InProgress && elapsed >= timeout)
                    {
                        w.TimeOut(timeout);
                    }

                    w.Deployment.Duration = elapsed;
                }

                WriteProgress(watches);

                if (watches.All(w => w.IsDone))
                {
                    return;
                }

                interval = changed ? _clock.MinInterval : TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, _clock.MaxInterval.Ticks));
                // Wake up no later than the timeout of a rollout in progress or the end of a stability window.
                var left = watches.Where(w => w.State == WatchState.InProgress).Select(_ => timeout - elapsed)
                    .Concat(watches.Where(w => w.State == WatchState.Stabilizing).Select(w => w.StableLeft))
                    .Append(interval).Min();
                await _clock.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            WriteProgress(watches, completed: true);
        }
    }

    /// <summary>A release of more services than this shows one bar with per-state counts, not a bar per service.</summary>
    internal const int ServiceBarsUpTo = 5;

    /// <summary>The release-wide bar's id: above the services' own (1, 2, …) and the target-health bar's.</summary>
    internal const int ReleaseProgressId = 100;

    private void WriteProgress(IReadOnlyList<ServiceWatch> watches, bool completed = false)
    {
        if (watches.Count <= ServiceBarsUpTo)
        {
            foreach (var w in watches)
            {
                _host.WriteProgress(w.Progress(completed));
            }

            return;
        }

        _host.WriteProgress(ReleaseProgress(watches, completed));
    }

    /// <summary>
    /// "Deploying 50 services": "12 rolling, 30 stabilizing, 7 done, 1 needs attention", and the share that is over. While the
    /// release starts, <paramref name="toStart"/> services are not begun yet and <paramref name="registered"/> have their new
    /// revision registered but their service not yet updated ("40 to start, 1 registered, 9 rolling"); every watch's service was
    /// updated. <paramref name="clusters"/>: the whole release's clusters (default: the watches').
    /// </summary>
    internal static ProgressUpdate ReleaseProgress(IReadOnlyList<ServiceWatch> watches, bool completed = false, int registered = 0, int toStart = 0, IEnumerable<string>? clusters = null)
    {
        int Count(params WatchState[] states) => watches.Count(w => states.Contains(w.State));
        var total = watches.Count + registered + toStart;
        var rolling = Count(WatchState.InProgress);
        var stabilizing = Count(WatchState.Stabilizing);
        var paused = Count(WatchState.Paused);
        var done = Count(WatchState.Succeeded, WatchState.Reached);
        var attention = watches.Count - rolling - stabilizing - paused - done;
        var parts = new List<string>();
        void Add(int n, string what)
        {
            if (n > 0)
            {
                parts.Add($"{n} {what}");
            }
        }

        Add(toStart, "to start");
        Add(registered, "registered");
        Add(rolling, "rolling");
        Add(stabilizing, "stabilizing");
        Add(paused, "paused");
        Add(done, "done");
        Add(attention, attention == 1 ? "needs attention" : "need attention");
        var clusterCount = (clusters ?? watches.Select(w => w.Deployment.Cluster)).Distinct(StringComparer.Ordinal).Count();
        return new ProgressUpdate(ReleaseProgressId, $"Deploying {total} services{(clusterCount > 1 ? $" in {clusterCount} clusters" : string.Empty)}",
            parts.Count > 0 ? string.Join(", ", parts) : "Done", total > 0 ? 100 * (watches.Count - rolling - stabilizing) / total : 100, completed);
    }

    /// <summary>
    /// For each deployment in its stability window: which of its tasks have stopped. One ListTasks of the stopped tasks per
    /// cluster, and DescribeTasks only for tasks not seen before (which deployment started them), so a round costs calls per
    /// cluster, not per service: ECS's cluster-read quota is shared by the whole account.
    /// </summary>
    private async Task<bool> CheckWindowsAsync(IReadOnlyList<ServiceWatch> stabilizing, CancellationToken cancellationToken)
    {
        var changed = false;
        foreach (var cluster in stabilizing.GroupBy(w => w.Deployment.Cluster, StringComparer.Ordinal))
        {
            var stopped = await _stoppedTasks.ListAsync(cluster.Key, "STOPPED", _ => true, cancellationToken).ConfigureAwait(false);
            var byDeployment = stopped.Where(t => t.StartedBy is not null).ToLookup(t => t.StartedBy!, t => t.Arn, StringComparer.Ordinal);
            foreach (var w in cluster)
            {
                changed |= w.ObserveWindow(_clock.Now(), byDeployment[w.Deployment.DeploymentId].ToList());
            }
        }

        return changed;
    }

    private async Task<bool> PollAsync(IReadOnlyList<ServiceWatch> pending, CancellationToken cancellationToken)
    {
        var changed = false;
        foreach (var cluster in pending.GroupBy(w => w.Deployment.Cluster, StringComparer.Ordinal))
        {
            foreach (var batch in cluster.Chunk(EcsClient.DescribeServicesBatch))
            {
                var response = await _ecs.DescribeServicesAsync(cluster.Key, batch.Select(w => w.Deployment.Service).ToList(), cancellationToken).ConfigureAwait(false);
                var found = response.ToDictionary(s => s.Name ?? string.Empty, StringComparer.Ordinal);
                foreach (var w in batch)
                {
                    if (!found.TryGetValue(w.Deployment.Service, out var service))
                    {
                        w.Missing();
                        changed = true;
                        continue;
                    }

                    var (events, serviceChanged) = w.Observe(service);
                    changed |= serviceChanged;
                    foreach (var e in events)
                    {
                        // With ECS's own time, as ecspresso shows them: events arrive a poll late, and several at once.
                        _host.WriteInformation($"{e.CreatedAt ?? _clock.Now():u} {w.Deployment.Cluster}/{w.Deployment.Service}: {e.Message}", InformationTags.ServiceEvent);
                    }
                }
            }
        }

        return changed;
    }
}
