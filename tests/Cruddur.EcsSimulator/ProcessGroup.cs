using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Cruddur.EcsSimulator;

/// <summary>
/// A program started in a process group of its own (through setsid), as a container's processes share one namespace: a
/// signal reaches the whole group, and when the main process ends whatever it left behind is killed, as the container's end
/// would kill it. Output lines go to the given callback.
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    private readonly Process _process;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ProcessGroup(Process process) => _process = process;

    public int Pid { get; private set; }

    /// <summary>Starts argv with the settings of <paramref name="psi"/> (its FileName and ArgumentList are replaced); null when
    /// argv[0] is not an executable file on the environment's PATH (or at the path given).</summary>
    public static ProcessGroup? Start(IReadOnlyList<string> argv, ProcessStartInfo psi, Action<string> onLine)
    {
        if (Which(argv[0], psi.Environment.TryGetValue("PATH", out var path) ? path : null) is not { } program)
        {
            return null;
        }
        psi.FileName = "setsid";
        psi.ArgumentList.Clear();
        psi.ArgumentList.Add(program);
        foreach (var a in argv.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var group = new ProcessGroup(p);
        p.OutputDataReceived += (_, e) => Emit(e.Data, onLine);
        p.ErrorDataReceived += (_, e) => Emit(e.Data, onLine);
        p.Exited += (_, _) => group._exited.TrySetResult();
        p.Start();
        group.Pid = p.Id;
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return group;
    }

    private static void Emit(string? line, Action<string> onLine)
    {
        if (line is not null)
        {
            onLine(line);
        }
    }

    /// <summary>The main process's exit code (128 + the signal that killed it: 143 SIGTERM, 137 SIGKILL) once it has ended,
    /// what it left behind is killed and its output is read to the end.</summary>
    public async Task<int> WaitAsync(CancellationToken cancellationToken = default)
    {
        await _exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        Signal(SigKill);
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Sends a signal to every process of the group (nothing if it is gone), and to the main process itself, which
    /// may not have made its group yet (setsid not run so far).</summary>
    public void Signal(int signal)
    {
        _ = kill(-Pid, signal);
        if (!_exited.Task.IsCompleted)
        {
            _ = kill(Pid, signal);
        }
    }

    public void Dispose() => _process.Dispose();

    /// <summary>The full path of a program as execvp would find it, or null.</summary>
    public static string? Which(string program, string? path)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return IsExecutable(program) ? program : null;
        }
        return (path ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, program)).FirstOrDefault(IsExecutable);
    }

    private static bool IsExecutable(string file) =>
        File.Exists(file) && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
