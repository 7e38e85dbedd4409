using Cruddur.Core.Processes;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Git;

/// <summary>What the project asks git about a folder: whether a file would be committed, and which commit is checked out.</summary>
internal static class GitWorkTree
{
    /// <summary>True when <paramref name="path"/> lies in a git work tree and git does not ignore it (so it could be committed).</summary>
    public static async Task<bool> IsTrackableAsync(string path, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var result = await TryGitAsync(directory, cancellationToken, "check-ignore", "-q", "--", Path.GetFileName(path)).ConfigureAwait(false);

        // check-ignore: 0 ignored, 1 not ignored, 128 not a repository (or no git at all: null).
        return result?.ExitCode == 1;
    }

    /// <summary>The short commit id of HEAD, with "-dirty" when the tree has uncommitted changes; null outside a work tree.</summary>
    public static async Task<string?> DescribeHeadAsync(string directory, CancellationToken cancellationToken)
    {
        var head = await TryGitAsync(directory, cancellationToken, "rev-parse", "--short", "HEAD").ConfigureAwait(false);
        if (head is not { ExitCode: 0 } || head.Output.Count == 0)
        {
            return null;
        }

        var status = await TryGitAsync(directory, cancellationToken, "status", "--porcelain", "--untracked-files=no").ConfigureAwait(false);
        var dirty = status is { ExitCode: 0 } && status.Output.Any(line => line.Length > 0);
        return head.Output[0].Trim() + (dirty ? "-dirty" : string.Empty);
    }

    private static async Task<ProcessResult?> TryGitAsync(string directory, CancellationToken cancellationToken, params string[] arguments)
    {
        try
        {
            return await ProcessRunner.RunAsync(new ProcessSpec("git", arguments) { WorkingDirectory = directory }, null, ErrorIds.GitNotFound, cancellationToken).ConfigureAwait(false);
        }
        catch (Hosting.CruddurException)
        {
            return null; // git is not installed: nothing to warn about
        }
    }
}
