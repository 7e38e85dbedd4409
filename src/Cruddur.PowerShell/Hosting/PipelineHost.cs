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

    public void WriteVerbose(string message) => _queue.Add(() => _cmdlet.WriteVerbose(message));

    public void WriteWarning(string message) => _queue.Add(() => _cmdlet.WriteWarning(message));

    public void WriteInformation(string message, string tag) => _queue.Add(() => _cmdlet.WriteInformation(message, [tag]));

    public void WriteProgress(ProgressUpdate update) => _queue.Add(() =>
    {
        var record = new ProgressRecord(update.Id, update.Activity, update.Status)
        {
            PercentComplete = update.PercentComplete,
            ParentActivityId = update.ParentId,
            RecordType = update.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        _cmdlet.WriteProgress(record);
    });

    public bool ShouldProcess(string target, string action) => Invoke(() => _cmdlet.ShouldProcess(target, action));

    /// <summary>Runs <paramref name="action"/> on the pipeline thread without waiting (WriteObject of a streamed result).</summary>
    public void Post(Action action) => _queue.Add(action);

    /// <summary>Runs <paramref name="call"/> on the pipeline thread and waits for its answer (a prompt).</summary>
    public T Invoke<T>(Func<T> call)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(() =>
        {
            try
            {
                answer.SetResult(call());
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
