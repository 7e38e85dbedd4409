using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>How a task's start went: go on, wait a moment (log streams still being created), or fail with a reason.</summary>
public readonly record struct StartResult(bool Wait, string? FailureReason)
{
    public static readonly StartResult Go = new(false, null);
}

/// <summary>
/// What runs "inside" the simulated tasks. A container whose definition or RunTask override gives <c>entryPoint</c> and/or
/// <c>command</c> runs it as a real local process (argv as given, no image: the simulator has no container engine) in its
/// <c>workingDirectory</c> when that exists on the host, else a scratch folder per task, with the container's environment; its
/// stdout/stderr become the container's log lines (CloudWatch Logs through <see cref="LogsWriter"/>, awslogs driver), its exit
/// code the container's exitCode, and its health check (TaskRuntime.Health.cs) runs beside it. A container without either
/// runs the stand-in server: start-up lines, scenario-driven health and crashes (SimState). dependsOn orders the starts;
/// stopping sends SIGTERM, then SIGKILL after stopTimeout. All members except the process callbacks are called with
/// <see cref="SimState.Gate"/> held.
/// </summary>
public sealed partial class TaskRuntime(SimState state, LogsWriter? logs)
{
    private readonly Dictionary<string, TaskIo> _io = new(StringComparer.Ordinal);

    private sealed class TaskIo(TaskRec task)
    {
        public TaskRec Task { get; } = task;
        public Dictionary<string, LogTarget> Targets { get; } = new(StringComparer.Ordinal);
        public Task<string?>? Prepared { get; set; }
        public List<ContainerRun> Runs { get; } = [];
        public string? Scratch { get; set; }

        /// <summary>Something for <see cref="Tick"/> to do: a process to watch or a container still waiting to start.</summary>
        public bool Active => Runs.Any(r => r.Process is not null || r.Container is { StartedRunning: false, LastStatus: Status.Pending });

        public ContainerRec? Container(string name) => Task.Containers.FirstOrDefault(c => c.Name == name);
    }

    private sealed class ContainerRun(ContainerRec container, ContainerCommand command)
    {
        public ContainerRec Container { get; } = container;
        public ContainerCommand Command { get; } = command;
        public ProcessGroup? Process { get; set; }
        public double StartedAt { get; set; }
        public double KillAt { get; set; } = double.MaxValue;
        public double NextCheckAt { get; set; } = double.MaxValue;
        public int Failures { get; set; }
        public bool Checking { get; set; }
        public bool WasHealthy { get; set; }
    }

    /// <summary>A task was launched: what each container will run, and its log streams being created.</summary>
    public void OnLaunched(TaskRec t)
    {
        var io = new TaskIo(t);
        _io[t.Arn] = io;
        foreach (var c in t.Containers)
        {
            var definition = t.TaskDef.Containers.FirstOrDefault(d => Json.Str(d, "name") == c.Name) ?? [];
            var command = ContainerCommand.Of(definition, Override(t, c.Name));
            c.RunsCommand = command.Argv is not null;
            c.HealthCheckRuns = c.RunsCommand && command.HealthCheck is not null;
            io.Runs.Add(new ContainerRun(c, command));
            if (logs is not null && LogTarget.Of(definition, t.Region, t.Id) is { } target)
            {
                io.Targets[c.Name] = target;
            }
        }
        if (logs is not null && io.Targets.Count > 0)
        {
            var prepares = io.Targets.Values.Select(logs.PrepareAsync).ToList();
            io.Prepared = Task.WhenAll(prepares).ContinueWith(all => all.Result.FirstOrDefault(r => r is not null), TaskScheduler.Default);
        }
    }

    /// <summary>At PENDING → RUNNING: log streams must exist; the containers whose dependsOn allows it start now.</summary>
    public StartResult Start(TaskRec t, double now)
    {
        if (!_io.TryGetValue(t.Arn, out var io))
        {
            return StartResult.Go;
        }
        if (io.Prepared is { IsCompleted: false })
        {
            return new StartResult(true, null);
        }
        if (io.Prepared?.Result is { } logError)
        {
            return new StartResult(false, logError);
        }
        if (StartReady(io, now) is { } failure)
        {
            KillAll(io);
            return new StartResult(false, failure);
        }
        return StartResult.Go;
    }

