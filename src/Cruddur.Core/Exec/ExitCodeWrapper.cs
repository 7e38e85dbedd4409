using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Cruddur.Core.Exec;

/// <summary>
/// ECS Exec sessions are interactive: the agent runs the command in a pseudo-terminal and never reports how it ended. So the
/// command is wrapped: <c>/bin/sh -c '( COMMAND ); printf "%s:%d\n" MARKER "$?"'</c>, with a marker made fresh for each run.
/// The subshell keeps an <c>exit</c> in the command from skipping the printf. The output is cut into lines (the pty ends them
/// in CRLF); the marker line gives the exit code and is not shown or returned. Text before the marker on its line is output
/// that did not end in a newline.
/// </summary>
internal sealed class ExitCodeWrapper
{
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly StringBuilder _line = new();
    private readonly Action<string> _onLine;
    private readonly string _marker;
    private readonly Regex _markerLine;

    public ExitCodeWrapper(string command, Action<string> onLine)
    {
        _onLine = onLine;
        var marker = _marker = "CRUDDUR_EXIT_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        _markerLine = new Regex("^(?<before>.*)" + marker + @":(?<code>\d+)\r?$", RegexOptions.CultureInvariant);
        // The agent splits the command like a shell: the script is one single-quoted word, its own quotes written as '\''.
        var script = $"(\n{command}\n); printf \"%s:%d\\n\" {marker} \"$?\"";
        Wrapped = "/bin/sh -c '" + script.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>The command to give ECS ExecuteCommand.</summary>
    public string Wrapped { get; }

    /// <summary>The remote command's exit code, once its marker line has arrived.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>Takes the next bytes of the session's output; complete lines go to the callback.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[_decoder.GetCharCount(bytes, flush: false)];
        _decoder.GetChars(bytes, chars, flush: false);
        foreach (var c in chars)
        {
            if (c == '\n')
            {
                EndLine();
            }
            else
            {
                _line.Append(c);
            }
        }
    }

    /// <summary>The session ended: a last line without a newline is still output.</summary>
    public void Complete()
    {
        if (_line.Length > 0)
        {
            EndLine();
        }
    }

    private void EndLine()
    {
        var line = _line.ToString();
        _line.Clear();
        // The plain search first: the regex would walk every long output line back from its end.
        var match = ExitCode is null && line.Contains(_marker, StringComparison.Ordinal) ? _markerLine.Match(line) : Match.Empty;
        if (match.Success && int.TryParse(match.Groups["code"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            ExitCode = code;
            line = match.Groups["before"].Value;
            if (line.Length == 0)
            {
                return;
            }
        }

        _onLine(line.TrimEnd('\r'));
    }
}
