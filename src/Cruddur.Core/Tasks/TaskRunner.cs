using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.Core.Logs;

namespace Cruddur.Core.Tasks;

/// <summary>A one-off task to run next to a service: its command, environment and container.</summary>
public sealed record OneOffTask(string Cluster, string Service)
{
    /// <summary>The command (argv); null runs the image's own command.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The container to override and judge; default: the one named like the service, else the first essential one.</summary>
    public string? Container { get; init; }

    /// <summary>family, family:revision or ARN; default: the service's current task definition.</summary>
    public string? TaskDefinition { get; init; }

    public bool Wait { get; init; } = true;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>
/// Invoke-CruddurTask: RunTask with the service's task definition and network configuration, then (unless told not to
/// wait) polls the task to STOPPED with progress while its log lines stream to the host, and returns the outcome.
/// </summary>
public sealed class TaskRunner
{
    public const int LogTailLines = 20;
    private const int ProgressId = 15;
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(20);
    private readonly IEcsClient _ecs;
    private readonly ILogEventSource _logs;
    private readonly IOperationHost _host;
    private readonly string _region;
    private readonly WatchClock _clock;
    private bool _logsUnavailable;

    internal TaskRunner(IEcsClient ecs, ILogEventSource logs, IOperationHost host, string region, WatchClock? clock = null)
    {
        _ecs = ecs;
        _logs = logs;
        _host = host;
        _region = region;
        _clock = clock ?? WatchClock.System;
    }

