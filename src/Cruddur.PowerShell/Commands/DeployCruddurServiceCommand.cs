using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Aws;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Deploys an image to ECS services: registers the task definition, rolls it out, watches it and rolls back on failure.</para>
/// </summary>
[Cmdlet("Deploy", "CruddurService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = OnlineHelp.Docs + "Deploy-CruddurService.md")]
[OutputType(typeof(Deployment))]
public sealed class DeployCruddurServiceCommand : AwsCmdlet
{
    private readonly List<DeployTarget> _targets = [];

    /// <summary><para type="description">The service(s) to deploy. Publish-CruddurImage's Repository binds here (the seed names repository and service alike).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Repository", "ServiceName")]
    [ArgumentCompleter(typeof(EcsServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Service { get; set; } = [];

    /// <summary><para type="description">The ECS cluster. Default: cruddur.</para></summary>
    [Parameter]
    [ArgumentCompleter(typeof(EcsClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    /// <summary><para type="description">The image to deploy, best pinned by digest (registry/repository@sha256:...). Publish-CruddurImage's ImageUri binds here. Without it the definition's image is kept.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ImageUri")]
    [ValidateNotNullOrEmpty]
    public string? Image { get; set; }

    /// <summary><para type="description">The container whose image is replaced. Default: the service name.</para></summary>
    [Parameter]
    [ArgumentCompleter(typeof(EcsContainerCompleter))]
    [ValidateNotNullOrEmpty]
    public string? ContainerName { get; set; }

    /// <summary><para type="description">A task definition file in the format of register-task-definition --cli-input-json, such as aws/task-definitions/backend-flask.json, or a folder holding &lt;service&gt;.json files. Default: the service's current task definition.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TaskDefinitionFile { get; set; }

    /// <summary><para type="description">A create-service --cli-input-json file, such as aws/ecs/service-backend-flask.json, or a folder holding service-&lt;service&gt;.json files. Used only to create a service that does not exist.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ServiceDefinitionFile { get; set; }

    /// <summary><para type="description">Return once ECS accepted the deployment, without watching it.</para></summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary><para type="description">How long to watch before the deployment counts as failed: a TimeSpan or a number of seconds. Default: 15 minutes.</para></summary>
    [Parameter]
    [SecondsArgument]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary><para type="description">How long to watch the rollback after a failed deployment: a TimeSpan or a number of seconds. Default: 15 minutes.</para></summary>
    [Parameter]
    [SecondsArgument]
    public TimeSpan RollbackTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary><para type="description">When the deployment fails and ECS did not roll back itself, leave the service as it is instead of rolling back to the previous revision.</para></summary>
    [Parameter]
    public SwitchParameter NoRollback { get; set; }

    /// <summary><para type="description">After a successful deployment, deregister the family's revisions older than the newest N, except ones a service still uses.</para></summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int KeepRevisions { get; set; }

    protected override void ProcessRecord()
    {
        if (Service.Length > 1 && (Image is not null || (TaskDefinitionFile is not null && !Directory.Exists(Resolve(TaskDefinitionFile)))))
        {
            ThrowTerminating(new CruddurException("DeployAmbiguousInput", ErrorKind.InvalidArgument,
                "-Image and a -TaskDefinitionFile file apply to one service; with several -Service names pipe Publish-CruddurImage's images in, or pass a folder as -TaskDefinitionFile.", target: Service));
        }

        foreach (var name in Service)
        {
            _targets.Add(new DeployTarget(Cluster, name)
            {
                Image = Image,
                ContainerName = ContainerName,
                TaskDefinitionFile = FileFor(TaskDefinitionFile, SeedDefaults.TaskDefinitionFileName(name)),
                ServiceDefinitionFile = FileFor(ServiceDefinitionFile, SeedDefaults.ServiceDefinitionFileName(name)),
            });
        }
    }

    protected override void EndProcessing()
    {
        if (_targets.Count == 0)
        {
            return;
        }

        var options = new DeployOptions { Wait = !NoWait, Timeout = Timeout, Rollback = !NoRollback, RollbackTimeout = RollbackTimeout, KeepRevisions = KeepRevisions };
        IReadOnlyList<Deployment> deployments = [];
        try
        {
            deployments = Run((host, token) =>
                new EcsDeployer(new AwsJsonClient(Aws, AwsService.Ecs, host), host, PlaceholderValues.For(Aws)) { Region = Aws.Region }.DeployAsync(_targets, options, token));
        }
        catch (CruddurException e)
        {
            ThrowTerminating(e); // bad input or a refused call: nothing (more) was deployed
        }

        foreach (var deployment in deployments)
        {
            if (EcsDeployer.ErrorFor(deployment) is { } error)
            {
                WriteError(ToErrorRecord(error));
            }
            else
            {
                WriteObject(deployment);
            }
        }
    }

    private string Resolve(string path) => GetUnresolvedProviderPathFromPSPath(path);

    // A folder holds one file per service, named as in the seed's aws/task-definitions and aws/ecs.
    private string? FileFor(string? path, string fileName)
    {
        if (path is null)
        {
            return null;
        }

        var resolved = Resolve(path);
        return Directory.Exists(resolved) ? Path.Combine(resolved, fileName) : resolved;
    }
}
