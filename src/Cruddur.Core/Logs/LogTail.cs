namespace Cruddur.Core.Logs;

/// <summary>The last lines of one container of one task.</summary>
internal static class LogTail
{
    public static async Task<IReadOnlyList<string>> ReadAsync(ILogEventSource logs, AwsLogsTarget target, string taskId, int count, CancellationToken cancellationToken)
    {
        var poller = new LogPoller(logs, null, null, dedupe: false);
        poller.Add(new LogStreamRef(target.Region, target.Group, target.StreamFor(taskId), string.Empty, taskId, target.Container, null));
        var last = new Queue<string>(count);
        await poller.PollAsync(e =>
        {
            if (last.Count == count)
            {
                last.Dequeue();
            }

            last.Enqueue(e.Message);
        }, cancellationToken).ConfigureAwait(false);
        return last.ToList();
    }
}
