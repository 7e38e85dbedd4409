using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.Core.Logs;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Reads the CloudWatch Logs of a service's tasks (the awslogs driver's streams), merged in time order; -Follow keeps reading.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CruddurLog")]
[OutputType(typeof(LogEvent))]
public sealed class GetCruddurLogCommand : AwsCmdlet
{
    private readonly List<(string Cluster, string Service, string? TaskId)> _inputs = [];

    /// <summary><para type="description">The service(s) whose tasks' logs to read, such as backend-flask. Get-CruddurService, Deploy-CruddurService and Invoke-CruddurTask objects bind here.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [ArgumentCompleter(typeof(EcsServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Service { get; set; } = [];

    /// <summary><para type="description">The ECS cluster. Default: cruddur.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EcsClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    /// <summary><para type="description">Only this container's lines, such as backend-flask. Default: every container that logs to CloudWatch Logs.</para></summary>
    [Parameter]
    [Alias("ContainerName")]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    /// <summary><para type="description">Only this task's lines: a task id or ARN. Invoke-CruddurTask's result binds here.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("TaskArn")]
    [ValidateNotNullOrEmpty]
    public string? TaskId { get; set; }

    /// <summary><para type="description">Only lines from this time on: a duration back from now (10m, 2h, 1h30m, 45s, 1d) or a time ('2026-11-30 09:00', a DateTime). Default: everything the tasks wrote.</para></summary>
    [Parameter]
    [ValidateNotNull]
    public object? Since { get; set; }

    /// <summary><para type="description">Only the last N lines (with -Follow: then keep following).</para></summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Tail { get; set; }

    /// <summary><para type="description">A CloudWatch Logs filter pattern: a word such as ERROR, a quoted phrase such as '"GET /api"', or several terms that must all appear.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Filter { get; set; }

    /// <summary><para type="description">Keep reading: new lines appear as they are written (each once), tasks that start meanwhile are picked up. Ctrl+C stops.</para></summary>
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
                    new LogReader(new EcsClient(Aws, host), CloudWatchLogSource.For(Aws, host), host, Aws.Region).ReadAsync(request, emit, token));
            }
            catch (CruddurException e)
            {
                WriteError(ToErrorRecord(e));
            }
        }
    }
}