    /// <summary>
    /// Runs the task; null when -WhatIf or the user declined. A cancelled wait asks the host whether to stop the task
    /// (leaving it running where nobody can be asked) and ends with an <see cref="OperationStoppedException"/> saying which.
    /// </summary>
    public async Task<TaskResult?> RunAsync(OneOffTask task, CancellationToken cancellationToken)
    {
        var service = await EcsTasks.ServiceAsync(_ecs, task.Cluster, task.Service, cancellationToken).ConfigureAwait(false);
        var definition = await EcsTasks.TaskDefinitionAsync(_ecs, task.TaskDefinition ?? service.TaskDefinition!, cancellationToken).ConfigureAwait(false);
        var arn = definition.Arn!;
        var container = ChooseContainer(definition, task);
        var logTargets = TryLogTargets(definition);
        var what = task.Command is null ? "the image's command" : string.Join(' ', task.Command.Select(Quote));
        if (!_host.ShouldProcess($"{task.Cluster}/{task.Service}", $"Run a one-off task of {AwsArn.TaskDefinitionName(arn)}: {what} (container {container})"))
        {
            return null;
        }

        var startedAt = _clock.Now();
        var (tasks, failures) = await _ecs.RunTaskAsync(RunTaskRequest(task, service, arn, container), cancellationToken).ConfigureAwait(false);
        var launched = tasks.FirstOrDefault();
        if (launched is null)
        {
            throw new CruddurException(ErrorIds.TaskRunFailed, ErrorKind.InvalidOperation,
                $"ECS did not start the one-off task of {AwsArn.TaskDefinitionName(arn)}: {string.Join("; ", failures)}. Check the cluster's capacity and the service's network configuration.", target: task.Service);
        }

        var result = new TaskResult { Cluster = task.Cluster, Service = task.Service, TaskArn = launched.Arn, TaskDefinitionArn = arn, Container = container };
        _host.WriteVerbose($"Started task {result.TaskId} of {AwsArn.TaskDefinitionName(arn)} in {task.Cluster}");
        Update(result, launched);
        if (!task.Wait)
        {
            return result;
        }

        var tail = new Queue<string>();
        var poller = new LogPoller(_logs, null, null, dedupe: true);
        foreach (var t in logTargets)
        {
            poller.Add(new LogStreamRef(t.Region, t.Group, t.StreamFor(result.TaskId), task.Service, result.TaskId, t.Container, _clock.Now().ToUnixTimeMilliseconds() - 1000));
        }

        void Emit(LogEvent e)
        {
            _host.WriteInformation(logTargets.Count > 1 ? $"{e.Container}: {e.Message}" : e.Message, InformationTags.TaskLog);
            if (e.Container == container)
            {
                if (tail.Count == LogTailLines)
                {
                    tail.Dequeue();
                }

                tail.Enqueue(e.Message);
            }
        }

        try
        {
            await WaitAsync(result, poller, Emit, startedAt, task.Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationStoppedException(await AfterStopAsync(result).ConfigureAwait(false), e, cancellationToken);
        }
        finally
        {
            _host.WriteProgress(new ProgressUpdate(ProgressId, "Invoke-CruddurTask", "Done", Completed: true));
        }

        result.Duration = _clock.Now() - startedAt;
        result.Logs = tail.ToList();
        return result;
    }

    /// <summary>The error for a task that did not succeed (never started, non-zero exit, still running at the timeout), or null.</summary>
    public static CruddurException? ErrorFor(TaskResult r)
    {
        var lines = r.Logs.Count == 0 ? " It wrote no log lines." : $" Its last log lines:{System.Environment.NewLine}    " + string.Join(System.Environment.NewLine + "    ", r.Logs);
        if (r.TimedOut)
        {
            return new CruddurException(ErrorIds.TaskTimedOut, ErrorKind.OperationTimeout,
                $"The one-off task {r.TaskId} of {r.Cluster}/{r.Service} was still {r.LastStatus} after {r.Duration:hh\\:mm\\:ss}; it keeps running. Follow it with Get-CruddurLog -Service {r.Service} -TaskId {r.TaskId} -Follow, or stop it with aws ecs stop-task --cluster {r.Cluster} --task {r.TaskId}.{lines}", target: r);
        }

        if (!r.Started)
        {
            return new CruddurException(ErrorIds.TaskNotStarted, ErrorKind.InvalidOperation,
                $"The one-off task {r.TaskId} of {r.Cluster}/{r.Service} never started: {r.StoppedReason ?? "no reason given"} ({r.StopCode}). Fix the cause (image, log group, command, network) and run it again.{lines}", target: r);
        }

        if (r.ExitCode is 0)
        {
            return null;
        }

        var exit = r.ExitCode is { } code ? $"exited with code {code}" : "stopped without an exit code";
        return new CruddurException(ErrorIds.TaskFailed, ErrorKind.InvalidOperation,
            $"The one-off task {r.TaskId} of {r.Cluster}/{r.Service}: container {r.Container} {exit} ({r.StoppedReason}).{lines}", target: r);
    }

    private async Task WaitAsync(TaskResult result, LogPoller poller, Action<LogEvent> emit, DateTimeOffset started, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var interval = _clock.MinInterval;
        while (true)
        {
            var described = await _ecs.DescribeTasksAsync(result.Cluster, [result.TaskArn], cancellationToken).ConfigureAwait(false);
            var before = result.LastStatus;
            if (described.FirstOrDefault() is { } t)
            {
                Update(result, t);
            }

            var lines = await PollLogsAsync(poller, emit, cancellationToken).ConfigureAwait(false);
            var elapsed = _clock.Now() - started;
            _host.WriteProgress(new ProgressUpdate(ProgressId, "Invoke-CruddurTask", $"Task {result.TaskId}: {result.LastStatus} ({elapsed:mm\\:ss})"));
            if (result.LastStatus == "STOPPED")
            {
                await PollLogsAsync(poller, emit, cancellationToken).ConfigureAwait(false); // lines stored while it stopped
                return;
            }

            if (elapsed >= timeout)
            {
                result.TimedOut = true;
                return;
            }

            interval = lines > 0 || before != result.LastStatus ? _clock.MinInterval : TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, _clock.MaxInterval.Ticks));
            await _clock.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    // Logs are a view on the task, not the task: without them the wait goes on (and a missing group stops the task itself).
    private async Task<int> PollLogsAsync(LogPoller poller, Action<LogEvent> emit, CancellationToken cancellationToken)
    {
        if (_logsUnavailable)
        {
            return 0;
        }

        try
        {
            return await poller.PollAsync(emit, cancellationToken).ConfigureAwait(false);
        }
        catch (CruddurException e) when (e.ErrorId == ErrorIds.LogGroupNotFound)
        {
            _logsUnavailable = true;
            _host.WriteWarning(e.Message);
            return 0;
        }
    }

    // After Ctrl+C the task runs on in ECS: the user may want it stopped. The stop has its own deadline, inside the time the
    // host gives a stopped worker after an answer.
    private async Task<string> AfterStopAsync(TaskResult r)
    {
        var leftRunning = $"Stopped waiting; the one-off task {r.TaskId} keeps running in {r.Cluster}. Follow it with: Get-CruddurLog -Cluster {r.Cluster} -Service {r.Service} -TaskId {r.TaskId} -Follow";
        var stop = _host.ChooseAfterStop("Stop the one-off task?", $"Task {r.TaskId} of {r.Service} is {r.LastStatus}.",
            [new StopChoice("Leave it running", "Stop waiting; the task carries on in ECS."), new StopChoice("Stop the task", "Ask ECS to stop the task now.")], 0) == 1;
        if (!stop)
        {
            return leftRunning;
        }

        using var deadline = new CancellationTokenSource(StopDeadline);
        try
        {
            await _ecs.StopTaskAsync(r.Cluster, r.TaskArn, "Stopped by Invoke-CruddurTask (Ctrl+C)", deadline.Token).ConfigureAwait(false);
            return $"Stopped the one-off task {r.TaskId} in {r.Cluster}.";
        }
        catch (Exception e) when (e is CruddurException or OperationCanceledException)
        {
            return $"Could not stop the one-off task {r.TaskId} ({e.Message}). {leftRunning}";
        }
    }

    private static void Update(TaskResult r, EcsTask task)
    {
        r.LastStatus = task.LastStatus ?? r.LastStatus;
        r.StoppedReason = task.StoppedReason;
        r.StopCode = task.StopCode;
        r.StartedAt = task.StartedAt;
        r.StoppedAt = task.StoppedAt;
        r.ExitCodes = task.Containers.ToDictionary(c => c.Name!, c => c.ExitCode, StringComparer.Ordinal);
    }

    private static JsonObject RunTaskRequest(OneOffTask task, EcsService service, string arn, string container)
    {
        var containerOverride = new JsonObject { ["name"] = container };
        if (task.Command is { } command)
        {
            containerOverride["command"] = new JsonArray(command.Select(a => (JsonNode)a).ToArray());
        }

        if (task.Environment.Count > 0)
        {
            containerOverride["environment"] = new JsonArray(task.Environment.Select(kv => (JsonNode)new JsonObject { ["name"] = kv.Key, ["value"] = kv.Value }).ToArray());
        }

        var request = new JsonObject
        {
            ["cluster"] = task.Cluster,
            ["taskDefinition"] = arn,
            ["count"] = 1,
            ["startedBy"] = EcsTasks.OneOffStartedBy,
            ["enableExecuteCommand"] = service.EnableExecuteCommand,
            ["overrides"] = new JsonObject { ["containerOverrides"] = new JsonArray(containerOverride) },
        };
        if (service.CapacityProviderStrategy is { Count: > 0 } strategy)
        {
            request["capacityProviderStrategy"] = strategy.DeepClone();
        }
        else
        {
            request["launchType"] = service.LaunchType ?? "FARGATE";
        }

        if (service.PlatformVersion is { } platformVersion)
        {
            request["platformVersion"] = platformVersion;
        }

        if (service.NetworkConfiguration is { } networkConfiguration)
        {
            request["networkConfiguration"] = networkConfiguration.DeepClone();
        }

        return request;
    }

    private static string ChooseContainer(EcsTaskDefinition definition, OneOffTask task)
    {
        var containers = definition.Containers;
        var names = containers.Select(c => c.Name).OfType<string>().ToList();
        if (task.Container is { } chosen)
        {
            return names.Contains(chosen)
                ? chosen
                : throw AwsLogsTarget.ContainerNotFound(chosen, AwsArn.TaskDefinitionName(definition.Arn!), names);
        }

        return names.Contains(task.Service) ? task.Service
            : containers.Where(c => c.Essential ?? true).Select(c => c.Name).OfType<string>().FirstOrDefault() ?? names[0];
    }

    // A one-off task still runs without awslogs; it just has no lines to show.
    private IReadOnlyList<AwsLogsTarget> TryLogTargets(EcsTaskDefinition definition)
    {
        try
        {
            return AwsLogsTarget.Of(definition, null, _region);
        }
        catch (CruddurException e) when (e.ErrorId == ErrorIds.LogNotConfigured)
        {
            _host.WriteWarning(e.Message);
            return [];
        }
    }

    private static string Quote(string arg) => arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || "-_./=:@%+,".Contains(c)) ? arg : $"'{arg.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
