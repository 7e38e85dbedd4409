using System.Diagnostics;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Processes;

/// <summary>How to start one child process. Arguments are passed as a list, never through a shell.</summary>
internal sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments)
{
    public string? WorkingDirectory { get; init; }

    /// <summary>Written to the child's standard input, then closed (how secrets reach a child: never on its command line).</summary>
    public string? StandardInput { get; init; }

    /// <summary>Variables to set (a null value removes the variable) in the child's environment.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }
}

/// <summary>The end of a child process: exit code and the last lines it wrote, for error messages.</summary>
internal sealed record ProcessResult(int ExitCode, IReadOnlyList<string> Output, IReadOnlyList<string> ErrorOutput)
{
    public IEnumerable<string> LastLines(int count) => Output.Concat(ErrorOutput).TakeLast(count);
}

/// <summary>
/// Runs child processes with live output and Ctrl+C support (cancellation kills the whole process tree). Programs are
/// resolved from PATH only (<see cref="ExecutableResolver"/>), and output is read with a cap: the last
/// <see cref="KeptLines"/> lines, each cut at <see cref="MaxLineLength"/> characters, so a child cannot exhaust memory.
/// </summary>
internal static class ProcessRunner
{
    public const int KeptLines = 200;
    public const int MaxLineLength = 8192;

    /// <summary>
    /// Runs <paramref name="spec"/> to completion. Each output line goes to <paramref name="onOutput"/> as it arrives
    /// (false = standard output, true = standard error). Throws <paramref name="notFoundErrorId"/> when the program is not installed.
    /// </summary>
    /// <summary>Linux's ETXTBSY: the program's file is still open for writing somewhere (being installed or written just now).</summary>
    private const int TextFileBusy = 26;

    /// <summary>Starts the process, trying again for a moment while its file is busy being written (<see cref="TextFileBusy"/>).</summary>
    private static async Task StartAsync(Process process, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                process.Start();
                return;
            }
            catch (System.ComponentModel.Win32Exception e) when (e.NativeErrorCode == TextFileBusy && attempt < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static async Task<ProcessResult> RunAsync(ProcessSpec spec, Action<string, bool>? onOutput, string notFoundErrorId, CancellationToken cancellationToken)
    {
        var path = ExecutableResolver.Find(spec.FileName) ?? throw new CruddurException(notFoundErrorId, ErrorKind.NotInstalled,
            $"'{spec.FileName}' was not found in the folders of PATH (the current folder is never searched). Install it or put its folder on PATH.", target: spec.FileName);
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory ?? string.Empty,
        };
        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (spec.Environment is not null)
        {
            foreach (var (name, value) in spec.Environment)
            {
                if (value is null)
                {
                    info.Environment.Remove(name);
                }
                else
                {
                    info.Environment[name] = value;
                }
            }
        }

        using var process = new Process { StartInfo = info };
        try
        {
            await StartAsync(process, cancellationToken).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CruddurException(notFoundErrorId, ErrorKind.NotInstalled,
                $"'{path}' could not be started: {e.Message}. Install it or put it on PATH.", e, spec.FileName);
        }

        var output = new Queue<string>();
        var errors = new Queue<string>();
        var readOut = Pump(process.StandardOutput, output, line => onOutput?.Invoke(line, false));
        var readErr = Pump(process.StandardError, errors, line => onOutput?.Invoke(line, true));

        using (cancellationToken.Register(() => Kill(process)))
        {
            try
            {
                if (spec.StandardInput is not null)
                {
                    await process.StandardInput.WriteAsync(spec.StandardInput).ConfigureAwait(false);
                }

                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The child exited without reading its input; its exit code tells the story.
            }

            await Task.WhenAll(readOut, readErr).ConfigureAwait(false);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new ProcessResult(process.ExitCode, output.ToList(), errors.ToList());
    }

    private static async Task Pump(StreamReader reader, Queue<string> kept, Action<string> onLine)
    {
        await foreach (var line in ReadLinesAsync(reader, MaxLineLength).ConfigureAwait(false))
        {
            if (kept.Count == KeptLines)
            {
                kept.Dequeue();
            }

            kept.Enqueue(line);
            onLine(line);
        }
    }

    /// <summary>Lines (\n or \r\n) of at most <paramref name="maxLength"/> characters: the rest of a longer line is read and dropped.</summary>
    internal static async IAsyncEnumerable<string> ReadLinesAsync(TextReader reader, int maxLength)
    {
        var buffer = new char[4096];
        var line = new System.Text.StringBuilder();
        var cut = false;
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '\n')
                {
                    yield return Finish(line, cut);
                    line.Clear();
                    cut = false;
                }
                else if (line.Length < maxLength)
                {
                    line.Append(c);
                }
                else
                {
                    cut = true;
                }
            }
        }

        if (line.Length > 0 || cut)
        {
            yield return Finish(line, cut);
        }

        static string Finish(System.Text.StringBuilder line, bool cut)
        {
            if (line.Length > 0 && line[^1] == '\r')
            {
                line.Length--;
            }

            return cut ? line.Append('…').ToString() : line.ToString();
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
