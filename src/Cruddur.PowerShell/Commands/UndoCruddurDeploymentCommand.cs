using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Aws;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Rolls an ECS service back to its last release that completed and watches the rollback.</para>
/// </summary>
[Cmdlet(VerbsCommon.Undo, "CruddurDeployment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = OnlineHelp.Docs + "Undo-CruddurDeployment.md")]
[OutputType(typeof(Deployment))]
public sealed class UndoCruddurDeploymentCommand : AwsCmdlet
{
    /// <summary><para type="description">The service to roll back. Deployment and Get-CruddurService objects bind here.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EcsServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Service { get; set; } = string.Empty;

    /// <summary><para type="description">The ECS cluster. Default: cruddur.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EcsClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    /// <summary><para type="description">The revision to go back to (family:revision or an ARN). A piped Deployment binds its PreviousTaskDefinitionArn here. Default: the last other revision whose deployment completed.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("PreviousTaskDefinitionArn")]
    [ArgumentCompleter(typeof(EcsTaskDefinitionCompleter))]
    public string? TaskDefinition { get; set; }

    /// <summary><para type="description">Return once ECS accepted the rollback, without watching it.</para></summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary><para type="description">How long to watch the rollback: a TimeSpan or a number of seconds. Default: 15 minutes.</para></summary>
    [Parameter]
    [SecondsArgument]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary><para type="description">Roll back without asking for confirmation, as AWS.Tools' -Force does; -WhatIf still only tells what would happen.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override bool Forced => Force;

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var options = new DeployOptions { Wait = !NoWait, Timeout = Timeout, Rollback = false };
            var deployment = Run((host, token) =>
                new EcsDeployer(new AwsJsonClient(Aws, AwsService.Ecs, host), host, PlaceholderValues.For(Aws)) { Region = Aws.Region }.UndoAsync(Cluster, Service, string.IsNullOrEmpty(TaskDefinition) ? null : TaskDefinition, options, token));
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
