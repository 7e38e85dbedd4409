using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Deployments;
using Cruddur.PowerShell.Arguments;
using Cruddur.Core.Hosting;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Continues, or rolls back, a blue/green (linear, canary) deployment that waits at a PAUSE lifecycle hook, and watches the rest of it.</summary>
[Cmdlet(VerbsLifecycle.Resume, "CruddurDeployment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = OnlineHelp.Docs + "Resume-CruddurDeployment.md")]
[OutputType(typeof(Deployment))]
[ErrorHint(ErrorIds.ServiceNotFound, CommonHints.ServiceNotFound)]
[ErrorHint(ErrorIds.ServiceClusterNotFound, CommonHints.ClusterNotFound)]
public sealed class ResumeCruddurDeploymentCommand : AwsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EcsServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Service { get; set; } = string.Empty;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EcsClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    /// <summary>Answer the hook with ROLLBACK instead of CONTINUE: traffic goes back to the old revision.</summary>
    [Parameter]
    public SwitchParameter Rollback { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [SecondsArgument]
    [ValidateDuration(1, 86400)]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var options = new DeployOptions { Wait = !NoWait, Timeout = Timeout, Rollback = false };
            var deployment = Run((host, token) =>
                App(host).Deployer().ResumeAsync(Cluster, Service, Rollback, options, token));
            if (deployment is null)
            {
                return;
            }

            // A rollback asked for ends rolled back: that is what the caller wanted, so it is output, not an error.
            if (!(Rollback && deployment.Outcome == DeploymentOutcome.RolledBackByEcs) && EcsDeployer.ErrorFor(deployment) is { } error)
            {
                throw error;
            }

            WriteObject(deployment);
        });
    }
}
