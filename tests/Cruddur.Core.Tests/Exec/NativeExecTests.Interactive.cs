using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Exec;

/// <summary>The interactive shell against the simulator's agent, which runs a real bash in a pty; a scripted terminal types.</summary>
public sealed partial class NativeExecTests
{
    [Fact]
    public async Task TheShellGetsKeysAsTypedAndTheTerminalIsRestoredWhenItExits()
    {
        var terminal = new ScriptedTerminal((120, 40));
        var shell = Connector(new RecordingHost()).RunShellAsync(_target, terminal, CancellationToken.None);
        await terminal.WaitForRawAsync();

        terminal.Type("echo $((6*7))");
        terminal.Type("\n"); // a lone LF goes as CR, the Enter key
        await terminal.WaitForOutputAsync("42\r\n"); // the echoed line shows 6*7, only the shell prints 42
        // Left arrow (as a terminal sends it) moves the cursor: "ac" becomes "abc" in bash's line editor.
        terminal.Type("echo a-c\u001b[D\u001b[Db\r");
        await terminal.WaitForOutputAsync("ab-c\r\n");
        terminal.Type("touch cruddur-tab-file\r");
        terminal.Type("ls cruddur-ta\t\r"); // Tab completes the name in the remote shell
        await terminal.WaitForOutputAsync("cruddur-tab-file\r\n"); // the completed, echoed line ends in a space
        // Ctrl+C once the command in the foreground has printed its line (the echo of the typed line has "sleeping;"): it
        // is then the one the Ctrl+C interrupts, before or after it becomes sleep.
        terminal.Type("sh -c 'echo sleeping; exec sleep 30'\r");
        await terminal.WaitForOutputAsync("sleeping\r\n");
        terminal.Type("\u0003"); // Ctrl+C interrupts the remote sleep, not this process
        terminal.Type("echo after-$?\r");
        await terminal.WaitForOutputAsync("after-130");
        terminal.Size = (100, 30);
        Assert.True(await Eventually.TrueAsync(async () => (await ChannelsAsync())[0]!["sizes"]!.AsArray().Count == 2), "the new size was not sent");
        // Ctrl+D at an empty prompt ends bash, and with it the session. Typed before bash is back at its prompt, it is lost,
        // as in any terminal: typed again each second until the session ends.
        var typing = Stopwatch.StartNew();
        while (!shell.IsCompleted && typing.Elapsed < TimeSpan.FromSeconds(20))
        {
            terminal.Type("\u0004");
            await Task.WhenAny(shell, Task.Delay(TimeSpan.FromSeconds(1)));
        }

        await shell.WaitAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(1, terminal.RawEntered);
        Assert.Equal(1, terminal.Restored);
        Assert.Equal(0, terminal.ReadsAfterRestore); // nothing typed after the session is taken from PowerShell
        Assert.True(terminal.SizeReads < 100, $"the size was read {terminal.SizeReads} times: it is polled, not spun on");
        var channel = (await ChannelsAsync())[0]!;
        Assert.Equal("closed", (string?)channel["state"]);
        Assert.Equal(["{\"cols\":120,\"rows\":40}", "{\"cols\":100,\"rows\":30}"], channel["sizes"]!.AsArray().Select(s => (string?)s));
        // Each read of keys is one input message, exactly as typed but for the lone LF; no empty ones while nothing is typed.
        // (Of the Ctrl+Ds, those typed after bash exited reach no one.)
        var input = (string)channel["input"]!;
        var ctrlDs = input.Count(c => c == '\u0004');
        Assert.True(ctrlDs >= 1);
        Assert.Equal(terminal.Typed.Count(t => t != "\u0004") + ctrlDs, (int?)channel["inputMessages"]);
        Assert.Equal(string.Concat(terminal.Typed.Where(t => t != "\u0004")).Replace("\n", "\r", StringComparison.Ordinal), input.Replace("\u0004", "", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(8192, int.MaxValue)] // the network: the channel aborted after 8 KiB of output
    [InlineData(0, 1)] // the terminal: its output fails (closed) after the first write
    public async Task ALostChannelOrTerminalEndsTheShellWithAClearErrorAndRestoresTheTerminal(int closeAfterBytes, int failWritesAfter)
    {
        await FaultsAsync(new { closeAfterBytes });
        var terminal = new ScriptedTerminal((80, 24)) { FailWritesAfter = failWritesAfter };
        var shell = Connector(new RecordingHost()).RunShellAsync(_target, terminal, CancellationToken.None);
        await terminal.WaitForRawAsync();

        terminal.Type("seq 1 100000\r");

        var e = await Assert.ThrowsAsync<CruddurException>(() => shell.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("ExecChannelLost", e.ErrorId);
        Assert.Equal(1, terminal.Restored);
    }

    [Fact]
    public async Task StoppingTheShellEndsTheRemoteShellAndRestoresTheTerminal()
    {
        using var stop = new CancellationTokenSource();
        var terminal = new ScriptedTerminal((80, 24));
        var shell = Connector(new RecordingHost()).RunShellAsync(_target, terminal, stop.Token);
        await terminal.WaitForRawAsync();
        Assert.True(await Eventually.TrueAsync(async () => (string?)(await ChannelsAsync())[0]!["state"] == "running"), "the shell did not start");

        stop.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => shell.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, terminal.Restored);
        Assert.True(await Eventually.TrueAsync(async () => (string?)(await ChannelsAsync())[0]!["state"] is "closed" or "aborted"), "the remote shell kept running");
        // Asked to end, not merely dropped: a real agent keeps the shell of a dropped connection until its idle timeout.
        Assert.True((bool?)(await ChannelsAsync())[0]!["terminateRequested"]);
    }

    [Fact]
    public async Task WhenTheKeyboardInputEndsTheRemoteShellStillRunsToItsEnd()
    {
        var terminal = new ScriptedTerminal((80, 24));
        var shell = Connector(new RecordingHost()).RunShellAsync(_target, terminal, CancellationToken.None);
        await terminal.WaitForRawAsync();

        terminal.Type("echo done-$((40+2)); exit 4\r");
        terminal.EndInput(); // standard input closed: only the reading of keys stops

        await terminal.WaitForOutputAsync("done-42");
        await shell.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, terminal.ReadsAfterEnd);
        Assert.Equal(1, terminal.Restored);
        Assert.Equal(4, (int?)(await ChannelsAsync())[0]!["exitCode"]);
    }

    /// <summary>A terminal whose keys come from the test and whose output is kept; it counts raw-mode entries and restores.</summary>
    private sealed class ScriptedTerminal((int, int) size) : ITerminal
    {
        private readonly BlockingCollection<byte[]> _keys = [];
        private readonly StringBuilder _output = new();
        private readonly TaskCompletionSource _raw = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<string> _typed = new();
        private (int Columns, int Rows) _size = size;
        private int _writes;
        private int _sizeReads;
        private int _readsAfterEnd;
        private int _readsAfterRestore;
        private int _activeReads;
        private volatile bool _ended;
        private volatile bool _restored;

        public (int Columns, int Rows) Size
        {
            get
            {
                Interlocked.Increment(ref _sizeReads);
                return _size;
            }

            set => _size = value;
        }

        public int SizeReads => Volatile.Read(ref _sizeReads);

        /// <summary>Reads of keys after the input ended, and reads started after or still going when the terminal was restored.</summary>
        public int ReadsAfterEnd => Volatile.Read(ref _readsAfterEnd);

        public int ReadsAfterRestore => Volatile.Read(ref _readsAfterRestore);

        public IReadOnlyList<string> Typed => _typed.ToList();

        public int RawEntered { get; private set; }

        public int Restored { get; private set; }

        public int FailWritesAfter { get; init; } = int.MaxValue;

        public IDisposable EnterRawMode()
        {
            RawEntered++;
            _raw.TrySetResult();
            return new Restorer(this);
        }

        public int Read(Span<byte> buffer, TimeSpan wait)
        {
            if (_ended)
            {
                Interlocked.Increment(ref _readsAfterEnd);
                return -1;
            }

            Interlocked.Increment(ref _activeReads);
            if (_restored)
            {
                Interlocked.Increment(ref _readsAfterRestore);
            }

            var read = !_keys.TryTake(out var keys, wait) ? 0 : keys.Length == 0 ? -1 : keys.Length;
            _ended = read < 0;
            keys?.CopyTo(buffer);
            Interlocked.Decrement(ref _activeReads);
            return read;
        }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            if (++_writes > FailWritesAfter)
            {
                throw new IOException("the terminal went away");
            }

            lock (_output)
            {
                _output.Append(Encoding.UTF8.GetString(bytes));
            }
        }

        public void Type(string keys)
        {
            _typed.Enqueue(keys);
            _keys.Add(Encoding.UTF8.GetBytes(keys));
        }

        /// <summary>The end of input (Ctrl+D at a terminal that is not in raw mode, a closed pipe): reads give -1 from then on.</summary>
        public void EndInput() => _keys.Add([]);

        public Task WaitForRawAsync() => _raw.Task.WaitAsync(TimeSpan.FromSeconds(20));

        public async Task WaitForOutputAsync(string text)
        {
            var watch = Stopwatch.StartNew();
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"'{text}' never came; the terminal showed: {Output}");
                await Task.Delay(20);
            }
        }

        private string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        private sealed class Restorer(ScriptedTerminal terminal) : IDisposable
        {
            public void Dispose()
            {
                terminal._restored = true;
                terminal.Restored++;
                if (Volatile.Read(ref terminal._activeReads) > 0)
                {
                    Interlocked.Increment(ref terminal._readsAfterRestore);
                }
            }
        }
    }
}
