using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// One more condition of a deploy's success for a service behind a load balancer: every running task of our deployment
/// is registered and healthy in each of the service's target groups. <c>initial</c> and not-yet-registered targets are
/// waited for; <c>unhealthy</c> and <c>draining</c> ones fail the deployment with ELB's reason code at once; targets still
/// missing or initial when the time is up fail it too.
/// </summary>
internal sealed class TargetHealthWaiter
{
    private const int ProgressId = 90;

    private readonly IEcsClient _ecs;
    private readonly IElbv2Client _elb;
    private readonly IOperationHost _host;
    private readonly WatchClock _clock;

    public TargetHealthWaiter(IEcsClient ecs, IElbv2Client elb, IOperationHost host, WatchClock clock)
    {
        _ecs = ecs;
        _elb = elb;
        _host = host;
        _clock = clock;
    }

    /// <summary>Checks each watch ECS called a success; a failure turns it into <see cref="WatchState.Failed"/> with the reasons.</summary>
    public async Task WaitAsync(IReadOnlyList<ServiceWatch> watches, TimeSpan timeout, CancellationToken cancellationToken)
    {
        foreach (var w in watches.Where(w => w.State == WatchState.Succeeded))
        {
            var d = w.Deployment;
            var services = await EcsServices.DescribeAsync(_ecs, [(d.Cluster, d.Service)], cancellationToken).ConfigureAwait(false);
            var groups = services.GetValueOrDefault((d.Cluster, d.Service)) is { } service ? TargetGroupReferences.ArnsOf(service.LoadBalancers) : [];
            if (groups.Count == 0)
            {
                continue;
            }

            var start = _clock.Now();
            try
            {
                while (true)
                {
                    var (failed, waiting) = await CheckAsync(d, groups, cancellationToken).ConfigureAwait(false);
                    var elapsed = _clock.Now() - start;
                    if (failed.Count > 0 || (waiting.Count > 0 && elapsed >= timeout))
                    {
                        w.FailTargets([.. failed, .. waiting]);
                        break;
                    }

                    if (waiting.Count == 0)
                    {
                        _host.WriteVerbose($"{d.Cluster}/{d.Service}: every task is healthy in {string.Join(", ", groups.Select(ShortName))}.");
                        break;
                    }

                    _host.WriteProgress(new ProgressUpdate(ProgressId, $"Waiting for healthy targets of {d.Cluster}/{d.Service}", waiting[0]));
                    await _clock.Delay(_clock.MinInterval * 4, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _host.WriteProgress(new ProgressUpdate(ProgressId, $"Waiting for healthy targets of {d.Cluster}/{d.Service}", "Done", Completed: true));
            }
        }
    }

    /// <summary>Compares our deployment's running tasks with each target group's targets; returns failures and what is still pending.</summary>
    private async Task<(List<string> Failed, List<string> Waiting)> CheckAsync(Deployment d, IReadOnlyList<string> groups, CancellationToken cancellationToken)
    {
        var ips = await RunningTaskIpsAsync(d, cancellationToken).ConfigureAwait(false);
        var failed = new List<string>();
        var waiting = new List<string>();
        foreach (var group in groups)
        {
            var targets = await _elb.DescribeTargetHealthAsync(group, cancellationToken).ConfigureAwait(false);
            foreach (var (task, ip) in ips)
            {
                var target = targets.FirstOrDefault(t => t.Id == ip);
                var what = $"task {task} ({ip}) in target group {ShortName(group)}";
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

    private async Task<List<(string Task, string Ip)>> RunningTaskIpsAsync(Deployment d, CancellationToken cancellationToken)
    {
        var arns = await _ecs.ListTaskArnsAsync(new EcsTaskQuery(d.Cluster, StartedBy: d.DeploymentId, DesiredStatus: "RUNNING", FirstPageOnly: true), cancellationToken).ConfigureAwait(false);
        if (arns.Count == 0)
        {
            return [];
        }

        var described = await _ecs.DescribeTasksAsync(d.Cluster, arns, cancellationToken).ConfigureAwait(false);
        return described
            .Where(t => t.LastStatus == "RUNNING" && t.PrivateIpv4Address is not null)
            .Select(t => (t.Id, t.PrivateIpv4Address!)).ToList();
    }

    private static string ShortName(string targetGroupArn) => targetGroupArn.Split('/') is { Length: >= 2 } parts ? parts[^2] : targetGroupArn;
}
