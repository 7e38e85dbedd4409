using System.Runtime.InteropServices;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Exec;

/// <summary>The local end of an interactive session: the user's keystrokes as raw bytes, the remote terminal's bytes, the size.</summary>
internal interface ITerminal
{
    /// <summary>Columns and rows of the window.</summary>
    (int Columns, int Rows) Size { get; }

    /// <summary>Raw mode: every key reaches <see cref="Read"/> as the bytes the terminal sends, nothing is echoed or turned into a signal. Disposing restores the terminal as it was.</summary>
    IDisposable EnterRawMode();

    /// <summary>Waits up to <paramref name="wait"/> for input; returns the bytes read, 0 when none came, -1 at the end of input.</summary>
    int Read(Span<byte> buffer, TimeSpan wait);

    void Write(ReadOnlySpan<byte> bytes);
}

/// <summary>This process's console as an <see cref="ITerminal"/>: termios through libc on Linux and macOS, console modes on Windows.</summary>
internal static partial class ConsoleTerminal
{
    /// <summary>The console, or a clear error when input or output is redirected (an interactive shell needs a terminal).</summary>
    public static ITerminal Open() => Open(Console.IsInputRedirected, Console.IsOutputRedirected);

    /// <summary><see cref="Open()"/> with the redirections given, so each case can be tested from a test host whose streams are what they are.</summary>
    internal static ITerminal Open(bool inputRedirected, bool outputRedirected)
    {
        if (inputRedirected || outputRedirected)
        {
            throw new CruddurException(ErrorIds.ExecNoTerminal, ErrorKind.InvalidOperation,
                "An interactive session needs a terminal, but this session's input or output is redirected. Start the shell from a terminal, or run one command instead.");
        }

        return OperatingSystem.IsWindows() ? new WindowsTerminal() : new UnixTerminal(UnixTerminal.StdIn, Console.OpenStandardOutput());
    }

    internal abstract class ConsoleBase(Stream output) : ITerminal
    {
        public (int Columns, int Rows) Size
        {
            get
            {
                try
                {
                    // Width and height are two reads: a resize between them gives the old width with the new height. Read
                    // until two reads agree, so the remote terminal is never sent a size the window never had.
                    var size = (Console.WindowWidth, Console.WindowHeight);
                    for (var again = (Console.WindowWidth, Console.WindowHeight); again != size; again = (Console.WindowWidth, Console.WindowHeight))
                    {
                        size = again;
                    }

                    return size;
                }
                catch (IOException)
                {
                    return (300, 100); // what the plugin assumes when it cannot ask (shellsession.go)
                }
            }
        }

        public abstract IDisposable EnterRawMode();

        public abstract int Read(Span<byte> buffer, TimeSpan wait);

        public void Write(ReadOnlySpan<byte> bytes)
        {
            output.Write(bytes);
            output.Flush();
        }
    }

    /// <summary>
    /// cfmakeraw on a copy of the current termios (its layout differs between Linux and macOS, so it is kept opaque), and that
    /// copy restored on the way out, also when the process is told to end (SIGTERM, SIGHUP). In raw mode Ctrl+C, Ctrl+Z and
    /// Ctrl+\ arrive as bytes 3, 26 and 28: what the plugin sends when it catches those signals (sessionutil/control_signals_unix.go).
    /// Keys come from <paramref name="input"/> (stdin; a test's pseudo-terminal), the remote terminal's bytes go to <paramref name="output"/>.
    /// </summary>
    internal sealed class UnixTerminal(int input, Stream output) : ConsoleBase(output)
    {
        internal const int StdIn = 0;
        private const int TcsaNow = 0;
        internal const short PollIn = 1;

        public override IDisposable EnterRawMode()
        {
            var saved = new byte[256]; // larger than any termios
            if (tcgetattr(input, saved) != 0)
            {
                throw new CruddurException(ErrorIds.ExecNoTerminal, ErrorKind.InvalidOperation,
                    $"The terminal's settings could not be read (errno {Marshal.GetLastPInvokeError()}); one command can still run without a terminal.");
            }

            var raw = (byte[])saved.Clone();
            cfmakeraw(raw);
            var restore = new Restore(() => tcsetattr(input, TcsaNow, saved));
            restore.OnSignals(PosixSignal.SIGTERM, PosixSignal.SIGHUP);
            tcsetattr(input, TcsaNow, raw);
            return restore;
        }

        public override int Read(Span<byte> buffer, TimeSpan wait)
        {
            var poll = new PollFd { Fd = input, Events = PollIn };
            var ready = Poll(ref poll, 1, (int)wait.TotalMilliseconds);
            if (ready <= 0)
            {
                return 0; // nothing yet, or a signal interrupted the wait
            }

            var bytes = new byte[buffer.Length];
            var read = (int)ReadFd(input, bytes, bytes.Length);
            if (read <= 0)
            {
                return -1;
            }

            bytes.AsSpan(0, read).CopyTo(buffer);
            return read;
        }

        // Internal for the tests, which play the user at a pseudo-terminal with the same calls.
        [StructLayout(LayoutKind.Sequential)]
        internal struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

        [DllImport("libc", SetLastError = true)]
        internal static extern int tcgetattr(int fd, byte[] termios);

        [DllImport("libc", SetLastError = true)]
        internal static extern int tcsetattr(int fd, int optionalActions, byte[] termios);

        [DllImport("libc")]
        internal static extern void cfmakeraw(byte[] termios);

        [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
        internal static extern int Poll(ref PollFd fds, uint count, int timeoutMs);

        [DllImport("libc", EntryPoint = "read", SetLastError = true)]
        internal static extern nint ReadFd(int fd, byte[] buffer, nint count);
    }

    /// <summary>Restores once, whichever comes first: Dispose, or one of the signals that end the process.</summary>
    private sealed class Restore(Action restore) : IDisposable
    {
        private readonly List<PosixSignalRegistration> _signals = [];
        private int _done;

        public void OnSignals(params PosixSignal[] signals) =>
            _signals.AddRange(signals.Select(s => PosixSignalRegistration.Create(s, _ => Run())));

        public void Dispose()
        {
            Run();
            _signals.ForEach(s => s.Dispose());
        }

        private void Run()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                restore();
            }
        }
    }
}
