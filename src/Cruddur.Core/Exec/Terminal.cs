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
internal static class ConsoleTerminal
{
    /// <summary>The console, or a clear error when input or output is redirected (an interactive shell needs a terminal).</summary>
    public static ITerminal Open()
    {
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            throw new CruddurException(ErrorIds.ExecNoTerminal, ErrorKind.InvalidOperation,
                "An interactive session needs a terminal, but this session's input or output is redirected. Run one command with -Command '<command>' instead, or start the shell from a terminal.");
        }

        return OperatingSystem.IsWindows() ? new WindowsTerminal() : new UnixTerminal();
    }

    private abstract class ConsoleBase : ITerminal
    {
        private readonly Stream _out = Console.OpenStandardOutput();

        public (int Columns, int Rows) Size
        {
            get
            {
                try
                {
                    return (Console.WindowWidth, Console.WindowHeight);
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
            _out.Write(bytes);
            _out.Flush();
        }
    }

    /// <summary>
    /// cfmakeraw on a copy of the current termios (its layout differs between Linux and macOS, so it is kept opaque), and that
    /// copy restored on the way out, also when the process is told to end (SIGTERM, SIGHUP). In raw mode Ctrl+C, Ctrl+Z and
    /// Ctrl+\ arrive as bytes 3, 26 and 28: what the plugin sends when it catches those signals (sessionutil/control_signals_unix.go).
    /// </summary>
    private sealed class UnixTerminal : ConsoleBase
    {
        private const int StdIn = 0;
        private const int TcsaNow = 0;
        private const short PollIn = 1;

        public override IDisposable EnterRawMode()
        {
            var saved = new byte[256]; // larger than any termios
            if (tcgetattr(StdIn, saved) != 0)
            {
                throw new CruddurException(ErrorIds.ExecNoTerminal, ErrorKind.InvalidOperation,
                    $"The terminal's settings could not be read (errno {Marshal.GetLastPInvokeError()}). Run one command with -Command '<command>' instead.");
            }

            var raw = (byte[])saved.Clone();
            cfmakeraw(raw);
            var restore = new Restore(() => tcsetattr(StdIn, TcsaNow, saved));
            restore.OnSignals(PosixSignal.SIGTERM, PosixSignal.SIGHUP);
            tcsetattr(StdIn, TcsaNow, raw);
            return restore;
        }

        public override int Read(Span<byte> buffer, TimeSpan wait)
        {
            var poll = new PollFd { Fd = StdIn, Events = PollIn };
            var ready = Poll(ref poll, 1, (int)wait.TotalMilliseconds);
            if (ready <= 0)
            {
                return 0; // nothing yet, or a signal interrupted the wait
            }

            var bytes = new byte[buffer.Length];
            var read = (int)ReadFd(StdIn, bytes, bytes.Length);
            if (read <= 0)
            {
                return -1;
            }

            bytes.AsSpan(0, read).CopyTo(buffer);
            return read;
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int tcgetattr(int fd, byte[] termios);

        [DllImport("libc", SetLastError = true)]
        private static extern int tcsetattr(int fd, int optionalActions, byte[] termios);

        [DllImport("libc")]
        private static extern void cfmakeraw(byte[] termios);

        [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
        private static extern int Poll(ref PollFd fds, uint count, int timeoutMs);

        [DllImport("libc", EntryPoint = "read", SetLastError = true)]
        private static extern nint ReadFd(int fd, byte[] buffer, nint count);
    }

    /// <summary>
    /// Console modes: no line editing, echo or Ctrl+C processing, virtual-terminal input (arrows and function keys arrive as
    /// escape sequences) and output, UTF-8 both ways; all restored on the way out. Not run on this project's CI (Linux only).
    /// </summary>
    private sealed class WindowsTerminal : ConsoleBase
    {
        private const int StdInputHandle = -10;
        private const int StdOutputHandle = -11;
        private const uint EnableProcessedInput = 0x1;
        private const uint EnableLineInput = 0x2;
        private const uint EnableEchoInput = 0x4;
        private const uint EnableVirtualTerminalInput = 0x200;
        private const uint EnableVirtualTerminalProcessing = 0x4;
        private const uint DisableNewlineAutoReturn = 0x8;
        private const ushort KeyEvent = 1;
        private const int InputRecordSize = 20;

        private readonly nint _in = GetStdHandle(StdInputHandle);
        private readonly nint _out = GetStdHandle(StdOutputHandle);

        public override IDisposable EnterRawMode()
        {
            if (!GetConsoleMode(_in, out var inMode) || !GetConsoleMode(_out, out var outMode))
            {
                throw new CruddurException(ErrorIds.ExecNoTerminal, ErrorKind.InvalidOperation,
                    "The console's modes could not be read. Run one command with -Command '<command>' instead.");
            }

            var inputCodePage = GetConsoleCP();
            var outputCodePage = GetConsoleOutputCP();
            var restore = new Restore(() =>
            {
                SetConsoleMode(_in, inMode);
                SetConsoleMode(_out, outMode);
                SetConsoleCP(inputCodePage);
                SetConsoleOutputCP(outputCodePage);
            });
            SetConsoleCP(65001);
            SetConsoleOutputCP(65001);
            SetConsoleMode(_in, (inMode & ~(EnableProcessedInput | EnableLineInput | EnableEchoInput)) | EnableVirtualTerminalInput);
            SetConsoleMode(_out, outMode | EnableVirtualTerminalProcessing | DisableNewlineAutoReturn);
            return restore;
        }

        public override int Read(Span<byte> buffer, TimeSpan wait)
        {
            if (WaitForSingleObject(_in, (uint)wait.TotalMilliseconds) != 0)
            {
                return 0;
            }

            // Focus, mouse and size events also wake the wait but give ReadFile nothing: drop them rather than block on them.
            var records = new byte[InputRecordSize * 32];
            if (!PeekConsoleInput(_in, records, 32, out var count) || count == 0)
            {
                return 0;
            }

            var typed = false;
            for (var i = 0; i < count && !typed; i++)
            {
                var record = records.AsSpan(i * InputRecordSize);
                typed = BitConverter.ToUInt16(record) == KeyEvent && BitConverter.ToInt32(record[4..]) != 0 && BitConverter.ToUInt16(record[14..]) != 0;
            }

            if (!typed)
            {
                ReadConsoleInput(_in, records, count, out _);
                return 0;
            }

            var bytes = new byte[buffer.Length];
            if (!ReadFile(_in, bytes, bytes.Length, out var read, 0) || read == 0)
            {
                return -1;
            }

            bytes.AsSpan(0, read).CopyTo(buffer);
            return read;
        }

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern nint GetStdHandle(int handle);

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool GetConsoleMode(nint handle, out uint mode);

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool SetConsoleMode(nint handle, uint mode);

        [DllImport("kernel32.dll")]
        private static extern uint GetConsoleCP();

        [DllImport("kernel32.dll")]
        private static extern uint GetConsoleOutputCP();

        [DllImport("kernel32.dll")]
        private static extern bool SetConsoleCP(uint codePage);

        [DllImport("kernel32.dll")]
        private static extern bool SetConsoleOutputCP(uint codePage);

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern uint WaitForSingleObject(nint handle, uint milliseconds);

        [DllImport("kernel32.dll", EntryPoint = "PeekConsoleInputW", SetLastError = true)]
        private static extern bool PeekConsoleInput(nint handle, byte[] records, int length, out int read);

        [DllImport("kernel32.dll", EntryPoint = "ReadConsoleInputW", SetLastError = true)]
        private static extern bool ReadConsoleInput(nint handle, byte[] records, int length, out int read);

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool ReadFile(nint handle, byte[] buffer, int toRead, out int read, nint overlapped);
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
