using System.Collections.Concurrent;
using System.Management.Automation;
using System.Reflection;
using Cruddur.Core.Hosting;

namespace Cruddur.PowerShell.Hosting;

/// <summary>
/// What every Cruddur cmdlet shares: a cancellation token that Ctrl+C (StopProcessing) cancels, core work run with its
/// output marshalled to the pipeline thread, and core errors turned into ErrorRecords with their stable ids and the
/// cmdlet's hints (<see cref="ErrorHintAttribute"/>).
/// </summary>
public abstract class CruddurCmdlet : PSCmdlet, IDisposable
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, string>> HintsByCmdlet = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    public void Dispose() => _stopping.Dispose();

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>
    /// Runs core work; its messages, progress and confirmations reach PowerShell while it runs. Ctrl+C cancels it and waits
    /// for it; what it says on the way out (<see cref="OperationStoppedException"/>) still reaches the user. With -Verbose,
    /// the AWS requests it sent are counted at its end.
    /// </summary>
    protected T Run<T>(Func<IOperationHost, CancellationToken, Task<T>> work)
    {
        try
        {
            return new PipelineHost(this, StopToken).Run(work);
        }
        catch (OperationCanceledException e) when (StopToken.IsCancellationRequested)
        {
            if (e is OperationStoppedException stopped)
            {
                Tell(stopped.Message);
                throw new PipelineStoppedException(stopped.Message);
            }

            throw new PipelineStoppedException();
        }
        catch (Exception e) when (IsUnexpected(e))
        {
            throw CruddurException.Unexpected(e);
        }
        finally
        {
            if (RequestSummary() is { } summary && !StopToken.IsCancellationRequested)
            {
                WriteVerbose(summary);
            }
        }
    }

    /// <summary>Like <see cref="Run{T}"/>, for work that hands out items as it goes (a log follow): each is written at once.</summary>
    protected void RunStreaming<TItem>(Func<IOperationHost, Action<TItem>, CancellationToken, Task> work) =>
        Run(async (host, token) =>
        {
            var pipeline = (PipelineHost)host;
            await work(host, item => pipeline.Post(() => WriteObject(item)), token).ConfigureAwait(false);
            return true;
        });

    // A stopping pipeline refuses output: the message goes to the host's UI (what a console user sees) and rides on the
    // PipelineStoppedException (what a script hosting PowerShell sees).
    protected void Tell(string message)
    {
        try
        {
            WriteWarning(message);
        }
        catch (PipelineStoppedException)
        {
            Host?.UI?.WriteWarningLine(message);
        }
    }

    /// <summary>The AWS requests sent since the last summary, for cmdlets that call AWS.</summary>
    protected virtual string? RequestSummary() => null;

    /// <summary>Whether -Force was given, for cmdlets that have it.</summary>
    protected virtual bool Forced => false;

    /// <summary>Whether -WhatIf (or $WhatIfPreference) is in effect.</summary>
    protected bool WhatIfRequested => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf)
        ? LanguagePrimitives.IsTrue(whatIf)
        : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>ShouldProcess, with -Force as AWS.Tools has it: no prompt, while -WhatIf still only tells.</summary>
    internal bool Confirm(string target, string action) => (Forced && !WhatIfRequested) || ShouldProcess(target, action);

    /// <summary>
    /// Runs <paramref name="action"/> for one pipeline item; any failure of it becomes a non-terminating error (so the
    /// next items still run) and false is returned. PowerShell's own exceptions (a stop, a terminating error) pass.
    /// </summary>
    protected bool TryRun(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (CruddurException e)
        {
            WriteError(ToErrorRecord(e));
            return false;
        }
        catch (Exception e) when (IsUnexpected(e))
        {
            WriteError(ToErrorRecord(CruddurException.Unexpected(e)));
            return false;
        }
    }

    /// <summary>Writes a verbose line through the module's redaction rule (as every core message is).</summary>
    protected new void WriteVerbose(string text) => base.WriteVerbose(Redaction.Redact(text));

    /// <summary>Writes a warning through the module's redaction rule.</summary>
    protected new void WriteWarning(string text) => base.WriteWarning(Redaction.Redact(text));

    // Not ours to translate: PowerShell's own errors (stops, terminating errors, binding, a prompt refused by a
    // non-interactive host: they carry their ErrorRecord) and Ctrl+C.
    private bool IsUnexpected(Exception e) =>
        e is not CruddurException and not IContainsErrorRecord && !(e is OperationCanceledException && StopToken.IsCancellationRequested);

    /// <summary>Stops the cmdlet with a Cruddur error (for failures that leave nothing else to do).</summary>
    protected void ThrowTerminating(CruddurException e) => ThrowTerminatingError(ToErrorRecord(e));

    /// <summary>The error as PowerShell shows it: the core's message, then this cmdlet's hint for its id, if it has one.</summary>
    internal ErrorRecord ToErrorRecord(CruddurException e)
    {
        if (Hints(GetType()).TryGetValue(e.ErrorId, out var hint))
        {
            e = e.WithHint(hint);
        }

        return new ErrorRecord(e, e.ErrorId, Map(e.Kind), e.Target);
    }

    private static IReadOnlyDictionary<string, string> Hints(Type cmdlet) => HintsByCmdlet.GetOrAdd(cmdlet, type =>
    {
        var hints = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var t = type; t is not null; t = t.BaseType)
        {
            foreach (var h in t.GetCustomAttributes<ErrorHintAttribute>(inherit: false))
            {
                hints.TryAdd(h.ErrorId, h.Hint); // the cmdlet's own hint wins over its base class's
            }
        }

        return hints;
    });

    private static ErrorCategory Map(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
        ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        ErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        ErrorKind.NotInstalled => ErrorCategory.NotInstalled,
        ErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        _ => ErrorCategory.NotSpecified,
    };
}
