using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Hosting;
using Cruddur.Core.Logs;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Reads the CloudWatch Logs of a service's tasks (the awslogs driver's streams), merged in time order; -Follow keeps reading.</summary>
[Cmdlet(VerbsCommon.Get, "CruddurLog", HelpUri = OnlineHelp.Docs + "Get-CruddurLog.md")]
[OutputType(typeof(LogEvent))]
[ErrorHint(ErrorIds.LogNoTask, "Check -TaskId and -Since, or add -Follow to wait for one.")]
[ErrorHint(ErrorIds.LogSinceInvalid, "Pass -Since as 10m, 2h, 1h30m, 45s or 1d, or as a time.")]
[ErrorHint(ErrorIds.LogSinceInFuture, "Pass -Since as a time in the past or a duration such as 10m.")]
[ErrorHint(ErrorIds.TaskContainerNotFound, CommonHints.ContainerNotFound)]
public sealed class GetCruddurLogCommand : AwsCmdlet
{
    private readonly List<(string Cluster, string Service, string? TaskId)> _inputs = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [ArgumentCompleter(typeof(EcsServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Service { get; set; } = [];

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EcsClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    [Parameter]
    [Alias("ContainerName")]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("TaskArn")]
    [ValidateNotNullOrEmpty]
    public string? TaskId { get; set; }

    [Parameter]
    [ValidateNotNull]
    public object? Since { get; set; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Tail { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Filter { get; set; }

    [Parameter]
    public SwitchParameter Follow { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var service in Service)
        {
            _inputs.Add((Cluster, service, TaskId));
        }
    }

    protected override void EndProcessing()
    {
        DateTimeOffset? since;
        try
        {
            since = Since switch
            {
                null => null,
                PSObject { BaseObject: DateTime t } => LogSince.Check(t, DateTimeOffset.Now),
                DateTime t => LogSince.Check(t, DateTimeOffset.Now),
                DateTimeOffset t => LogSince.Check(t, DateTimeOffset.Now),
                var text => LogSince.Parse(text.ToString() ?? string.Empty, DateTimeOffset.Now),
            };
        }
        catch (CruddurException e)
        {
            ThrowTerminating(e);
            return;
        }

        // One read per cluster and task filter; a follow reads them all at once only when they share both.
        foreach (var group in _inputs.GroupBy(i => (i.Cluster, i.TaskId)))
        {
            var request = new LogRequest(group.Key.Cluster, group.Select(i => i.Service).Distinct(StringComparer.Ordinal).ToList())
            {
                Container = Container,
                TaskId = group.Key.TaskId,
                Since = since,
                Tail = Tail,
                Filter = Filter,
                Follow = Follow,
            };
            try
            {
                RunStreaming<LogEvent>((host, emit, token) =>
                    App(host).LogReader().ReadAsync(request, emit, token));
            }
            catch (CruddurException e)
            {
                WriteError(ToErrorRecord(e));
            }
        }
    }
}
