using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Exec;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Opens a shell (or runs one command) in a running ECS task, after checking every ECS Exec prerequisite.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "CruddurTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ExecResult), typeof(ExecCheck))]
public sealed class ConnectCruddurTaskCommand : AwsCmdlet
{
    /// <summary><para type="description">The ECS cluster. Default: cruddur.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn")]
    [ArgumentCompleter(typeof(EcsClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    /// <summary><para type="description">The ECS service whose newest RUNNING task to connect to, such as backend-flask. Also the default container name.</para></summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [ArgumentCompleter(typeof(SeedServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Service { get; set; }

    /// <summary><para type="description">The task to connect to, as an ARN or a bare task id. Default: the newest RUNNING task of -Service.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Task", "TaskId")]
    [ValidateNotNullOrEmpty]
    public string? TaskArn { get; set; }

    /// <summary><para type="description">The container to open. Default: the container named like the service, else the task's only container.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ContainerName")]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    /// <summary><para type="description">Run this one command in the container instead of an interactive shell, such as 'python -V'. Returns an ExecResult with its output lines and exit code; the output is also shown as it arrives. A non-zero exit code is an ExecCommandFailed error (and $LASTEXITCODE).</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Command { get; set; }

    /// <summary><para type="description">Only check the ECS Exec prerequisites and return one ExecCheck per prerequisite; open no session.</para></summary>
    [Parameter]
    public SwitchParameter Check { get; set; }

    /// <summary><para type="description">Carry the session with session-manager-plugin, as the AWS CLI does, instead of the module's own Session Manager client. The plugin reports no exit code for -Command.</para></summary>
    [Parameter]
    public SwitchParameter UsePlugin { get; set; }

    protected override void ProcessRecord() => TryRun(() =>
    {
        var request = new ExecRequest(Cluster, Service, TaskArn, Container);
        var usePlugin = UsePlugin || Command is null;
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

        // Output lines are shown as they arrive, as Write-Host shows text (the PSHOST tag), and also returned in the result.
        var result = Run((host, token) => new TaskConnector(Aws, host).RunCommandAsync(target, Command!, line => host.WriteInformation(line, "PSHOST"), token));
        SessionState.PSVariable.Set("global:LASTEXITCODE", result.ExitCode);
        WriteObject(result);
        if (result.ExitCode != 0)
        {
            WriteError(ToErrorRecord(new ExecCommandFailedException(result)));
        }
    });
}
