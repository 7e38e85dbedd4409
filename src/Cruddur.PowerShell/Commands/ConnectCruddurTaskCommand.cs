using System.Collections.Concurrent;
using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Deployments;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Opens a shell (or runs one command) in a running ECS task, after checking every ECS Exec prerequisite.</summary>
[Cmdlet(VerbsCommunications.Connect, "CruddurTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = OnlineHelp.Docs + "Connect-CruddurTask.md")]
[OutputType(typeof(ExecResult), typeof(ExecCheck))]
[ErrorHint(ErrorIds.TaskContainerNotFound, CommonHints.ContainerNotFound)]
[ErrorHint(ErrorIds.ExecPluginFailed, "Leave out -UsePlugin to get it.")]
[ErrorHint(ErrorIds.ExecChannelInsecure, "The endpoint is -EndpointUrl's, else AWS_ENDPOINT_URL_ECS's.")]
[ErrorHint(ErrorIds.ExecNoTerminal, "Run one command with -Command '<command>'.")]
[ErrorHint(ErrorIds.ExecPluginNotStartable, "Leave out -UsePlugin to connect without it.")]
[ErrorHint(ErrorIds.ExecTargetMissing, "Pass -Service (its newest running task) or -TaskArn <task ARN or id>.")]
[ErrorHint(ErrorIds.ExecContainerAmbiguous, "Pass -Container with one of them.")]
[ErrorHint(ErrorIds.ServiceNotFound, CommonHints.ServiceNotFound)]
[ErrorHint(ErrorIds.ServiceClusterNotFound, CommonHints.ClusterNotFound)]
public sealed class ConnectCruddurTaskCommand : AwsCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn")]
    [ArgumentCompleter(typeof(EcsClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [ArgumentCompleter(typeof(SeedServiceCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Service { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Task", "TaskId")]
    [ArgumentCompleter(typeof(EcsTaskCompleter))]
    [ValidateNotNullOrEmpty]
    public string? TaskArn { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ContainerName")]
    [ArgumentCompleter(typeof(EcsContainerCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Command { get; set; }

    [Parameter]
    public SwitchParameter Check { get; set; }

    [Parameter]
    public SwitchParameter UsePlugin { get; set; }

    protected override void ProcessRecord()
    {
        // A pattern (-Service back*) stands for the services it matches: -Check checks each, a connection needs exactly one.
        IReadOnlyList<string?> services = [Service];
        if (Service is not null && TaskArn is null && EcsServices.IsPattern(Service)
            && !TryRun(() => services = Run((host, token) => App(host).MatchServicesAsync(Cluster, Service, token))))
        {
            return;
        }

        if (!Check && services.Count > 1)
        {
            WriteError(ToErrorRecord(new CruddurException(ErrorIds.ExecServiceAmbiguous, ErrorKind.InvalidArgument,
                $"'{Service}' matches {services.Count} services ({string.Join(", ", services)}); a session opens in one. Name one service, or add -Check to check them all.", target: Service)));
            return;
        }

        foreach (var service in services)
        {
            TryRun(() => Connect(service));
        }
    }

    private void Connect(string? service)
    {
        var request = new ExecRequest(Cluster, service, TaskArn, Container);
        var usePlugin = UsePlugin.IsPresent;
        var plan = Run((host, token) => new TaskConnector(Aws, host).PrepareAsync(request, usePlugin, token));
        if (Check)
        {
            WriteObject(plan.Checks, enumerateCollection: true);
            return;
        }

        foreach (var warning in plan.Checks.Where(c => c.Status == ExecCheckStatus.Warn))
        {
            WriteWarning($"{warning.Check}: {warning.Detail} {warning.Fix}");
        }

        if (TaskConnector.PreflightFailure(plan) is { } failure)
        {
            throw failure;
        }

        var target = plan.Target;
        var what = Command is null ? "Open an interactive shell" : $"Run '{Command}'";
        if (!ShouldProcess($"container {target.Container} of task {target.TaskId} (cluster {target.Cluster})", what))
        {
            return;
        }

        if (usePlugin)
        {
            var exitCode = Run((host, token) => new TaskConnector(Aws, host).RunPluginAsync(target, plan.Plugin, Command, token));
            SessionState.PSVariable.Set("global:LASTEXITCODE", exitCode);
            if (exitCode != 0)
            {
                throw new PluginExitException(exitCode, target.TaskArn);
            }

            return;
        }

        if (Command is null)
        {
            var closing = Run((host, token) => new TaskConnector(Aws, host).RunShellAsync(target, token));
            WriteVerbose($"The session ended{(closing is null ? "" : $": {closing}")}.");
            return;
        }

        // Output lines are shown as they arrive, as Write-Host shows text (the PSHOST tag), and also returned in the result.
        var result = Run((host, token) => new TaskConnector(Aws, host).RunCommandAsync(target, Command!, Batched((PipelineHost)host), token));
        SessionState.PSVariable.Set("global:LASTEXITCODE", result.ExitCode);
        WriteObject(result);
        if (result.ExitCode != 0)
        {
            WriteError(ToErrorRecord(new ExecCommandFailedException(result)));
        }
    }

    /// <summary>
    /// Hands output lines to the pipeline thread in batches: at most one drain is queued at a time and it writes every line
    /// waiting by then, so a fast stream wakes the pipeline thread once per batch rather than once per line.
    /// </summary>
    private Action<string> Batched(PipelineHost pipeline)
    {
        var waiting = new ConcurrentQueue<string>();
        var queued = 0;
        return line =>
        {
            waiting.Enqueue(line);
            if (Interlocked.Exchange(ref queued, 1) == 0)
            {
                pipeline.Post(() =>
                {
                    Volatile.Write(ref queued, 0);
                    while (waiting.TryDequeue(out var next))
                    {
                        WriteInformation(Redaction.Redact(next), ["PSHOST"]);
                    }
                });
            }
        };
    }
}
