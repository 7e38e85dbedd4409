using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Cruddur.Core.Aws;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;
using Cruddur.Core.Aws.Clients;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Opens a shell (or runs one command) in a running ECS task, after checking every ECS Exec prerequisite.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "CruddurTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = OnlineHelp.Docs + "Connect-CruddurTask.md")]
[OutputType(typeof(ExecCheck))]
public sealed class ConnectCruddurTaskCommand : AwsCmdlet
{
    private const int ProgressId = 6;

    /// <summary><para type="description">The ECS cluster. Default: cruddur.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn")]
    [ArgumentCompleter(typeof(EcsClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = "cruddur";

    /// <summary><para type="description">The ECS service whose newest RUNNING task to connect to, such as backend-flask. Also the default container name.</para></summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [ArgumentCompleter(typeof(SeedServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Service { get; set; }

    /// <summary><para type="description">The task to connect to, as an ARN or a bare task id. Default: the newest RUNNING task of -Service.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Task", "TaskId")]
    [ArgumentCompleter(typeof(EcsTaskCompleter))]
    [ValidateNotNullOrEmpty]
    public string? TaskArn { get; set; }

    /// <summary><para type="description">The container to open. Default: the container named like the service, else the task's only container.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ContainerName")]
    [ArgumentCompleter(typeof(EcsContainerCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    /// <summary><para type="description">Run this one command in the container instead of an interactive shell, such as 'python -V'. Its output goes to the console.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Command { get; set; }

    /// <summary><para type="description">Only check the ECS Exec prerequisites and return one ExecCheck per prerequisite; open no session.</para></summary>
    [Parameter]
    public SwitchParameter Check { get; set; }

    protected override void ProcessRecord() => TryRun(() =>
    {
        var request = new ExecRequest(Cluster, Service, TaskArn, Container);
        var (target, plugin, checks) = Run(async (host, token) =>
        {
            var exec = NewExec(host);
            host.WriteProgress(new ProgressUpdate(ProgressId, "Connect-CruddurTask", "Finding the task"));
            var target = await exec.ResolveAsync(request, token).ConfigureAwait(false);
            host.WriteProgress(new ProgressUpdate(ProgressId, "Connect-CruddurTask", $"Checking ECS Exec prerequisites of task {target.TaskId}"));
            var plugin = await SessionManagerPlugin.InspectAsync(token).ConfigureAwait(false);
            var checks = ExecPreflight.Evaluate(await exec.GatherFactsAsync(target, plugin, token).ConfigureAwait(false));
            host.WriteProgress(new ProgressUpdate(ProgressId, "Connect-CruddurTask", "Done", Completed: true));
            return (target, plugin, checks);
        });

        if (Check)
        {
            WriteObject(checks.Select(c => c with { Service = target.Service, TaskId = target.TaskId }), enumerateCollection: true);
            return;
        }

        foreach (var warning in checks.Where(c => c.Status == ExecCheckStatus.Warn))
        {
            WriteWarning($"{warning.Check}: {warning.Detail} {warning.Fix}");
        }

        if (checks.Any(c => c.Status == ExecCheckStatus.Fail))
        {
            throw PreflightError(checks, target);
        }

        var what = Command is null ? "Open an interactive shell" : $"Run '{Command}'";
        if (!ShouldProcess($"container {target.Container} of task {target.TaskId} (cluster {target.Cluster})", what))
        {
            return;
        }

        var session = Run((host, token) => NewExec(host).StartSessionAsync(target, Command ?? EcsExec.DefaultShellCommand, token));
        var profile = Aws.Settings.ProfileName ?? NonEmpty(Environment.GetEnvironmentVariable("AWS_PROFILE"));
        var launch = SessionManagerPlugin.Launch(session.Session, Aws.Region, profile, session.ClusterName, session.TaskId, session.RuntimeId, Aws.EndpointFor(AwsService.Ecs));
        WriteVerbose($"session-manager-plugin {string.Join(' ', launch.Arguments)} (session in ${SessionManagerPlugin.SessionVariable})");

        var exitCode = Run((_, _) => SessionManagerPlugin.RunAttachedAsync(plugin.Path!, launch));
        SessionState.PSVariable.Set("global:LASTEXITCODE", exitCode);
        if (exitCode != 0)
        {
            throw new PluginExitException(exitCode, target.TaskArn);
        }
    });

    private EcsExec NewExec(IOperationHost host) => new(new EcsClient(Aws, host), new IamClient(Aws, host), host);

    /// <summary>One error naming every failed prerequisite with its fix; the id is the first failure's.</summary>
    private static CruddurException PreflightError(IReadOnlyList<ExecCheck> checks, ExecTarget target)
    {
        var failed = checks.Where(c => c.Status == ExecCheckStatus.Fail).ToList();
        var (id, kind) = failed[0].Check switch
        {
            ExecPreflight.PluginCheck => ("ExecPluginNotFound", ErrorKind.NotInstalled),
            ExecPreflight.TaskRunningCheck => ("ExecTaskNotRunning", ErrorKind.InvalidOperation),
            ExecPreflight.ExecEnabledCheck or ExecPreflight.AgentCheck => ("ExecNotEnabled", ErrorKind.InvalidOperation),
            _ => ("ExecPreflightFailed", ErrorKind.InvalidOperation),
        };
        var reasons = string.Join(" ", failed.Select(c => $"[{c.Check}] {c.Detail} Fix: {c.Fix}"));
        return new CruddurException(id, kind, $"Cannot connect to container {target.Container} of task {target.TaskId}: {reasons}", target: target.TaskArn);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>Completes -Service with the seed's service names.</summary>
    public sealed class SeedServiceCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            new[] { "backend-flask", "frontend-react-js" }.Where(s => s.StartsWith(wordToComplete, StringComparison.OrdinalIgnoreCase)).Select(s => new CompletionResult(s));
    }
}
