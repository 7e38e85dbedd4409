using System.Collections;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using Cruddur.Core;
using System.Management.Automation.Host;
using Cruddur.Core.Hosting;
using Cruddur.Core.Tasks;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Runs a one-off task next to a service (a migration, a script) with the service's task definition and network, waits for it, and returns its exit code and last log lines.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "CruddurTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = OnlineHelp.Docs + "Invoke-CruddurTask.md")]
[OutputType(typeof(TaskResult))]
public sealed class InvokeCruddurTaskCommand : AwsCmdlet
{
    private volatile TaskResult? _launched; // the task ECS accepted: what Ctrl+C may stop

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

        TaskResult? result = null;
        try
        {
            result = Run((host, token) =>
                App(host).TaskRunner().RunAsync(task, r => _launched = r, token));
        }
        catch (CruddurException e)
        {
            WriteError(ToErrorRecord(e));
            return;
        }
        catch (PipelineStoppedException) when (StopToken.IsCancellationRequested && _launched is { } launched)
        {
            var message = AskStop(launched) ? StopTask(launched) : TaskRunner.LeftRunningMessage(launched);
            Tell(message);
            throw new PipelineStoppedException(message);
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

    // The pipeline is stopping, so this runs here with its own short deadline; a failure is reported, not thrown.
    private string StopTask(TaskResult launched)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            return Task.Run(() => App(SilentHost.Instance).StopTaskAsync(launched, deadline.Token)).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is CruddurException or OperationCanceledException or HttpRequestException)
        {
            return $"Could not stop the one-off task {launched.TaskId} ({e.Message}). {TaskRunner.LeftRunningMessage(launched)}";
        }
    }

    /// <summary>After Ctrl+C: stop the task? The default, and the answer wherever no one can be asked, is to leave it running.</summary>
    private bool AskStop(TaskResult result)
    {
        if (Host?.UI is not { } ui)
        {
            return false;
        }

        var choices = new Collection<ChoiceDescription>
        {
            new("&Leave it running", "Stop waiting; the task carries on in ECS."),
            new("&Stop the task", "Ask ECS to stop the task now."),
        };
        try
        {
            return ui.PromptForChoice("Stop the one-off task?", $"Task {result.TaskId} of {result.Service} is {result.LastStatus}.", choices, 0) == 1;
        }
        catch (Exception e) when (e is PSInvalidOperationException or HostException or NotImplementedException or NotSupportedException or PipelineStoppedException)
        {
            return false; // a non-interactive host
        }
    }
}
