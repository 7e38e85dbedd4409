using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Aws;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Rolls an ECS service back to its previous task definition revision and watches the rollback.</summary>
[Cmdlet(VerbsCommon.Undo, "CruddurDeployment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = OnlineHelp.Docs + "Undo-CruddurDeployment.md")]
[OutputType(typeof(Deployment))]
[ErrorHint(ErrorIds.ServiceNotFound, CommonHints.ServiceNotFound)]
[ErrorHint(ErrorIds.ServiceClusterNotFound, CommonHints.ClusterNotFound)]
[ErrorHint(ErrorIds.DeployNoPreviousRevision, "Pass -TaskDefinition family:revision to choose one.")]
[ErrorHint(ErrorIds.DeployTimedOut, "A larger -Timeout waits longer.")]
[ErrorHint(ErrorIds.DeployFailed, "Choose another revision with -TaskDefinition family:revision.")]
[ErrorHint(ErrorIds.TaskDefinitionNotFound, "Pass a registered -TaskDefinition.")]
public sealed class UndoCruddurDeploymentCommand : AwsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EcsServiceCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string Service { get; set; } = string.Empty;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EcsClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("PreviousTaskDefinitionArn")]
    [ArgumentCompleter(typeof(EcsTaskDefinitionCompleter))]
    public string? TaskDefinition { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [SecondsArgument]
    [ValidateDuration(1, 86400)]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override bool Forced => Force;

    protected override void ProcessRecord()
    {
        IReadOnlyList<string> services = [];
        if (!TryRun(() => services = Run((host, token) => App(host).MatchServicesAsync(Cluster, Service, token))))
        {
            return;
        }

        var taskDefinition = string.IsNullOrEmpty(TaskDefinition) ? null : TaskDefinition;
        if (taskDefinition is not null && services.Count > 1)
        {
            WriteError(ToErrorRecord(new CruddurException(ErrorIds.DeployAmbiguousInput, ErrorKind.InvalidArgument,
                $"-TaskDefinition names one revision, but '{Service}' matches {services.Count} services ({string.Join(", ", services)}). Name one service, or leave out -TaskDefinition to roll each back to its last completed release.", target: Service)));
            return;
        }

        // Each matched service is rolled back (and asked about) on its own; one that fails does not stop the next.
        foreach (var service in services)
        {
            TryRun(() =>
            {
                var options = new DeployOptions { Wait = !NoWait, Timeout = Timeout, Rollback = false };
                var deployment = Run((host, token) =>
                    App(host).Deployer()
                        .UndoAsync(Cluster, service, taskDefinition, options, token));
                if (deployment is null)
                {
                    return;
                }

                if (EcsDeployer.UndoErrorFor(deployment, Timeout) is { } error)
                {
                    throw error;
                }

                WriteObject(deployment);
            });
        }
    }
}
