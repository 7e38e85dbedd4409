using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Aws;
using Cruddur.Core.Deployments;
using Cruddur.PowerShell.Arguments;
using Cruddur.Core.Hosting;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Shows ECS services: deployments, task counts, the last events and the running tasks.</summary>
[Cmdlet(VerbsCommon.Get, "CruddurService", HelpUri = OnlineHelp.Docs + "Get-CruddurService.md")]
[OutputType(typeof(ServiceStatus))]
[ErrorHint(ErrorIds.ServiceNotFound, CommonHints.ServiceNotFound)]
[ErrorHint(ErrorIds.ServiceClusterNotFound, CommonHints.ClusterNotFound)]
public sealed class GetCruddurServiceCommand : AwsCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EcsServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Service { get; set; } = [];

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EcsClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    [Parameter]
    [ValidateRange(0, 100)]
    public int EventCount { get; set; } = 5;

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var missing = new List<Cruddur.Core.Hosting.CruddurException>();
            var services = Run((host, token) =>
                App(host).ServiceStatus().GetAsync(Cluster, Service, EventCount, missing.Add, token));
            foreach (var error in missing)
            {
                WriteError(ToErrorRecord(error));
            }

            WriteObject(services, enumerateCollection: true);
        });
    }
}
