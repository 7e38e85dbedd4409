namespace Cruddur.Core.Hosting;

/// <summary>
/// How core operations talk back to whoever runs them (a cmdlet, a test) without knowing PowerShell: messages, progress
/// and confirmation. Implementations may be called from any thread.
/// </summary>
public interface IOperationHost
{
    void WriteVerbose(string message);

    void WriteWarning(string message);

    /// <summary>Something the user watching may want to see (service events, a task's log lines); see <see cref="InformationTags"/>.</summary>
    void WriteInformation(string message, string tag);

    void WriteProgress(ProgressUpdate update);

    /// <summary>Asks whether to change <paramref name="target"/>; false under -WhatIf or when the user declines.</summary>
    bool ShouldProcess(string target, string action);

    /// <summary>
    /// After a stop (Ctrl+C), asks one question about what the stopped work leaves behind, such as a task it started.
    /// Returns the index of the answer, or <paramref name="defaultChoice"/> where nobody can be asked. Only work whose
    /// token a stop cancelled asks it, before it ends with an <see cref="OperationStoppedException"/>.
    /// </summary>
    int ChooseAfterStop(string caption, string message, IReadOnlyList<StopChoice> choices, int defaultChoice);
}

/// <summary>One answer to <see cref="IOperationHost.ChooseAfterStop"/>: a short label and what it does.</summary>
public sealed record StopChoice(string Label, string Help);

/// <summary>The tags of information messages.</summary>
public static class InformationTags
{
    /// <summary>A service event seen while watching a deployment: shown by default (the user watches the rollout).</summary>
    public const string ServiceEvent = "ServiceEvent";

    /// <summary>Where a successful deploy is served (Deploy-CruddurService), for a script to pick out of the information stream.</summary>
    public const string PublicUrl = "PublicUrl";

    /// <summary>The end of a release of more than five services whose every service succeeded: one count line (Deploy-CruddurService).</summary>
    public const string ReleaseSummary = "ReleaseSummary";

    /// <summary>A line a one-off task wrote while Invoke-CruddurTask waited for it.</summary>
    public const string TaskLog = "TaskLog";
}

/// <summary>One progress bar's state. <see cref="Id"/> tells bars apart; <see cref="Completed"/> removes the bar.</summary>
public sealed record ProgressUpdate(int Id, string Activity, string Status, int PercentComplete = -1, bool Completed = false, int ParentId = -1);

/// <summary>A host that says yes to everything and discards messages: for callers that want none of it.</summary>
internal sealed class SilentHost : IOperationHost
{
    public static readonly SilentHost Instance = new();

    public void WriteVerbose(string message) { }

    public void WriteWarning(string message) { }

    public void WriteInformation(string message, string tag) { }

    public void WriteProgress(ProgressUpdate update) { }

    public bool ShouldProcess(string target, string action) => true;

    public int ChooseAfterStop(string caption, string message, IReadOnlyList<StopChoice> choices, int defaultChoice) => defaultChoice;
}
