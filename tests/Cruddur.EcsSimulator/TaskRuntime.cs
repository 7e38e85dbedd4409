using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>How a task's start went: go on, wait a moment (log streams still being created), or fail with a reason.</summary>
public readonly record struct StartResult(bool Wait, string? FailureReason)
{
    public static readonly StartResult Go = new(false, null);
}

/// <summary>
/// What runs "inside" the simulated tasks. Each container's output goes to CloudWatch Logs through <see cref="LogsWriter"/>
/// (when a Logs endpoint is configured and the container uses the awslogs driver): start-up lines, health-check requests,
/// the crash scenario's traceback. A container whose RunTask override gives a <c>command</c> runs that command as a real
/// local process (argv as given, no image: the simulator has no container engine) in a scratch folder per task, with the
/// container's environment; its stdout/stderr become the container's log lines, its exit code the container's exitCode.
/// All members except the process callbacks are called with <see cref="SimState.Gate"/> held.
/// </summary>
public sealed class TaskRuntime(SimState state, LogsWriter? logs)
{
    private const int SigTerm = 15;
    private readonly Dictionary<string, TaskIo> _io = new(StringComparer.Ordinal);

    private sealed class TaskIo
    {
        public Dictionary<string, LogTarget> Targets { get; } = new(StringComparer.Ordinal);
        public Task<string?>? Prepared { get; set; }
        public Dictionary<string, Process> Processes { get; } = new(StringComparer.Ordinal);
        public string? Scratch { get; set; }
    }

    public void OnLaunched(TaskRec t)
    {
        var io = new TaskIo();
        _io[t.Arn] = io;
        if (logs is null)
        {
            return;
        }
        foreach (var c in t.TaskDef.Containers)
        {
            if (LogTarget.Of(c, t.Region, t.Id) is { } target)
            {
                io.Targets[Json.Str(c, "name") ?? "container"] = target;
            }
        }
        if (io.Targets.Count > 0)
        {
            var prepares = io.Targets.Values.Select(logs.PrepareAsync).ToList();
            io.Prepared = Task.WhenAll(prepares).ContinueWith(all => all.Result.FirstOrDefault(r => r is not null), TaskScheduler.Default);
        }
    }

    /// <summary>At PENDING → RUNNING: log streams must exist, override commands must start.</summary>
    public StartResult Start(TaskRec t)
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
        foreach (var c in t.Containers)
        {
            if (Override(t, c.Name) is not { } o || o["command"] is not JsonArray { Count: > 0 } command)
            {
                continue;
            }
            var argv = command.Select(a => a?.ToString() ?? "").ToList();
            try
            {
                io.Processes[c.Name] = StartProcess(t, c, io, argv, o);
            }
            catch (Win32Exception)
            {
                Kill(io);
                return new StartResult(false,
                    $"CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"{argv[0]}\": executable file not found in $PATH: unknown");
            }
        }
        return StartResult.Go;
    }

    /// <summary>RUNNING: the start-up lines of the containers that run the image's own program.</summary>
    public void OnRunning(TaskRec t)
    {
        foreach (var c in t.Containers.Where(c => !HasProcess(t, c)))
        {
            Log(t, c, $"[ecs-simulator] {c.Name} started from {c.Image} (task {t.Id})");
            Log(t, c, $" * Serving on http://0.0.0.0:{Port(t, c)} (press CTRL+C to quit)");
        }
    }

    public void OnHealthChecked(TaskRec t, bool healthy)
    {
        foreach (var c in t.Containers.Where(c => c.HasHealthCheck))
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

    /// <summary>desiredStatus STOPPED: the running commands get SIGTERM; the image programs say goodbye.</summary>
    public void OnStopping(TaskRec t)
    {
        if (!_io.TryGetValue(t.Arn, out var io))
        {
            return;
        }
        foreach (var c in t.Containers.Where(c => c.LastStatus == Status.Running && !io.Processes.ContainsKey(c.Name)))
        {
            Log(t, c, "[ecs-simulator] received SIGTERM, shutting down");
        }
        foreach (var p in io.Processes.Values)
        {
            Signal(p);
        }
    }

    public void OnForgotten(TaskRec t) => _io.Remove(t.Arn);

    public void Reset()
    {
        foreach (var io in _io.Values)
        {
            Kill(io);
        }
        _io.Clear();
    }

    private bool HasProcess(TaskRec t, ContainerRec c) => _io.TryGetValue(t.Arn, out var io) && io.Processes.ContainsKey(c.Name);

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

    private Process StartProcess(TaskRec t, ContainerRec c, TaskIo io, List<string> argv, JsonObject o)
    {
        io.Scratch ??= Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "cruddur-ecs-simulator", t.Id)).FullName;
        var psi = new ProcessStartInfo(argv[0])
        {
            WorkingDirectory = io.Scratch,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in argv.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }
        // The container's environment only (plus PATH to find programs), never the simulator's own.
        var path = Environment.GetEnvironmentVariable("PATH");
        psi.Environment.Clear();
        psi.Environment["PATH"] = path;
        psi.Environment["HOME"] = io.Scratch;
        var definition = t.TaskDef.Containers.FirstOrDefault(d => Json.Str(d, "name") == c.Name);
        foreach (var list in new[] { definition?["environment"], o["environment"] }.OfType<JsonArray>())
        {
            foreach (var e in list.OfType<JsonObject>())
            {
                if (Json.Str(e, "name") is { } name)
                {
                    psi.Environment[name] = Json.Str(e, "value") ?? "";
                }
            }
        }
        var target = io.Targets.GetValueOrDefault(c.Name);
        var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => Emit(target, e.Data);
        p.ErrorDataReceived += (_, e) => Emit(target, e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _ = WatchAsync(t, c, io, p);
        return p;
    }

    private void Emit(LogTarget? target, string? line)
    {
        if (line is not null && target is not null)
        {
            logs?.Write(target, line);
        }
    }

    /// <summary>The command ended: its lines are flushed to CloudWatch Logs first (as the agent does), then the container stops.</summary>
    private async Task WatchAsync(TaskRec t, ContainerRec c, TaskIo io, Process p)
    {
        await p.WaitForExitAsync().ConfigureAwait(false);
        var code = p.ExitCode;
        if (logs is not null)
        {
            await logs.FlushAsync().ConfigureAwait(false);
        }
        lock (state.Gate)
        {
            c.ExitCode = code; // the real exit status, even when the stop began first
            c.LastStatus = Status.Stopped;
            t.Version++;
            if (c.Essential && t.DesiredStatus == Status.Running)
            {
                t.ExecutionStoppedAt = SimState.Now;
                state.StopTask(t, "Essential container in task exited", "EssentialContainerExited");
            }
            io.Processes.Remove(c.Name);
            if (io.Processes.Count == 0 && io.Scratch is { } scratch)
            {
                io.Scratch = null;
                try
                {
                    Directory.Delete(scratch, recursive: true);
                }
                catch (IOException)
                {
                    // a grandchild still holds a file: the temp folder keeps it
                }
            }
        }
        p.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private static void Signal(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                _ = kill(p.Id, SigTerm);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static void Kill(TaskIo io)
    {
        foreach (var p in io.Processes.Values)
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        }
    }
}
