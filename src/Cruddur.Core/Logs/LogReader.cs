using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.Core.Tasks;

namespace Cruddur.Core.Logs;

/// <summary>What Get-CruddurLog reads: which services' tasks, which container, since when, how many, which lines, and whether to follow.</summary>
public sealed record LogRequest(string Cluster, IReadOnlyList<string> Services)
{
    public string? Container { get; init; }

    /// <summary>Only this task (id or ARN).</summary>
    public string? TaskId { get; init; }

    public DateTimeOffset? Since { get; init; }

    /// <summary>Only the last N lines (before following).</summary>
    public int? Tail { get; init; }

    /// <summary>A CloudWatch Logs filter pattern, such as ERROR or "GET /api".</summary>
    public string? Filter { get; init; }

    public bool Follow { get; init; }
}

/// <summary>
/// Get-CruddurLog: finds the streams of a service's tasks, and of the one-off tasks Invoke-CruddurTask ran from it, from the
/// awslogs options of the task definitions they run, reads
/// them merged in time order, and with <see cref="LogRequest.Follow"/> keeps polling (quickly while lines come, slower when
/// quiet) and picks up tasks that start meanwhile.
/// </summary>
public sealed class LogReader
{
    /// <summary>How often a follow looks for tasks that started.</summary>
    private static readonly TimeSpan TaskRefresh = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, EcsTaskDefinition> _definitions = new(StringComparer.Ordinal);
    private readonly IEcsClient _ecs;
    private readonly ILogEventSource _logs;
    private readonly IOperationHost _host;
    private readonly string _region;
    private readonly WatchClock _clock;

    internal LogReader(IEcsClient ecs, ILogEventSource logs, IOperationHost host, string region, WatchClock? clock = null)
    {
        _ecs = ecs;
        _logs = logs;
        _host = host;
        _region = region;
        _clock = clock ?? WatchClock.System;
    }

