using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using Cruddur.Core.Hosting;

namespace Cruddur.PowerShell.Hosting;

/// <summary>
/// Lets core work run off the pipeline thread while every Write* and ShouldProcess happens on it, as PowerShell requires:
/// the worker queues calls, the pipeline thread runs them until the work is done. It owns the worker's cancellation: a stop,
/// or a queued call that throws, cancels the worker and waits for it (bounded) before the pipeline thread moves on; while
/// it waits, the worker may ask one question about what the stop leaves behind (<see cref="ChooseAfterStop"/>).
/// </summary>
internal sealed class PipelineHost : IOperationHost
{
    // Long enough for a cancelled worker to say what it leaves running, short enough that one ignoring its token cannot
    // hold the prompt.
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    // After the user answered a question on the way out, the worker acts on the answer (a StopTask call, bounded by its
    // own shorter deadline).
    private static readonly TimeSpan AnswerGrace = TimeSpan.FromSeconds(30);

    private readonly Cmdlet _cmdlet;
    private readonly CancellationToken _stop;
    private readonly CancellationTokenSource _cancel;
    private readonly BlockingCollection<Action> _queue = new();
    private readonly BlockingCollection<(Action Ask, Action GiveUp)> _afterStop = new();

    // stop: cancelled by Ctrl+C (StopProcessing).
    public PipelineHost(Cmdlet cmdlet, CancellationToken stop)
    {
        _cmdlet = cmdlet;
        _stop = stop;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
    }

    /// <summary>Runs <paramref name="work"/> on the thread pool and serves its host calls here until it ends.</summary>
    public T Run<T>(Func<IOperationHost, CancellationToken, Task<T>> work)
    {
        var token = _cancel.Token;
        var task = Task.Run(() => work(this, token));
        task.ContinueWith(_ =>
        {
            _queue.CompleteAdding();
            _afterStop.CompleteAdding();
        }, TaskScheduler.Default);
        try
        {
            foreach (var call in _queue.GetConsumingEnumerable(token))
            {
                call();
            }
        }
        catch (Exception)
        {
            // Stopped, or a write was refused (the pipeline stopped, -WarningAction Stop): the worker must not run on.
            _cancel.Cancel();
            if (Settled(task) && task.IsCanceled && _stop.IsCancellationRequested)
            {
                task.GetAwaiter().GetResult(); // the worker's own cancellation, which may say what it left running
            }

            throw;
        }
        finally
        {
            if (task.IsCompleted)
            {
                _cancel.Dispose();
            }
        }

        return task.GetAwaiter().GetResult();
    }

    // Every text the core sends passes the redaction rule here, the one door to PowerShell's streams.
    public void WriteVerbose(string message) => Queue(() => _cmdlet.WriteVerbose(Redaction.Redact(message)));

    public void WriteWarning(string message) => Queue(() => _cmdlet.WriteWarning(Redaction.Redact(message)));

    public void WriteInformation(string message, string tag) => Queue(() => _cmdlet.WriteInformation(Redaction.Redact(message), Tags(tag)));

    // Service events and a release's summary are shown by default, as Write-Host's lines are (tag PSHOST); -InformationAction
    // SilentlyContinue quiets them as it quiets Write-Information, and -InformationVariable still collects them.
    private string[] Tags(string tag) =>
        tag is InformationTags.ServiceEvent or InformationTags.ReleaseSummary
        && !(_cmdlet is PSCmdlet { MyInvocation.BoundParameters: var bound } && bound.TryGetValue("InformationAction", out var action) && action is ActionPreference.SilentlyContinue)
            ? [tag, "PSHOST"]
            : [tag];

    public void WriteProgress(ProgressUpdate update) => Queue(() =>
    {
        var record = new ProgressRecord(update.Id, Redaction.Redact(update.Activity), Redaction.Redact(update.Status))
        {
            PercentComplete = update.PercentComplete,
            ParentActivityId = update.ParentId,
            RecordType = update.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        _cmdlet.WriteProgress(record);
    });

    public bool ShouldProcess(string target, string action) => Ask(() => _cmdlet is CruddurCmdlet cruddur
        ? cruddur.Confirm(Redaction.Redact(target), Redaction.Redact(action))
        : _cmdlet.ShouldProcess(Redaction.Redact(target), Redaction.Redact(action)));

    /// <summary>Runs <paramref name="call"/> on the pipeline thread without waiting for it (output written as the work goes).</summary>
    public void Post(Action call) => Queue(call);

    // Once cancelled, nobody serves the queue: output is dropped rather than queued.
    private void Queue(Action call)
    {
        if (!_cancel.IsCancellationRequested)
        {
            _queue.Add(call);
        }
    }

    // Asks on the pipeline thread; the worker waits for the answer, or wakes with OperationCanceledException on a stop.
    private T Ask<T>(Func<T> question)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue(() =>
        {
            try
            {
                answer.SetResult(question());
            }
            catch (Exception e)
            {
                answer.SetException(e); // e.g. the pipeline stopped at the prompt: the worker must end too
                throw;
            }
        });
        return answer.Task.WaitAsync(_cancel.Token).GetAwaiter().GetResult();
    }

    /// <summary>
    /// On the worker's thread, after a stop: asks the user on the pipeline thread, which serves such questions while it
    /// waits for the cancelled worker. The default where nobody can be asked, or once the pipeline thread gave up waiting.
    /// </summary>
    public int ChooseAfterStop(string caption, string message, IReadOnlyList<StopChoice> choices, int defaultChoice)
    {
        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            if (!_stop.IsCancellationRequested
                || !_afterStop.TryAdd((() => answer.TrySetResult(Prompt(caption, message, choices, defaultChoice)), () => answer.TrySetResult(defaultChoice))))
            {
                return defaultChoice;
            }
        }
        catch (InvalidOperationException)
        {
            return defaultChoice; // the pipeline thread no longer waits
        }

        return answer.Task.GetAwaiter().GetResult();
    }

    private int Prompt(string caption, string message, IReadOnlyList<StopChoice> choices, int defaultChoice)
    {
        if (_cmdlet is not PSCmdlet { Host.UI: { } ui })
        {
            return defaultChoice;
        }

        var descriptions = new Collection<ChoiceDescription>(choices.Select(c => new ChoiceDescription("&" + c.Label, Redaction.Redact(c.Help))).ToList());
        try
        {
            return ui.PromptForChoice(Redaction.Redact(caption), Redaction.Redact(message), descriptions, defaultChoice);
        }
        catch (Exception e) when (e is PSInvalidOperationException or HostException or NotImplementedException or NotSupportedException or PipelineStoppedException)
        {
            return defaultChoice; // a non-interactive host
        }
    }

    // Waits for a cancelled worker: StopGrace, or AnswerGrace after each question it asked about what it leaves behind.
    private bool Settled(Task task)
    {
        var until = DateTime.UtcNow + StopGrace;
        try
        {
            while (!task.IsCompleted)
            {
                var left = until - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }

                if (_afterStop.TryTake(out var question, left))
                {
                    question.Ask();
                    until = DateTime.UtcNow + AnswerGrace;
                }
                else if (!_afterStop.IsCompleted)
                {
                    return task.IsCompleted;
                }
            }

            return true;
        }
        finally
        {
            _afterStop.CompleteAdding();
            while (_afterStop.TryTake(out var unanswered))
            {
                unanswered.GiveUp();
            }
        }
    }
}
