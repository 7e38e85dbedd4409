using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Exec;

/// <summary>
/// The console terminal of an interactive shell (termios), on a pseudo-terminal the test opens: what the user at it notices.
/// Pester's Connect-CruddurTask test runs the whole module in a pty end to end (sizes, a remote Ctrl+C, the flags afterwards);
/// these pin each promise of the terminal on its own. They send SIGTERM and SIGHUP to the test host itself, so they run
/// alone (<see cref="SignalsTheTestHost"/>).
/// </summary>
[Collection(nameof(SignalsTheTestHost))]
public sealed class ConsoleTerminalTests : IDisposable
{
    private readonly PseudoTerminal _pty = new();
    private readonly Stream _screen;
    private readonly ConsoleTerminal.UnixTerminal _terminal;

    public ConsoleTerminalTests()
    {
        _screen = _pty.OpenOutput();
        _terminal = new ConsoleTerminal.UnixTerminal(_pty.Terminal, _screen);
    }

    public void Dispose()
    {
        _screen.Dispose();
        _pty.Dispose();
    }

    [Fact]
    public void InRawModeEachKeyArrivesAsTypedWithoutEnterEchoOrSignal()
    {
        using (_terminal.EnterRawMode())
        {
            _pty.Type("a\u0003"); // a key without Enter, then Ctrl+C

            Assert.Equal("a\u0003", Keys(2)); // Ctrl+C is byte 3 for the remote shell, not a signal here

            // Nothing was echoed: the screen shows only what the remote side writes.
            _terminal.Write("from the remote shell"u8);
            Assert.Equal("from the remote shell", _pty.Screen("from the remote shell"));
        }
    }

    [Fact]
    public void LeavingRawModeRestoresExactlyTheSettingsFoundAndOnlyOnce()
    {
        var before = _pty.Settings();
        var raw = _terminal.EnterRawMode();
        Assert.NotEqual(before, _pty.Settings());

        raw.Dispose();
        Assert.Equal(before, _pty.Settings());

        // Whatever the terminal is later set to (the next program's raw mode), a second Dispose leaves it so.
        _pty.MakeRawElsewhere();
        var theirs = _pty.Settings();
        raw.Dispose();
        Assert.Equal(theirs, _pty.Settings());
    }

    [Theory]
    [InlineData(PosixSignal.SIGHUP, 1)] // the terminal window closed
    [InlineData(PosixSignal.SIGTERM, 15)] // kill, a service manager stopping the session
    public async Task TheTerminalIsRestoredWhenTheProcessIsToldToEnd(PosixSignal signal, int signalNumber)
    {
        // Started under nohup, the test host ignores SIGHUP, and .NET hands an ignored signal to no handler: give it its
        // default for this test, as a shell a user types in has it, and ignore it again afterwards.
        const nint defaultAction = 0, ignore = 1;
        var wasIgnored = ProcessEnvironment.Ignores(signalNumber);
        if (wasIgnored)
        {
            SetSignalHandler(signalNumber, defaultAction);
        }

        try
        {
            var before = _pty.Settings();
            using var raw = _terminal.EnterRawMode();
            var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            // The test's own handler keeps the test host alive (Cancel): the restore must happen anyway.
            using (PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                delivered.TrySetResult();
            }))
            {
                Assert.Equal(0, kill(Environment.ProcessId, signalNumber));
                await delivered.Task.WaitAsync(TimeSpan.FromSeconds(10));

                // The handlers of one signal run one after the other: the terminal's may come just after the test's.
                await Eventually.TrueAsync(() => before.SequenceEqual(_pty.Settings()), TimeSpan.FromSeconds(5));
            }

            Assert.Equal(before, _pty.Settings());
        }
        finally
        {
            if (wasIgnored)
            {
                SetSignalHandler(signalNumber, ignore);
            }
        }
    }

    [Fact]
    public async Task ReadGivesNothingWhenNoKeyComesWithinTheWaitThenTheKeysTyped()
    {
        using (_terminal.EnterRawMode())
        {
            var buffer = new byte[16];
            // On a worker: a Read that blocked instead of returning would otherwise hang the test (the hang-up at the end frees it).
            var nothing = await Task.Run(() => _terminal.Read(buffer, TimeSpan.FromMilliseconds(50))).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, nothing);

            _pty.Type("ls\u001b[A"); // keys and an arrow's escape sequence

            Assert.Equal("ls\u001b[A", Keys(5));
        }
    }

    [Fact]
    public void ReadReportsTheEndOfInputWhenTheTerminalHangsUp()
    {
        using (_terminal.EnterRawMode())
        {
            _pty.HangUp();

            Assert.Equal(-1, _terminal.Read(new byte[16], TimeSpan.FromSeconds(5)));
        }
    }

    [Fact]
    public void WhatTheRemoteShellWritesReachesTheScreen()
    {
        _terminal.Write("héllo"u8);

        Assert.Equal("héllo", _pty.Screen("héllo"));
    }

    [Fact]
    public void RawModeOnSomethingThatIsNotATerminalIsRefusedWithTheWayOut()
    {
        using var notATerminal = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);
        var terminal = new ConsoleTerminal.UnixTerminal((int)notATerminal.DangerousGetHandle(), Stream.Null);

        var e = Assert.Throws<CruddurException>(() => terminal.EnterRawMode());

        Assert.Equal(ErrorIds.ExecNoTerminal, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Assert.Contains("errno 25", e.Message, StringComparison.Ordinal); // ENOTTY: what the system said
        Assert.Contains("one command can still run", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, false)] // keys piped in
    [InlineData(false, true)] // output to a file or a pipe
    [InlineData(true, true)]
    public void AConsoleWithInputOrOutputRedirectedIsRefused(bool inputRedirected, bool outputRedirected)
    {
        var e = Assert.Throws<CruddurException>(() => ConsoleTerminal.Open(inputRedirected, outputRedirected));

        Assert.Equal(ErrorIds.ExecNoTerminal, e.ErrorId);
        Assert.Contains("run one command instead", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConsoleOnLinuxOrMacOSIsDrivenThroughTermios()
    {
        Assert.IsType<ConsoleTerminal.UnixTerminal>(ConsoleTerminal.Open(inputRedirected: false, outputRedirected: false));
    }

    /// <summary>Reads keys until <paramref name="count"/> bytes came, or 5 s passed.</summary>
    private string Keys(int count)
    {
        var keys = new List<byte>();
        var buffer = new byte[16];
        var watch = Stopwatch.StartNew();
        while (keys.Count < count && watch.Elapsed < TimeSpan.FromSeconds(5))
        {
            var read = _terminal.Read(buffer, TimeSpan.FromMilliseconds(100));
            keys.AddRange(buffer.Take(Math.Max(read, 0)));
        }

        return Encoding.UTF8.GetString(keys.ToArray());
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "signal")]
    private static extern nint SetSignalHandler(int signal, nint handler);
}

/// <summary>
/// Tests that send a signal to the test host process run when nothing else does: every handler of that signal in the
/// process runs, and an in-process simulator's host (ConsoleLifetime) takes SIGTERM as "stop the application", which
/// resets its task runtime under another test's feet (its tasks then showed RUNNING with their exec agent PENDING).
/// </summary>
[CollectionDefinition(nameof(SignalsTheTestHost), DisableParallelization = true)]
public sealed class SignalsTheTestHost;
