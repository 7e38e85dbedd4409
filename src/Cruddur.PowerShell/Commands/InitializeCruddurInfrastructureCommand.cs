using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Creates the seed's one-time AWS set-up (log group, cluster, ECR repositories, IAM roles, security group), idempotently.</summary>
[Cmdlet(VerbsData.Initialize, "CruddurInfrastructure", SupportsShouldProcess = true, HelpUri = OnlineHelp.Docs + "Initialize-CruddurInfrastructure.md")]
[OutputType(typeof(InfrastructureResource))]
public sealed class InitializeCruddurInfrastructureCommand : AwsCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    [Parameter]
    [ArgumentCompleter(typeof(SeedServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Service { get; set; } = [.. SeedDefaults.Services];

    [Parameter]
    [ArgumentCompleter(typeof(LogRetentionCompleter))]
    public int LogRetentionDays { get; set; } = 1;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string PolicyPath { get; set; } = SeedDefaults.PolicyFolder;

    protected override void EndProcessing()
    {
        var policyPath = GetUnresolvedProviderPathFromPSPath(PolicyPath);
        if (MyInvocation.BoundParameters.ContainsKey(nameof(PolicyPath)) && !Directory.Exists(policyPath) && !File.Exists(policyPath))
        {
            ThrowTerminating(new CruddurException("PolicyPathNotFound", ErrorKind.ObjectNotFound,
                $"The policy folder '{PolicyPath}' does not exist. Pass the folder that holds service/ and task/ (the seed's aws/policies), or leave -PolicyPath out to use the built-in policies.", target: PolicyPath));
        }

        var options = new InfrastructureOptions { Cluster = Cluster, Services = Service, LogRetentionDays = LogRetentionDays, PolicyPath = policyPath };
        IReadOnlyList<InfrastructureResource> results;
        try
        {
            results = Run(async (host, token) =>
                await InfrastructureReconciler.ReconcileAsync(await InfrastructurePlan.CreateAsync(Aws, options, host, token).ConfigureAwait(false), host, token).ConfigureAwait(false));
        }
        catch (InfrastructureException e)
        {
            WriteObject(e.Results, enumerateCollection: true);
            ThrowTerminating(e);
            return;
        }
        catch (CruddurException e)
        {
            ThrowTerminating(e);
            return;
        }

        WriteObject(results, enumerateCollection: true);
    }
}
