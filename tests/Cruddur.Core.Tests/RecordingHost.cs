using System.Collections.Concurrent;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests;

/// <summary>An IOperationHost that keeps everything it is told, and answers ShouldProcess as told.</summary>
public sealed class RecordingHost : IOperationHost
{
    public RecordingHost(bool confirm = true) => Confirm = confirm;

    public bool Confirm { get; set; }

    public ConcurrentQueue<string> Messages { get; } = new();

    /// <summary>The information stream alone, without prefixes.</summary>
    public ConcurrentQueue<string> Information { get; } = new();

    public ConcurrentQueue<ProgressUpdate> Progress { get; } = new();

    public ConcurrentQueue<(string Target, string Action)> Asked { get; } = new();

    /// <summary>Every verbose, warning and information line, prefixed by its stream.</summary>
    public string AllText => string.Join("\n", Messages);

    public void WriteVerbose(string message) => Messages.Enqueue("VERBOSE: " + message);

    public void WriteWarning(string message) => Messages.Enqueue("WARNING: " + message);

    public void WriteInformation(string message, string tag)
    {
        Information.Enqueue(message);
        Messages.Enqueue($"INFO[{tag}]: " + message);
    }

    public void WriteProgress(ProgressUpdate update) => Progress.Enqueue(update);

    /// <summary>Answers each question by its action when set; otherwise every answer is <see cref="Confirm"/>.</summary>
    public Func<string, bool>? Decide { get; set; }

    public bool ShouldProcess(string target, string action)
    {
        Asked.Enqueue((target, action));
        return Decide?.Invoke(action) ?? Confirm;
    }

    /// <summary>The answer to a question after a stop; null answers with the default.</summary>
    public int? AfterStopAnswer { get; set; }

    public ConcurrentQueue<string> AskedAfterStop { get; } = new();

    public int ChooseAfterStop(string caption, string message, IReadOnlyList<StopChoice> choices, int defaultChoice)
    {
        AskedAfterStop.Enqueue($"{caption} {message}");
        return AfterStopAnswer ?? defaultChoice;
    }
}
