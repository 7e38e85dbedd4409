using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// One more condition of a deploy's success for a service behind a load balancer: every running task of our deployment
/// is registered and healthy in each of the service's target groups. <c>initial</c> and not-yet-registered targets are
/// waited for; <c>unhealthy</c> and <c>draining</c> ones fail the deployment with ELB's reason code at once; targets still
/// missing or initial when the time is up fail it too.
/// All services are checked in one loop whose rounds cost ECS calls per cluster, not per service (ECS's cluster-read quota
/// is shared by the whole account): one ListTasks of the cluster's running tasks, DescribeTasks only for tasks not yet
/// known (their startedBy says which deployment started them), and one DescribeTargetHealth per target group still waited on.
/// </summary>
internal sealed class TargetHealthWaiter
{
    private const int ProgressId = 90;

    private readonly IEcsClient _ecs;
    private readonly IElbv2Client _elb;
    private readonly IOperationHost _host;
    private readonly WatchClock _clock;

    // The running tasks of each cluster: another deployment's described once, ours again until RUNNING with an address.
    private readonly ClusterTasks _runningTasks;

    public TargetHealthWaiter(IEcsClient ecs, IElbv2Client elb, IOperationHost host, WatchClock clock)
    {
        _ecs = ecs;
        _elb = elb;
        _host = host;
        _clock = clock;
        _runningTasks = new ClusterTasks(ecs);
    }

    /// <summary>A service being checked: its watch, its target groups, and what it waits for as of the last round.</summary>
    private sealed record Check(ServiceWatch Watch, IReadOnlyList<string> Groups)
    {
        public Deployment Deployment => Watch.Deployment;

        public string Name => $"{Deployment.Cluster}/{Deployment.Service}";

        public IReadOnlyList<string> Waiting { get; set; } = [];
    }

