namespace Cruddur.EcsSimulator;

/// <summary>
/// ECS's request throttling as the ECS API reference documents it: per account and Region, one token bucket per group of
/// actions (burst, then a sustained refill per second). The refill runs on the simulator's clock, so at --time-scale 0.02
/// a bucket refills fifty times faster in real time. A call that finds its bucket empty is answered as ECS answers it.
/// </summary>
public sealed class ApiQuotas(double timeScale, TimeProvider? time = null)
{
    private static readonly (string Bucket, int Burst, int PerSecond, string[] Actions)[] Buckets =
    [
        ("cluster-read", 50, 20, ["DescribeClusters", "ListClusters"]),
        ("cluster-resource-read", 100, 20, ["DescribeTasks", "ListTasks", "DescribeContainerInstances", "ListContainerInstances"]),
        ("cluster-resource-modify", 100, 40, ["RunTask", "StartTask", "StopTask", "ExecuteCommand"]),
        ("service-read", 100, 20, ["DescribeServices", "ListServices", "ListServicesByNamespace"]),
        ("service-modify", 50, 5, ["CreateService", "UpdateService", "DeleteService"]),
        ("task-definition-read", 50, 20, ["DescribeTaskDefinition", "ListTaskDefinitions", "ListTaskDefinitionFamilies"]),
        ("task-definition-modify", 20, 1, ["RegisterTaskDefinition", "DeregisterTaskDefinition", "DeleteTaskDefinitions"]),
        ("service-deployment-read", 50, 20, ["ListServiceDeployments", "DescribeServiceDeployments", "DescribeServiceRevisions"]),
    ];

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, (double Tokens, DateTimeOffset At)> _levels = new(StringComparer.Ordinal);

    /// <summary>The documented buckets (GET /_sim/quotas), for benches that work out the time they alone impose.</summary>
    public static IEnumerable<object> Documented => Buckets.Select(b => new { bucket = b.Bucket, burst = b.Burst, perSecond = b.PerSecond, actions = b.Actions });

    /// <summary>How many calls each bucket refused, for benches and tests (GET /_sim/quotas).</summary>
    public Dictionary<string, int> Throttled { get; } = new(StringComparer.Ordinal);

    /// <summary>Takes a token for <paramref name="operation"/> in <paramref name="region"/>; null, or the error ECS answers when none is left.</summary>
    public EcsError? Take(string operation, string region)
    {
        if (Array.Find(Buckets, b => b.Actions.Contains(operation)) is not { Bucket: not null } bucket)
        {
            return null;
        }

        var key = $"{region}/{bucket.Bucket}";
        var now = _time.GetUtcNow();
        var (tokens, at) = _levels.TryGetValue(key, out var level) ? level : (bucket.Burst, now);
        tokens = Math.Min(bucket.Burst, tokens + (now - at).TotalSeconds / timeScale * bucket.PerSecond);
        if (tokens < 1)
        {
            _levels[key] = (tokens, now);
            Throttled[bucket.Bucket] = Throttled.GetValueOrDefault(bucket.Bucket) + 1;
            return new EcsError("ThrottlingException", "Rate exceeded");
        }

        _levels[key] = (tokens - 1, now);
        return null;
    }
}
