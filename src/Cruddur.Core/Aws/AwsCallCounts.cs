using System.Collections.Concurrent;

namespace Cruddur.Core.Aws;

/// <summary>
/// The requests a command sent, per service and operation, retries included: what it spent of the account's API quotas.
/// </summary>
public sealed class AwsCallCounts
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    internal void Add(AwsCall call) => _counts.AddOrUpdate(call.ToString(), 1, (_, n) => n + 1);

    /// <summary>
    /// "AWS requests: 12 (ECS DescribeServices 4, ECS ListTasks 8)", most first, for the requests sent since the last
    /// summary; null when there were none.
    /// </summary>
    public string? TakeSummary()
    {
        var taken = _counts.Keys.Select(k => (Call: k, Count: _counts.TryRemove(k, out var n) ? n : 0)).Where(c => c.Count > 0)
            .OrderByDescending(c => c.Count).ThenBy(c => c.Call, StringComparer.Ordinal).ToList();
        return taken.Count == 0 ? null
            : $"AWS requests: {taken.Sum(c => c.Count)} ({string.Join(", ", taken.Select(c => $"{c.Call} {c.Count}"))})";
    }
}
