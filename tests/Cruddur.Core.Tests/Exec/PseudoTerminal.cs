using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Native = Cruddur.Core.Exec.ConsoleTerminal.UnixTerminal;

namespace Cruddur.Core.Tests.Exec;

/// <summary>
/// A pseudo-terminal pair of the test's own. <see cref="Terminal"/> is what a console's stdin is: the terminal the code under test
/// sets and reads. The other side (the master) is the user at it: the keys typed, the screen, the window closed.
/// </summary>
internal sealed class PseudoTerminal : IDisposable
{
    private int _master;

    public PseudoTerminal()
    {
        if (openpty(out _master, out var terminal, 0, 0, 0) != 0)
        {
            throw new IOException($"openpty failed (errno {Marshal.GetLastPInvokeError()})");
        }

        Terminal = terminal;
    }

    public int Terminal { get; }

    /// <summary>A stream to the screen as a console program holds one: buffered, so what is not flushed is not seen.</summary>
    public Stream OpenOutput() => new FileStream(new SafeFileHandle(Terminal, ownsHandle: false), FileAccess.Write);

    /// <summary>The terminal's settings (the whole termios, opaque).</summary>
    public byte[] Settings()
    {
        var settings = new byte[256];
        Check(Native.tcgetattr(Terminal, settings), "tcgetattr");
        return settings;
    }

    /// <summary>Another program takes the terminal over and makes it raw its own way.</summary>
    public void MakeRawElsewhere()
    {
        var settings = Settings();
        Native.cfmakeraw(settings);
        Check(Native.tcsetattr(Terminal, 0, settings), "tcsetattr");
    }

    public void Type(string keys)
    {
        var bytes = Encoding.UTF8.GetBytes(keys);
        Check((int)write(_master, bytes, bytes.Length) == bytes.Length ? 0 : -1, "write");
    }

    /// <summary>What reaches the screen, read until it holds <paramref name="expected"/> or 5 s have passed.</summary>
    public string Screen(string expected)
    {
        var screen = new StringBuilder();
        var buffer = new byte[4096];
        var watch = Stopwatch.StartNew();
        while (!screen.ToString().Contains(expected, StringComparison.Ordinal) && watch.Elapsed < TimeSpan.FromSeconds(5))
        {
            var poll = new Native.PollFd { Fd = _master, Events = Native.PollIn };
            if (Native.Poll(ref poll, 1, 100) > 0)
            {
                var read = (int)Native.ReadFd(_master, buffer, buffer.Length);
                screen.Append(Encoding.UTF8.GetString(buffer, 0, Math.Max(read, 0)));
            }
        }

        return screen.ToString();
    }

    /// <summary>The window is closed: the terminal hangs up, its input ends.</summary>
    public void HangUp()
    {
        _ = close(_master);
        _master = -1;
    }

    public void Dispose()
    {
        if (_master >= 0)
        {
            HangUp();
        }

        _ = close(Terminal);
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
        {
            throw new IOException($"{call} failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int openpty(out int master, out int slave, nint name, nint termios, nint winsize);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, byte[] buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
