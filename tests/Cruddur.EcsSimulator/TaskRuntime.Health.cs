namespace Cruddur.EcsSimulator;

/// <summary>
/// Container health checks of the containers that run a command, as the ECS agent runs them (Docker's rules): the first check
/// one interval after the start, then every interval; a check that exits 0 → HEALTHY; <c>retries</c> failures in a row →
/// UNHEALTHY; failures inside <c>startPeriod</c> do not count until a check has passed. Interval and startPeriod are on the
/// simulator's clock; the timeout too, but never under <see cref="MinCheckTimeout"/> of real time (starting a process on a
/// busy host takes real time the clock's scale cannot shrink).
/// </summary>
public sealed partial class TaskRuntime
{
    public static readonly TimeSpan MinCheckTimeout = TimeSpan.FromSeconds(2);

    private void RunHealthCheck(TaskIo io, ContainerRun run, double now)
    {
        var check = run.Command.HealthCheck!;
        run.Checking = true;
        var timeout = TimeSpan.FromSeconds(Math.Max(state.Scaled(check.Timeout), MinCheckTimeout.TotalSeconds));
        var p = run.Command.Start(check.Argv, Directory(io, run), io.Scratch!, _ => { }); // Docker keeps the output in the health log, not the container's
        _ = CheckAsync(io, run, p, timeout);
    }

    private async Task CheckAsync(TaskIo io, ContainerRun run, ProcessGroup? p, TimeSpan timeout)
    {
        var passed = false; // a check whose program is not on this host fails
        if (p is not null)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                passed = await p.WaitAsync(cts.Token).ConfigureAwait(false) == 0;
            }
            catch (OperationCanceledException)
            {
                p.Signal(ProcessGroup.SigKill);
            }
            p.Dispose();
        }
        lock (state.Gate)
        {
            OnChecked(io, run, passed, SimState.Now);
        }
    }

    private void OnChecked(TaskIo io, ContainerRun run, bool passed, double now)
    {
        run.Checking = false;
        var (t, c, check) = (io.Task, run.Container, run.Command.HealthCheck!);
        if (run.Process is null || t.DesiredStatus != Status.Running || !_io.ContainsKey(t.Arn))
        {
            return;
        }
        run.NextCheckAt = now + state.Scaled(check.Interval);
        var status = c.HealthStatus;
        if (passed)
        {
            run.Failures = 0;
            run.WasHealthy = true;
            status = "HEALTHY";
        }
        else if (run.WasHealthy || now >= run.StartedAt + state.Scaled(check.StartPeriod))
        {
            run.Failures++;
            if (run.Failures >= check.Retries)
            {
                status = "UNHEALTHY";
            }
        }
        if (status != c.HealthStatus)
        {
            c.HealthStatus = status;
            t.Version++;
            state.OnContainerHealthChanged(t);
        }
    }
}
