using System.Runtime.InteropServices;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Exec;

// Stryker disable all : Windows only (kernel32 console modes); this project's tests and mutation runs are on Linux, where none of this can run.
internal static partial class ConsoleTerminal
{
    /// <summary>
    /// Console modes: no line editing, echo or Ctrl+C processing, virtual-terminal input (arrows and function keys arrive as
    /// escape sequences) and output, UTF-8 both ways; all restored on the way out. Not run on this project's CI (Linux only).
    /// </summary>
    private sealed class WindowsTerminal() : ConsoleBase(Console.OpenStandardOutput())
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
                    "The console's modes could not be read; one command can still run without a terminal.");
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
}
// Stryker restore all
