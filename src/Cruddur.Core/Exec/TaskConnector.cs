using System.Diagnostics;
using System.Text;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;
using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Exec;

/// <summary>What one <c>-Command</c> run gave: the output lines (the exit-code wrapper removed), the exit code and how long it took.</summary>
public sealed record ExecResult(string TaskId, string Container, string Command, int ExitCode, IReadOnlyList<string> Output, TimeSpan Duration);

/// <summary>The remote command ended with a non-zero exit code; <see cref="Result"/> holds its output.</summary>
public sealed class ExecCommandFailedException : CruddurException
{
    public ExecCommandFailedException(ExecResult result)
        : base(ErrorIds.ExecCommandFailed, ErrorKind.InvalidOperation,
            $"'{result.Command}' exited with code {result.ExitCode} in container {result.Container} of task {result.TaskId}. Its output is in this error's TargetObject.Output.",
            target: result)
    {
        Result = result;
    }

    public ExecResult Result { get; }

    public int ExitCode => Result.ExitCode;
}

/// <summary>A task and container, checked and ready for a session.</summary>
public sealed record ExecPlan(ExecTarget Target, SessionManagerPluginInfo Plugin, IReadOnlyList<ExecCheck> Checks);

/// <summary>
/// Connect-CruddurTask's workflow: find the task, check the ECS Exec prerequisites, open the session and carry it — natively
/// (the data channel spoken here) or through session-manager-plugin.
/// </summary>
public sealed class TaskConnector
{
    private const int ProgressId = 6;
    private const string Activity = "Connect-CruddurTask";
    private readonly AwsContext _aws;
    private readonly IOperationHost _host;
    private readonly EcsExec _exec;

    public TaskConnector(AwsContext aws, IOperationHost host)
    {
        _aws = aws;
        _host = host;
        _exec = new EcsExec(new EcsClient(aws, host), new IamClient(aws, host), host);
    }

    /// <summary>Timings of the native data channel (tests shorten them).</summary>
    internal DataChannelOptions ChannelOptions { get; init; } = new();

    /// <summary>Resolves the task and evaluates every prerequisite; the plugin's row only informs unless it will be used.</summary>
    public async Task<ExecPlan> PrepareAsync(ExecRequest request, bool usePlugin, CancellationToken cancellationToken)
    {
        _host.WriteProgress(new ProgressUpdate(ProgressId, Activity, "Finding the task"));
        var target = await _exec.ResolveAsync(request, cancellationToken).ConfigureAwait(false);
        _host.WriteProgress(new ProgressUpdate(ProgressId, Activity, $"Checking ECS Exec prerequisites of task {target.TaskId}"));
        var plugin = await SessionManagerPlugin.InspectAsync(cancellationToken).ConfigureAwait(false);
        // Each row names its service and task, so -Check over several services reads apart.
        var checks = ExecPreflight.Evaluate(await _exec.GatherFactsAsync(target, plugin, cancellationToken).ConfigureAwait(false), pluginRequired: usePlugin)
            .Select(c => c with { Service = target.Service, TaskId = target.TaskId }).ToList();
        _host.WriteProgress(new ProgressUpdate(ProgressId, Activity, "Done", Completed: true));
        return new ExecPlan(target, plugin, checks);
    }

    /// <summary>One error naming every failed prerequisite with its fix (the id is the first failure's), or null when none failed.</summary>
    public static CruddurException? PreflightFailure(ExecPlan plan)
    {
        var failed = plan.Checks.Where(c => c.Status == ExecCheckStatus.Fail).ToList();
        if (failed.Count == 0)
        {
            return null;
        }

        var (id, kind) = failed[0].Check switch
        {
            ExecPreflight.PluginCheck => (ErrorIds.ExecPluginNotFound, ErrorKind.NotInstalled),
            ExecPreflight.TaskRunningCheck => (ErrorIds.ExecTaskNotRunning, ErrorKind.InvalidOperation),
            ExecPreflight.ExecEnabledCheck or ExecPreflight.AgentCheck => (ErrorIds.ExecNotEnabled, ErrorKind.InvalidOperation),
            _ => (ErrorIds.ExecPreflightFailed, ErrorKind.InvalidOperation),
        };
        var reasons = string.Join(" ", failed.Select(c => $"[{c.Check}] {c.Detail} Fix: {c.Fix}"));
        return new CruddurException(id, kind, $"Cannot connect to container {plan.Target.Container} of task {plan.Target.TaskId}: {reasons}", target: plan.Target.TaskArn);
    }

    /// <summary>
    /// Runs one command natively and returns its output and exit code; each line also goes to <paramref name="onLine"/> as it
    /// arrives. A stop (Ctrl+C) sends Ctrl+C to the remote command, waits briefly for it to end, then ends the session.
    /// </summary>
    public async Task<ExecResult> RunCommandAsync(ExecTarget target, string command, Action<string> onLine, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var lines = new List<string>();
        var wrapper = new ExitCodeWrapper(command, line =>
        {
            lines.Add(line);
            onLine(line);
        });
        var session = await _exec.StartSessionAsync(target, wrapper.Wrapped, cancellationToken).ConfigureAwait(false);
        await using var channel = NewChannel(session, bytes =>
        {
            wrapper.Write(bytes.Span);
            return Task.CompletedTask;
        });
        await channel.OpenAsync(session.Token, cancellationToken).ConfigureAwait(false);

        ChannelEnd end;
        try
        {
            end = await channel.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await InterruptAsync(channel).ConfigureAwait(false);
            throw;
        }

        wrapper.Complete();
        if (wrapper.ExitCode is not { } exitCode)
        {
            throw new CruddurException(ErrorIds.ExecExitCodeMissing, ErrorKind.InvalidOperation,
                $"The session ended{(end.Output is null ? "" : $" ({end.Output})")} before '{command}' reported its exit code: it was killed, or it replaced the shell that reports it. Its output so far was shown.",
                target: target.TaskArn);
        }

        return new ExecResult(target.TaskId, target.Container, command, exitCode, lines, started.Elapsed);
    }

