using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Aws;
using Cruddur.Core.Deployments;
using Cruddur.Core.Deployments.Preflight;
using Cruddur.Core.Hosting;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Deploys an image to ECS services: registers the task definition, rolls it out, watches it and rolls back on failure.</summary>
[Cmdlet("Deploy", "CruddurService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = OnlineHelp.Docs + "Deploy-CruddurService.md")]
[OutputType(typeof(Deployment))]
[OutputType(typeof(DeployCheck))]
[ErrorHint(ErrorIds.ServiceNotFound, "Check -Service and -Cluster, or pass -ServiceDefinitionFile to create the service.")]
[ErrorHint(ErrorIds.ServiceClusterNotFound, CommonHints.ClusterNotFound)]
[ErrorHint(ErrorIds.TaskContainerNotFound, "Pass -ContainerName with one of them.")]
[ErrorHint(ErrorIds.DeployTimedOut, "A larger -Timeout (or -RollbackTimeout for a rollback) waits longer.")]
[ErrorHint(ErrorIds.DeployServiceDefinitionMismatch, "Pass the matching -ServiceDefinitionFile, or that -Service.")]
[ErrorHint(ErrorIds.TaskDefinitionNotFound, "Pass one with -TaskDefinitionFile.")]
public sealed class DeployCruddurServiceCommand : AwsCmdlet
{
    private readonly List<DeployTarget> _targets = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Repository", "ServiceName")]
    [ArgumentCompleter(typeof(EcsServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Service { get; set; } = [];

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EcsClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ImageUri")]
    [ValidateNotNullOrEmpty]
    public string? Image { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(EcsContainerCompleter))]
    [ValidateNotNullOrEmpty]
    public string? ContainerName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TaskDefinitionFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ServiceDefinitionFile { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [SecondsArgument]
    [ValidateDuration(1, 86400)]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

    [Parameter]
    [SecondsArgument]
    [ValidateDuration(1, 86400)]
    public TimeSpan RollbackTimeout { get; set; } = TimeSpan.FromMinutes(15);

    [Parameter]
    [SecondsArgument]
    [ValidateDuration(0, 86400)]
    public TimeSpan StableFor { get; set; } = DeployOptions.DefaultStableFor;

    [Parameter]
    public SwitchParameter NoRollback { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int KeepRevisions { get; set; }

    /// <summary>Only check what the new tasks would need (images, roles, secrets, log groups, network, target groups) and return one row per check; nothing is registered or changed.</summary>
    [Parameter]
    public SwitchParameter Check { get; set; }

    /// <summary>Deploy without the checks a deploy otherwise runs before it registers anything.</summary>
    [Parameter]
    public SwitchParameter SkipCheck { get; set; }

    /// <summary>How ECS releases the new revision: Rolling (the default), or BlueGreen, Linear, Canary, which shift traffic between two target groups.</summary>
    [Parameter]
    [ValidateSet(nameof(DeploymentStrategy.Rolling), nameof(DeploymentStrategy.BlueGreen), nameof(DeploymentStrategy.Linear), nameof(DeploymentStrategy.Canary))]
    public string? Strategy { get; set; }

    /// <summary>Blue/green, linear, canary: return when ECS is done (Completed), once production traffic has moved (Deployed), or at a lifecycle stage.</summary>
    [Parameter]
    [ValidateSet(LifecycleStages.Completed, LifecycleStages.Deployed, "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
        "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP")]
    public string WaitUntil { get; set; } = LifecycleStages.Completed;

    /// <summary>How long blue keeps running after all production traffic moved to green (minutes, or a TimeSpan; 0 to 1440 minutes).</summary>
    [Parameter]
    [MinutesArgument]
    public TimeSpan? BakeTime { get; set; }

    /// <summary>Linear: the share of production traffic moved per step (3.0 to 100.0, in steps of 0.1).</summary>
    [Parameter]
    public double? StepPercent { get; set; }

    /// <summary>Linear: the wait after each step (minutes, or a TimeSpan; 0 to 1440 minutes).</summary>
    [Parameter]
    [MinutesArgument]
    public TimeSpan? StepBakeTime { get; set; }

    /// <summary>Canary: the share of production traffic moved first (0.1 to 100.0, in steps of 0.1).</summary>
    [Parameter]
    public double? CanaryPercent { get; set; }

    /// <summary>Canary: the wait before the rest of the traffic moves (minutes, or a TimeSpan; 0 to 1440 minutes).</summary>
    [Parameter]
    [MinutesArgument]
    public TimeSpan? CanaryBakeTime { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (Check && SkipCheck)
        {
            ThrowTerminating(new CruddurException(ErrorIds.DeployCheckAndSkipCheck, ErrorKind.InvalidArgument,
                "-Check only checks and -SkipCheck deploys without checking; pass one of them, not both. Nothing was checked or deployed."));
        }
    }

    protected override void ProcessRecord()
    {
        if (Service.Length > 1 && (Image is not null || (TaskDefinitionFile is not null && !Directory.Exists(Resolve(TaskDefinitionFile)))))
        {
            ThrowTerminating(new CruddurException(ErrorIds.DeployAmbiguousInput, ErrorKind.InvalidArgument,
                "-Image and a -TaskDefinitionFile file apply to one service; with several -Service names pipe Publish-CruddurImage's images in, or pass a folder as -TaskDefinitionFile.", target: Service));
        }

        foreach (var name in Service)
        {
            _targets.Add(new DeployTarget(Cluster, name)
            {
                Image = Image,
                ContainerName = ContainerName,
                TaskDefinitionFile = FileFor(TaskDefinitionFile, SeedDefaults.TaskDefinitionFileName(name)),
                ServiceDefinitionFile = FileFor(ServiceDefinitionFile, SeedDefaults.ServiceDefinitionFileName(name)) ?? SeedFile(SeedDefaults.ServiceDefinitionFile(name)),
            });
        }
    }

    protected override void EndProcessing()
    {
        if (_targets.Count == 0)
        {
            return;
        }

        if (Check)
        {
            try
            {
                WriteObject(Run((host, token) => App(host).Deployer().CheckAsync(_targets, token)), enumerateCollection: true);
            }
            catch (CruddurException e)
            {
                ThrowTerminating(e);
            }

            return;
        }

        var options = new DeployOptions
        {
            SkipCheck = SkipCheck,
            Wait = !NoWait,
            Timeout = Timeout,
            Rollback = !NoRollback,
            RollbackTimeout = RollbackTimeout,
            KeepRevisions = KeepRevisions,
            StableFor = StableFor,
            WaitUntil = WaitUntil,
            Strategy = new StrategySettings
            {
                Strategy = Strategy is null ? null : Enum.Parse<DeploymentStrategy>(Strategy, ignoreCase: true),
                BakeTime = BakeTime, StepPercent = StepPercent, StepBakeTime = StepBakeTime, CanaryPercent = CanaryPercent, CanaryBakeTime = CanaryBakeTime,
            },
        };
        DeployResult result;
        try
        {
            result = Run((host, token) => App(host).Deployer().DeployAsync(_targets, options, token));
        }
        catch (CruddurException e)
        {
            ThrowTerminating(e); // bad input or a refused call before anything changed: nothing was deployed
            return;
        }

        // Every service that changed is reported, each on its own: a failure of one does not hide the others.
        foreach (var deployment in result.Deployments)
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

        if (result.Failure is not null)
        {
            WriteError(ToErrorRecord(result.Failure));
        }
    }

    private string Resolve(string path) => GetUnresolvedProviderPathFromPSPath(path);

    // A folder holds one file per service, named as in the seed's aws/task-definitions and aws/ecs.
    /// <summary>The seed's file under the current folder (aws/ecs/service-&lt;service&gt;.json), when it is there: a new service is created from it.</summary>
    private string? SeedFile(string relativePath) => Resolve(relativePath) is var path && File.Exists(path) ? path : null;

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