    /// <summary>Starts every container still PENDING whose dependsOn conditions hold, until none more can; a failure reason
    /// when a program cannot be started.</summary>
    private string? StartReady(TaskIo io, double now)
    {
        bool started;
        do
        {
            started = false;
            foreach (var run in io.Runs.Where(r => r.Container is { StartedRunning: false, LastStatus: Status.Pending }))
            {
                if (!run.Command.DependsOn.All(d => d.IsMet(io.Container(d.ContainerName))))
                {
                    continue;
                }
                if (StartContainer(io, run, now) is { } failure)
                {
                    return failure;
                }
                started = true;
            }
        }
        while (started);
        return null;
    }

    private string? StartContainer(TaskIo io, ContainerRun run, double now)
    {
        var (t, c) = (io.Task, run.Container);
        if (run.Command.Argv is { } argv)
        {
            run.Process = Spawn(io, run, argv);
            if (run.Process is null)
            {
                return $"CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"{argv[0]}\": executable file not found in $PATH: unknown";
            }
            if (run.Command.HealthCheck is { } check)
            {
                run.NextCheckAt = now + state.Scaled(check.Interval);
            }
        }
        else
        {
            Log(t, c, $"[ecs-simulator] {c.Name} started from {c.Image} (task {t.Id})");
            Log(t, c, $" * Serving on http://0.0.0.0:{Port(t, c)} (press CTRL+C to quit)");
        }
        run.StartedAt = now;
        c.LastStatus = Status.Running;
        c.StartedRunning = true;
        if (t.EnableExecuteCommand)
        {
            c.AgentStartedAt = now;
        }
        t.Version++;
        return null;
    }

    /// <summary>Every scheduler tick: containers whose dependencies are now met start, health checks fall due, and
    /// processes that outlived their stopTimeout get SIGKILL.</summary>
    public void Tick(double now)
    {
        foreach (var io in _io.Values.Where(i => i.Active).ToList())
        {
            var t = io.Task;
            if (t is { LastStatus: Status.Running, DesiredStatus: Status.Running } && StartReady(io, now) is { } failure)
            {
                state.FailToStart(t, failure);
            }
            foreach (var run in io.Runs.Where(r => r.Process is not null))
            {
                if (now >= run.KillAt)
                {
                    run.KillAt = double.MaxValue;
                    run.Process!.Signal(ProcessGroup.SigKill);
                }
                else if (now >= run.NextCheckAt && !run.Checking && t.DesiredStatus == Status.Running)
                {
                    RunHealthCheck(io, run, now);
                }
            }
        }
    }

    public void OnHealthChecked(TaskRec t, bool healthy)
    {
        foreach (var c in t.Containers.Where(c => c is { HasHealthCheck: true, HealthCheckRuns: false }))
        {
            for (var i = 0; i < (healthy ? 1 : 3); i++)
            {
                Log(t, c, $"{t.PrivateIp} - - \"GET /api/health-check HTTP/1.1\" {(healthy ? 200 : 503)} -");
            }
            if (!healthy)
            {
                Log(t, c, "ERROR in app: health check failed: database connection refused");
            }
        }
    }

    public void OnCrash(TaskRec t, ContainerRec victim)
    {
        string[] traceback =
        [
            "Traceback (most recent call last):",
            "  File \"/backend-flask/app.py\", line 14, in <module>",
            "    from lib.db import pool",
            "  File \"/backend-flask/lib/db.py\", line 9, in <module>",
            "    pool = ConnectionPool(os.environ[\"CONNECTION_URL\"])",
            "KeyError: 'CONNECTION_URL'",
        ];
        foreach (var line in traceback)
        {
            Log(t, victim, line);
        }
    }

    /// <summary>desiredStatus STOPPED: the commands get SIGTERM (SIGKILL after their stopTimeout); the stand-ins say goodbye.</summary>
    public void OnStopping(TaskRec t, double now)
    {
        if (!_io.TryGetValue(t.Arn, out var io))
        {
            return;
        }
        foreach (var run in io.Runs)
        {
            if (run.Process is { } p)
            {
                p.Signal(ProcessGroup.SigTerm);
                run.KillAt = now + state.Scaled(run.Command.StopTimeoutSeconds);
            }
            else if (run.Container.LastStatus == Status.Running)
            {
                Log(t, run.Container, "[ecs-simulator] received SIGTERM, shutting down");
            }
        }
    }

