using System.Collections;
using System.Globalization;
using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Hosting;
using Cruddur.Core.Tasks;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Runs a one-off task next to a service (a migration, a script) with the service's task definition and network, waits for it, and returns its exit code and last log lines.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "CruddurTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = OnlineHelp.Docs + "Invoke-CruddurTask.md")]
[OutputType(typeof(TaskResult))]
[ErrorHint(ErrorIds.TaskContainerNotFound, CommonHints.ContainerNotFound)]
[ErrorHint(ErrorIds.ServiceNotFound, CommonHints.ServiceNotFound)]
[ErrorHint(ErrorIds.ServiceClusterNotFound, CommonHints.ClusterNotFound)]
[ErrorHint(ErrorIds.TaskDefinitionNotFound, "Pass a registered -TaskDefinition, or leave it out.")]
[ErrorHint(ErrorIds.TaskCommandUnbalancedQuote, "For example -Command sh, -c, 'echo migrated'.")]
[ErrorHint(ErrorIds.TaskCommandEmpty, "Pass what to run, such as -Command 'python manage.py migrate', or leave -Command out to run the image's own command.")]
public sealed class InvokeCruddurTaskCommand : AwsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [ArgumentCompleter(typeof(EcsServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Service { get; set; } = string.Empty;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EcsClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[]? Command { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Hashtable? Environment { get; set; }

    [Parameter]
    [Alias("ContainerName")]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TaskDefinition { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [SecondsArgument]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    protected override void ProcessRecord()
    {
        OneOffTask task;
        try
        {
            task = new OneOffTask(Cluster, Service)
            {
                Command = Command switch
                {
                    null => null,
                    [var single] => CommandLine.Split(single),
                    var argv => argv,
                },
                Environment = (Environment ?? []).Cast<DictionaryEntry>().ToDictionary(
                    e => Convert.ToString(e.Key, CultureInfo.InvariantCulture)!, e => Convert.ToString(e.Value, CultureInfo.InvariantCulture) ?? string.Empty, StringComparer.Ordinal),
                Container = Container,
                TaskDefinition = TaskDefinition,
                Wait = !NoWait,
                Timeout = Timeout,
            };
        }
        catch (CruddurException e)
        {
            ThrowTerminating(e);
            return;
        }

        TaskResult? result;
        try
        {
            result = Run((host, token) => App(host).TaskRunner().RunAsync(task, token));
        }
        catch (CruddurException e)
        {
            WriteError(ToErrorRecord(e));
            return;
        }

        if (result is null)
        {
            return; // -WhatIf, or declined
        }

        if (NoWait || TaskRunner.ErrorFor(result) is not { } error)
        {
            WriteObject(result);
        }
        else
        {
            WriteError(ToErrorRecord(error));
        }
    }
}
