using System.Text.RegularExpressions;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Images;

/// <summary>
/// A build's or pull's log as the user sees it: by default one progress bar whose status is the newest line (and whose
/// percentage is the build step, where the engine numbers them), every line on the verbose stream (-Verbose), and the last
/// lines kept for the error of a failed run. docker's notice that the legacy builder is deprecated (and its indented lines
/// about buildx) says nothing about this build, so it is dropped everywhere.
/// </summary>
internal sealed partial class EngineLog(IOperationHost host, int progressId, string activity)
{
    private const int StatusLength = 100;

    private readonly Queue<string> _tail = new();
    private readonly int _keep = 15;
    private bool _inNotice;
    private int _percent = -1;

    /// <summary>One line as the engine wrote it (<paramref name="isError"/>: on standard error).</summary>
    public void Observe(string line, bool isError)
    {
        lock (_tail)
        {
            if (isError && IsNotice(line))
            {
                return;
            }

            if (_tail.Count == _keep)
            {
                _tail.Dequeue();
            }

            _tail.Enqueue(line);
            host.WriteVerbose(line);
            var text = line.Trim();
            if (text.Length == 0)
            {
                return;
            }

            if (StepLine().Match(text) is { Success: true } m && int.TryParse(m.Groups["step"].Value, out var step) && int.TryParse(m.Groups["steps"].Value, out var steps) && steps > 0)
            {
                _percent = Math.Clamp(100 * (step - 1) / steps, 0, 99);
            }

            host.WriteProgress(new ProgressUpdate(progressId, activity, text.Length > StatusLength ? text[..(StatusLength - 1)] + "…" : text, _percent));
        }
    }

    /// <summary>The last lines kept (notice left out), for a failure's message.</summary>
    public IReadOnlyList<string> Tail(int count)
    {
        lock (_tail)
        {
            return _tail.Where(l => l.Trim().Length > 0).TakeLast(count).ToList();
        }
    }

    public void Complete() => host.WriteProgress(new ProgressUpdate(progressId, activity, "Done", 100, Completed: true));

    // The notice's first line, then its indented lines (and the blank line that ends it).
    private bool IsNotice(string line)
    {
        if (line.StartsWith("DEPRECATED: The legacy builder is deprecated", StringComparison.Ordinal))
        {
            _inNotice = true;
            return true;
        }

        if (_inNotice && (line.Length == 0 || char.IsWhiteSpace(line[0])))
        {
            return true;
        }

        _inNotice = false;
        return false;
    }

    // docker's legacy builder "Step 2/5 : ...", podman/buildah "STEP 2/5: ...", BuildKit "#7 [build 2/5] ...".
    [GeneratedRegex(@"^(?:Step (?<step>\d+)/(?<steps>\d+) :|STEP (?<step>\d+)/(?<steps>\d+):|#\d+ \[(?:[^\]\s]+ )?(?<step>\d+)/(?<steps>\d+)\])")]
    private static partial Regex StepLine();
}
