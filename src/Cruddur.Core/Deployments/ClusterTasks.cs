using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Deployments;

/// <summary>
/// The tasks of a cluster in one desired status, for watches that follow many services at once: per call one ListTasks of
/// the cluster (every page) and DescribeTasks only for tasks not described before, so a round costs calls per cluster, not
/// per service (ECS's cluster-read quota is shared by the whole account). Which deployment started a task (startedBy) never
/// changes; a task the caller does not call settled yet (ours, still starting) is described again next time.
/// </summary>
internal sealed class ClusterTasks
{
    private readonly IEcsClient _ecs;

    // Null: listed, but ECS no longer describes it (it belongs to no deployment).
    private readonly Dictionary<string, EcsTask?> _described = new(StringComparer.Ordinal);

    public ClusterTasks(IEcsClient ecs) => _ecs = ecs;

    /// <summary>The described tasks of <paramref name="cluster"/> whose desired status is <paramref name="desiredStatus"/>; <paramref name="settled"/> says which need no new look.</summary>
    public async Task<IReadOnlyList<EcsTask>> ListAsync(string cluster, string desiredStatus, Func<EcsTask, bool> settled, CancellationToken cancellationToken)
    {
        var arns = await _ecs.ListTaskArnsAsync(new EcsTaskQuery(cluster, DesiredStatus: desiredStatus), cancellationToken).ConfigureAwait(false);
        var fresh = new Dictionary<string, EcsTask>(StringComparer.Ordinal);
        var unknown = arns.Where(arn => !_described.ContainsKey(arn)).ToList();
        if (unknown.Count > 0)
        {
            foreach (var arn in unknown)
            {
                _described[arn] = null;
            }

            foreach (var task in await _ecs.DescribeTasksAsync(cluster, unknown, cancellationToken).ConfigureAwait(false))
            {
                fresh[task.Arn] = task;
                if (settled(task))
                {
                    _described[task.Arn] = task;
                }
                else
                {
                    _described.Remove(task.Arn);
                }
            }
        }

        return arns.Select(arn => fresh.GetValueOrDefault(arn) ?? _described.GetValueOrDefault(arn)).OfType<EcsTask>().ToList();
    }
}