    /// <summary>
    /// Checks each watch ECS called a success; a failure turns it into <see cref="WatchState.Failed"/> with the reasons. Every
    /// service's check begins with the first round, so each has the whole <paramref name="timeout"/> for its targets.
    /// </summary>
    public async Task WaitAsync(IReadOnlyList<ServiceWatch> watches, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var succeeded = watches.Where(w => w.State == WatchState.Succeeded).ToList();
        if (succeeded.Count == 0)
        {
            return;
        }

        var services = await EcsServices.DescribeAsync(_ecs, succeeded.Select(w => (w.Deployment.Cluster, w.Deployment.Service)), cancellationToken).ConfigureAwait(false);
        var pending = succeeded
            .Select(w => new Check(w, services.GetValueOrDefault((w.Deployment.Cluster, w.Deployment.Service)) is { } service ? TargetGroupReferences.ArnsOf(service.LoadBalancers) : []))
            .Where(c => c.Groups.Count > 0).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        var start = _clock.Now();
        var activity = Activity(pending);
        var interval = FirstInterval;
        try
        {
            while (true)
            {
                var ips = await RunningTaskIpsAsync(pending, cancellationToken).ConfigureAwait(false);
                var health = new Dictionary<string, IReadOnlyList<TargetHealth>>(StringComparer.Ordinal);
                foreach (var group in pending.SelectMany(c => c.Groups).Distinct(StringComparer.Ordinal))
                {
                    health[group] = await _elb.DescribeTargetHealthAsync(group, cancellationToken).ConfigureAwait(false);
                }

                var elapsed = _clock.Now() - start;
                var changed = false;
                foreach (var check in pending.ToList())
                {
                    var (failed, waiting) = Compare(ips[check.Deployment.DeploymentId], check.Groups, health);
                    changed |= !waiting.SequenceEqual(check.Waiting, StringComparer.Ordinal);
                    check.Waiting = waiting;
                    if (failed.Count > 0 || (waiting.Count > 0 && elapsed >= timeout))
                    {
                        check.Watch.FailTargets([.. failed, .. waiting]);
                        pending.Remove(check);
                        changed = true;
                    }
                    else if (waiting.Count == 0)
                    {
                        _host.WriteVerbose($"{check.Name}: every task is healthy in {string.Join(", ", check.Groups.Select(AwsArn.TargetGroupName))}.");
                        pending.Remove(check);
                        changed = true;
                    }
                }

                if (pending.Count == 0)
                {
                    return;
                }

                activity = Activity(pending);
                _host.WriteProgress(new ProgressUpdate(ProgressId, activity, (pending.Count == 1 ? string.Empty : pending[0].Name + ": ") + pending[0].Waiting[0]));
                // Each round asks every target group still waited on: while nothing changes the rounds grow apart (1 s, 2 s,
                // 4 s, then the watch's longest interval), and the timeout is never overshot.
                interval = changed ? FirstInterval : TimeSpan.FromTicks(Math.Max(FirstInterval.Ticks, Math.Min(interval.Ticks * 2, _clock.MaxInterval.Ticks)));
                await _clock.Delay(interval < timeout - elapsed ? interval : timeout - elapsed, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _host.WriteProgress(new ProgressUpdate(ProgressId, activity, "Done", Completed: true));
        }
    }

    /// <summary>The first interval between rounds, and the one after any change: ELB's health checks run every few seconds.</summary>
    private TimeSpan FirstInterval => _clock.MinInterval * 4;

    /// <summary>"Waiting for healthy targets of cruddur/backend-flask", or "of 30 services".</summary>
    private static string Activity(IReadOnlyList<Check> pending) =>
        $"Waiting for healthy targets of {(pending.Count == 1 ? pending[0].Name : $"{pending.Count} services")}";

    /// <summary>Compares a deployment's running tasks with its target groups' targets; returns failures and what is still pending.</summary>
    private static (List<string> Failed, List<string> Waiting) Compare(
        IEnumerable<(string Task, string Ip)> ips, IReadOnlyList<string> groups, IReadOnlyDictionary<string, IReadOnlyList<TargetHealth>> health)
    {
        var failed = new List<string>();
        var waiting = new List<string>();
        foreach (var group in groups)
        {
            var targets = health[group];
            foreach (var (task, ip) in ips)
            {
                var target = targets.FirstOrDefault(t => t.Id == ip);
                var what = $"task {task} ({ip}) in target group {AwsArn.TargetGroupName(group)}";
                switch (target?.State)
                {
                    case null:
                        waiting.Add($"{what} is not registered");
                        break;
                    case "healthy":
                        break;
                    case "initial":
                        waiting.Add($"{what} is initial ({target.Reason}: {target.Description})");
                        break;
                    default:
                        failed.Add($"{what} is {target.State}: {target.Reason}: {target.Description}");
                        break;
                }
            }
        }

        return (failed, waiting);
    }

    /// <summary>
    /// The running tasks with an address of each pending deployment, by deployment id: per cluster one ListTasks of its
    /// running tasks (every page) and DescribeTasks (100 a call) of those not yet known.
    /// </summary>
    private async Task<ILookup<string, (string Task, string Ip)>> RunningTaskIpsAsync(IReadOnlyList<Check> pending, CancellationToken cancellationToken)
    {
        var running = new List<EcsTask>();
        foreach (var cluster in pending.GroupBy(c => c.Deployment.Cluster, StringComparer.Ordinal))
        {
            var ours = cluster.Select(c => c.Deployment.DeploymentId).ToHashSet(StringComparer.Ordinal);
            running.AddRange(await _runningTasks.ListAsync(cluster.Key, "RUNNING", t => !(t.StartedBy is { } by && ours.Contains(by)) || IsUp(t), cancellationToken).ConfigureAwait(false));
        }

        return running.Where(t => IsUp(t) && t.StartedBy is not null)
            .ToLookup(t => t.StartedBy!, t => (t.Id, t.PrivateIpv4Address!), StringComparer.Ordinal);
    }

    private static bool IsUp(EcsTask task) => task.LastStatus == "RUNNING" && task.PrivateIpv4Address is not null;

}