    /// <summary>
    /// Opens an interactive shell natively on this console: the terminal in raw mode, keys to the remote shell as typed, its
    /// output to the terminal, the size at the start and on every change. The terminal is restored however the session ends.
    /// Returns the agent's closing text, if any.
    /// </summary>
    public Task<string?> RunShellAsync(ExecTarget target, CancellationToken cancellationToken) =>
        RunShellAsync(target, ConsoleTerminal.Open(), cancellationToken);

    internal async Task<string?> RunShellAsync(ExecTarget target, ITerminal terminal, CancellationToken cancellationToken)
    {
        var session = await _exec.StartSessionAsync(target, EcsExec.DefaultShellCommand, cancellationToken).ConfigureAwait(false);
        await using var channel = NewChannel(session, bytes =>
        {
            terminal.Write(bytes.Span);
            return Task.CompletedTask;
        });
        await channel.OpenAsync(session.Token, cancellationToken).ConfigureAwait(false);

        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var helpers = new List<Task>();
        using (terminal.EnterRawMode())
        {
            try
            {
                var size = terminal.Size;
                await channel.SendSizeAsync(size.Columns, size.Rows, cancellationToken).ConfigureAwait(false);
                helpers.Add(Task.Run(() => ForwardKeysAsync(channel, terminal, done.Token), CancellationToken.None));
                helpers.Add(Task.Run(() => FollowSizeAsync(channel, terminal, size, done.Token), CancellationToken.None));
                var end = await channel.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
                return end.Output;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped from outside (Ctrl+C itself goes to the remote shell): end the remote shell too, briefly.
                using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await channel.SendTerminateAsync(bounded.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                throw;
            }
            finally
            {
                await done.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(helpers).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Keys as typed, in pieces of up to 1 KiB (the plugin's StdinBufferLimit); the end of input stops only this.</summary>
    private static async Task ForwardKeysAsync(DataChannel channel, ITerminal terminal, CancellationToken token)
    {
        var buffer = new byte[1024];
        while (!token.IsCancellationRequested)
        {
            var read = terminal.Read(buffer, TimeSpan.FromMilliseconds(100));
            if (read < 0)
            {
                return;
            }

            if (read > 0)
            {
                // A lone LF goes as CR, the Enter key, as the plugin sends it (datachannel/streaming.go SendInputDataMessage).
                var keys = read == 1 && buffer[0] == (byte)'\n' ? [(byte)'\r'] : buffer[..read];
                await channel.SendInputAsync(keys, token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The window size, checked every 500 ms and sent when it changed (shellsession.go's handleTerminalResize).</summary>
    private static async Task FollowSizeAsync(DataChannel channel, ITerminal terminal, (int Columns, int Rows) sent, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), token).ConfigureAwait(false);
            var size = terminal.Size;
            if (size != sent)
            {
                await channel.SendSizeAsync(size.Columns, size.Rows, token).ConfigureAwait(false);
                sent = size;
            }
        }
    }

    /// <summary>Starts the session through session-manager-plugin attached to this console and returns the plugin's exit code.</summary>
    public async Task<int> RunPluginAsync(ExecTarget target, SessionManagerPluginInfo plugin, string? command, CancellationToken cancellationToken)
    {
        var session = await _exec.StartSessionAsync(target, command ?? EcsExec.DefaultShellCommand, cancellationToken).ConfigureAwait(false);
        // The profile the module's own calls use, so the plugin's calls (KMS for an encrypted session) use the same identity.
        var launch = SessionManagerPlugin.Launch(session.Session, _aws.Region, _aws.NamedProfileName, session.ClusterName, session.TaskId, session.RuntimeId, _aws.EndpointFor(AwsService.Ecs));
        _host.WriteVerbose($"session-manager-plugin {string.Join(' ', launch.Arguments)} (session in ${SessionManagerPlugin.SessionVariable})");
        return await SessionManagerPlugin.RunAttachedAsync(plugin.Path!, launch).ConfigureAwait(false);
    }

    internal DataChannel NewChannel(ExecSession session, Func<ReadOnlyMemory<byte>, Task> onOutput)
    {
        var kms = SessionEncryption.WithKms(new KmsClient(_aws, _host));
        return new DataChannel(session.StreamUrl, session.SessionId, session.Target, onOutput, _host, ChannelOptions, kms);
    }

    /// <summary>Ctrl+C reaches the remote command as the plugin sends it (byte 3); if the session does not end soon, it is terminated.</summary>
    private static async Task InterruptAsync(DataChannel channel)
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await channel.SendInputAsync(new byte[] { 3 }, bounded.Token).ConfigureAwait(false);
            var ended = await Task.WhenAny(channel.Ended, Task.Delay(TimeSpan.FromSeconds(3), bounded.Token)).ConfigureAwait(false);
            if (ended != channel.Ended)
            {
                await channel.SendTerminateAsync(bounded.Token).ConfigureAwait(false);
                await Task.WhenAny(channel.Ended, Task.Delay(TimeSpan.FromSeconds(1), bounded.Token)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or CruddurException)
        {
            // Stopping anyway: the remote side ends the session when the channel closes.
        }
    }
}