    /// <summary>Whether every process of the task has ended (the task may leave STOPPING).</summary>
    public bool Exited(TaskRec t) => !_io.TryGetValue(t.Arn, out var io) || io.Runs.All(r => r.Process is null);

    /// <summary>The task is gone from the state: whatever still runs for it is killed.</summary>
    public void Forget(TaskRec t)
    {
        if (_io.Remove(t.Arn, out var io))
        {
            KillAll(io);
            DeleteScratch(io);
        }
    }

    public void Reset()
    {
        foreach (var io in _io.Values)
        {
            KillAll(io);
            DeleteScratch(io);
        }
        _io.Clear();
    }

    private void Log(TaskRec t, ContainerRec c, string message)
    {
        if (logs is not null && _io.TryGetValue(t.Arn, out var io) && io.Targets.TryGetValue(c.Name, out var target))
        {
            logs.Write(target, message);
        }
    }

    private static JsonObject? Override(TaskRec t, string container) =>
        (t.Overrides?["containerOverrides"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(o => Json.Str(o, "name") == container);

    private static string Port(TaskRec t, ContainerRec c) =>
        (t.TaskDef.Containers.FirstOrDefault(d => Json.Str(d, "name") == c.Name)?["portMappings"] as JsonArray ?? [])
            .OfType<JsonObject>().Select(p => Json.Int(p, "containerPort")).FirstOrDefault(p => p is not null)?.ToString() ?? "80";

    /// <summary>The container's workingDirectory when it exists on this host, else the task's scratch folder.</summary>
    private static string Directory(TaskIo io, ContainerRun run)
    {
        io.Scratch ??= System.IO.Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "cruddur-ecs-simulator", io.Task.Id)).FullName;
        return run.Command.WorkingDirectory is { } wd && System.IO.Directory.Exists(wd) ? wd : io.Scratch;
    }

    private ProcessGroup? Spawn(TaskIo io, ContainerRun run, IReadOnlyList<string> argv)
    {
        var directory = Directory(io, run);
        var target = io.Targets.GetValueOrDefault(run.Container.Name);
        var p = run.Command.Start(argv, directory, io.Scratch!, line =>
        {
            if (target is not null)
            {
                logs?.Write(target, line);
            }
        });
        if (p is not null)
        {
            _ = WatchAsync(io, run, p);
        }
        return p;
    }

    /// <summary>The command ended: its lines are flushed to CloudWatch Logs first (as the agent does), then the container stops.</summary>
    private async Task WatchAsync(TaskIo io, ContainerRun run, ProcessGroup p)
    {
        var code = await p.WaitAsync().ConfigureAwait(false);
        if (logs is not null)
        {
            await logs.FlushAsync().ConfigureAwait(false);
        }
        lock (state.Gate)
        {
            OnExited(io, run, code);
        }
        p.Dispose();
    }

    private void OnExited(TaskIo io, ContainerRun run, int code)
    {
        var (t, c) = (io.Task, run.Container);
        run.Process = null;
        run.NextCheckAt = double.MaxValue;
        run.KillAt = double.MaxValue;
        c.ExitCode = code; // the real exit status, even when the stop began first
        c.LastStatus = Status.Stopped;
        t.Version++;
        if (!_io.TryGetValue(t.Arn, out var current) || !ReferenceEquals(current, io))
        {
            return; // forgotten: the task is no more
        }
        if (c.Essential && t.DesiredStatus == Status.Running)
        {
            state.EssentialContainerExited(t);
        }
        if (t.DesiredStatus == Status.Stopped && io.Runs.All(r => r.Process is null))
        {
            DeleteScratch(io); // the other containers may still start in it while the task runs
        }
    }

    private static void DeleteScratch(TaskIo io)
    {
        if (io.Scratch is not { } scratch)
        {
            return;
        }
        io.Scratch = null;
        try
        {
            System.IO.Directory.Delete(scratch, recursive: true);
        }
        catch (IOException)
        {
            // a grandchild still holds a file: the temp folder keeps it
        }
    }

    private static void KillAll(TaskIo io)
    {
        foreach (var p in io.Runs.Select(r => r.Process).OfType<ProcessGroup>())
        {
            p.Signal(ProcessGroup.SigKill);
        }
    }
}
