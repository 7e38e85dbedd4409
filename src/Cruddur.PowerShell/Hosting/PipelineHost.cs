using System.Collections.Concurrent;
using System.Management.Automation;
using Cruddur.Core.Hosting;

namespace Cruddur.PowerShell.Hosting;

/// <summary>
/// Lets core work run off the pipeline thread while every Write* and ShouldProcess happens on it, as PowerShell requires:
/// the worker queues calls, the pipeline thread runs them until the work is done.
/// </summary>
internal sealed class PipelineHost : IOperationHost
{
    private readonly Cmdlet _cmdlet;
    private readonly BlockingCollection<Action> _queue = new();

    public PipelineHost(Cmdlet cmdlet) => _cmdlet = cmdlet;

    /// <summary>Runs <paramref name="work"/> on the thread pool and serves its host calls here until it ends.</summary>
    public T Run<T>(Func<IOperationHost, Task<T>> work)
    {
        var task = Task.Run(() => work(this));
        task.ContinueWith(_ => _queue.CompleteAdding(), TaskScheduler.Default);
        foreach (var call in _queue.GetConsumingEnumerable())
        {
            call();
        }

        return task.GetAwaiter().GetResult();
    }

    // Every text the core sends passes the redaction rule here, the one door to PowerShell's streams.
    public void WriteVerbose(string message) => _queue.Add(() => _cmdlet.WriteVerbose(Redaction.Redact(message)));

    public void WriteWarning(string message) => _queue.Add(() => _cmdlet.WriteWarning(Redaction.Redact(message)));

    public void WriteInformation(string message, string tag) => _queue.Add(() => _cmdlet.WriteInformation(Redaction.Redact(message), [tag]));

    public void WriteProgress(ProgressUpdate update) => _queue.Add(() =>
    {
        var record = new ProgressRecord(update.Id, Redaction.Redact(update.Activity), Redaction.Redact(update.Status))
        {
            PercentComplete = update.PercentComplete,
            ParentActivityId = update.ParentId,
            RecordType = update.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        _cmdlet.WriteProgress(record);
    });

    public bool ShouldProcess(string target, string action)
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(() =>
        {
            try
            {
                answer.SetResult(_cmdlet.ShouldProcess(Redaction.Redact(target), Redaction.Redact(action)));
            }
            catch (Exception e)
            {
                answer.SetException(e); // e.g. the pipeline stopped at the prompt: the worker must end too
                throw;
            }
        });
        return answer.Task.GetAwaiter().GetResult();
    }
}
