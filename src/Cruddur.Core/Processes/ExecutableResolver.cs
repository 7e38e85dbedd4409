namespace Cruddur.Core.Processes;

/// <summary>
/// Finds the programs the module starts. Only the folders of PATH are searched, and only absolute ones: never the current
/// folder or the module's folder (where .NET's own lookup would look first, so a planted 'docker' there would receive the
/// registry password). A name with a directory part is taken as a path the user chose.
/// </summary>
internal static class ExecutableResolver
{
    /// <summary>The full path of <paramref name="program"/>, or null when no PATH folder holds an executable of that name.</summary>
    public static string? Find(string program, string? pathVariable = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        if (program.Contains('/') || (OperatingSystem.IsWindows() && program.Contains('\\')))
        {
            var full = Path.GetFullPath(program);
            return IsExecutable(full) ? full : null;
        }

        var names = OperatingSystem.IsWindows()
            ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".EXE").Split(';', StringSplitOptions.RemoveEmptyEntries).Select(ext => program + ext.ToLowerInvariant()).Prepend(program).ToArray()
            : [program];
        foreach (var directory in (pathVariable ?? Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            // A relative entry ('.', 'bin', empty) means "the current folder" to a shell: exactly what must not be searched.
            if (!Path.IsPathFullyQualified(directory))
            {
                continue;
            }

            foreach (var name in names)
            {
                var candidate = Path.Combine(directory, name);
                if (IsExecutable(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
