using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Infrastructure;

/// <summary>Records what core code tells its host; answers ShouldProcess with <see cref="Approve"/>.</summary>
internal sealed class RecordingHost : IOperationHost
{
    public bool Approve { get; init; } = true;

    public List<string> Warnings { get; } = [];

    public List<string> Verbose { get; } = [];

    public List<string> Asked { get; } = [];

    public void WriteVerbose(string message) => Verbose.Add(message);

    public void WriteWarning(string message) => Warnings.Add(message);

    public void WriteInformation(string message, string tag) { }

    public void WriteProgress(ProgressUpdate update) { }

    public bool ShouldProcess(string target, string action)
    {
        Asked.Add($"{action}: {target}");
        return Approve;
    }
}