    public async Task ReadAsync(LogRequest request, Action<LogEvent> emit, CancellationToken cancellationToken)
    {
        var poller = new LogPoller(_logs, request.Filter, request.Since?.ToUnixTimeMilliseconds(), dedupe: request.Follow);
        var streams = await FindStreamsAsync(request, cancellationToken).ConfigureAwait(false);
        if (streams.Count == 0 && !request.Follow)
        {
            throw NoTask(request);
        }

        foreach (var s in streams)
        {
            poller.Add(s);
        }

        if (request.Tail is { } tail)
        {
            var last = new Queue<LogEvent>(Math.Min(tail, 10_000));
            await poller.PollAsync(e =>
            {
                if (last.Count == tail)
                {
                    last.Dequeue();
                }

                if (tail > 0)
                {
                    last.Enqueue(e);
                }
            }, cancellationToken).ConfigureAwait(false);
            foreach (var e in last)
            {
                emit(e);
            }
        }
        else
        {
            await poller.PollAsync(emit, cancellationToken).ConfigureAwait(false);
        }

        if (request.Follow)
        {
            await FollowAsync(request, poller, emit, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FollowAsync(LogRequest request, LogPoller poller, Action<LogEvent> emit, CancellationToken cancellationToken)
    {
        var interval = _clock.MinInterval;
        var lastRefresh = _clock.Now();
        _host.WriteProgress(new ProgressUpdate(ProgressId, "Get-CruddurLog", $"Following {poller.Count} log streams; Ctrl+C stops"));
        while (true)
        {
            await _clock.Delay(interval, cancellationToken).ConfigureAwait(false);
            var changed = false;
            if (_clock.Now() - lastRefresh >= TaskRefresh)
            {
                lastRefresh = _clock.Now();
                foreach (var s in await FindStreamsAsync(request, cancellationToken).ConfigureAwait(false))
                {
                    if (poller.Add(s))
                    {
                        _host.WriteVerbose($"Following {s.Group} {s.Stream} (task {s.TaskId} of {s.Service})");
                        changed = true;
                    }
                }
            }

            changed |= await poller.PollAsync(emit, cancellationToken).ConfigureAwait(false) > 0;
            interval = changed ? _clock.MinInterval : TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, _clock.MaxInterval.Ticks));
        }
    }

    private const int ProgressId = 14;

    private async Task<List<LogStreamRef>> FindStreamsAsync(LogRequest request, CancellationToken cancellationToken)
    {
        var streams = new List<LogStreamRef>();
        IReadOnlyList<EcsTask>? oneOffTasks = null;
        foreach (var service in request.Services)
        {
            var current = await EcsTasks.ServiceAsync(_ecs, request.Cluster, service, cancellationToken).ConfigureAwait(false);

            // A task id names the task itself: one-off tasks run beside the service and are not among its tasks.
            var tasks = request.TaskId is { } wanted
                ? await _ecs.DescribeTasksAsync(request.Cluster, [AwsArn.LastSegment(wanted)], cancellationToken).ConfigureAwait(false)
                : await EcsTasks.OfServiceAsync(_ecs, request.Cluster, service, cancellationToken).ConfigureAwait(false);
            foreach (var task in tasks.Where(t => InWindow(t, request)))
            {
                var definition = await DefinitionAsync(task.TaskDefinitionArn!, cancellationToken).ConfigureAwait(false);
                AddStreams(streams, service, task, AwsLogsTarget.Of(definition, request.Container, _region), oneOff: false);
            }

            if (request.TaskId is not null || current.TaskDefinition is not { } serviceDefinition)
            {
                continue;
            }

            // The one-off tasks Invoke-CruddurTask ran from the service: the ones that log to its group under its prefix, as `aws logs tail` shows them.
            var shared = AwsLogsTarget.All(await DefinitionAsync(serviceDefinition, cancellationToken).ConfigureAwait(false), _region)
                .Select(t => (t.Region, t.Group, t.StreamPrefix)).ToHashSet();
            oneOffTasks ??= await EcsTasks.OneOffAsync(_ecs, request.Cluster, cancellationToken).ConfigureAwait(false);
            foreach (var task in oneOffTasks.Where(t => InWindow(t, request)))
            {
                var targets = AwsLogsTarget.All(await DefinitionAsync(task.TaskDefinitionArn!, cancellationToken).ConfigureAwait(false), _region)
                    .Where(t => (request.Container is null || t.Container == request.Container) && shared.Contains((t.Region, t.Group, t.StreamPrefix)));
                AddStreams(streams, service, task, targets, oneOff: true);
            }
        }

        return streams;
    }

    /// <summary>False for a task that stopped before the -Since window: nothing to read.</summary>
    private static bool InWindow(EcsTask task, LogRequest request) => request.Since is not { } since || !(task.StoppedAt < since);

    private static void AddStreams(List<LogStreamRef> streams, string service, EcsTask task, IEnumerable<AwsLogsTarget> targets, bool oneOff)
    {
        var id = task.Id;
        var createdAt = task.CreatedAt?.ToUnixTimeMilliseconds();
        foreach (var target in targets)
        {
            streams.Add(new LogStreamRef(target.Region, target.Group, target.StreamFor(id), service, id, target.Container, createdAt, oneOff));
        }
    }

    private async Task<EcsTaskDefinition> DefinitionAsync(string arn, CancellationToken cancellationToken)
    {
        if (!_definitions.TryGetValue(arn, out var definition))
        {
            definition = await EcsTasks.TaskDefinitionAsync(_ecs, arn, cancellationToken).ConfigureAwait(false);
            _definitions[arn] = definition;
        }

        return definition;
    }

    private static CruddurException NoTask(LogRequest request) =>
        new(ErrorIds.LogNoTask, ErrorKind.ObjectNotFound,
            $"{string.Join(", ", request.Services)} in the cluster {request.Cluster} has no running or recently stopped task{(request.TaskId is null ? string.Empty : $" with the id {request.TaskId}")}"
            + $"{(request.Since is null ? string.Empty : " since " + request.Since.Value.ToString("u", System.Globalization.CultureInfo.InvariantCulture))}, so there are no logs to read. Start one (Deploy-CruddurService, Invoke-CruddurTask).",
            target: request.Services.Count == 1 ? request.Services[0] : request.Services);
}
