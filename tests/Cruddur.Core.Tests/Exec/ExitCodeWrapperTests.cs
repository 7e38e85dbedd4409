using System.Diagnostics;
using System.Text;
using Cruddur.Core.Exec;

namespace Cruddur.Core.Tests.Exec;

public sealed class ExitCodeWrapperTests
{
    /// <summary>Runs the wrapped command as the agent would (split like a shell, then executed) and feeds its output back.</summary>
    private static (List<string> Lines, int? ExitCode) RunWrapped(string command)
    {
        var lines = new List<string>();
        var wrapper = new ExitCodeWrapper(command, lines.Add);
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec " + wrapper.Wrapped);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.BaseStream;
        var buffer = new byte[7]; // small reads split lines and UTF-8 characters across writes
        int read;
        while ((read = output.Read(buffer)) > 0)
        {
            wrapper.Write(buffer.AsSpan(0, read));
        }

        process.WaitForExit();
        wrapper.Complete();
        return (lines, wrapper.ExitCode);
    }

    [Fact]
    public void TheExitCodeComesBackAndTheMarkerIsNotOutput()
    {
        var (lines, code) = RunWrapped("echo hi; exit 3");
        Assert.Equal(["hi"], lines);
        Assert.Equal(3, code);
    }

    [Fact]
    public void QuotesNewlinesAndUnicodeSurviveTheWrapping()
    {
        var (lines, code) = RunWrapped("echo 'it''s \"quoted\"' é→\nprintf 'no newline'");
        Assert.Equal(["its \"quoted\" é→", "no newline"], lines);
        Assert.Equal(0, code);
    }

    [Fact]
    public void ACommentAtTheEndDoesNotSwallowTheWrapper()
    {
        var (lines, code) = RunWrapped("false # a comment");
        Assert.Empty(lines);
        Assert.Equal(1, code);
    }

    [Fact]
    public void PtyLineEndingsAreRemovedAndAMissingMarkerLeavesNoCode()
    {
        var lines = new List<string>();
        var wrapper = new ExitCodeWrapper("x", lines.Add);
        wrapper.Write(Encoding.UTF8.GetBytes("a\r\nb\r\nCRUDDUR_EXIT_0000000000000000:0\r\n"));
        wrapper.Complete();
        Assert.Equal(["a", "b", "CRUDDUR_EXIT_0000000000000000:0"], lines); // another run's marker is just text
        Assert.Null(wrapper.ExitCode);
    }

    [Fact]
    public void OnlyTheFirstMarkerLineSetsTheCodeAndTextBeforeItIsOutput()
    {
        var lines = new List<string>();
        var wrapper = new ExitCodeWrapper("x", lines.Add);
        var marker = MarkerOf(wrapper);

        wrapper.Write(Encoding.UTF8.GetBytes($"\r\npartial{marker}:7\r\n{marker}:9\r\nafter"));
        Assert.Equal(7, wrapper.ExitCode);
        Assert.Equal(["", "partial", $"{marker}:9"], lines);

        wrapper.Complete();
        Assert.Equal(["", "partial", $"{marker}:9", "after"], lines);
        wrapper.Complete();
        Assert.Equal(4, lines.Count); // nothing left over: no empty line at the end
    }

    [Fact]
    public void AMarkerWithAnUnreadableCodeIsJustText()
    {
        var lines = new List<string>();
        var wrapper = new ExitCodeWrapper("x", lines.Add);
        var marker = MarkerOf(wrapper);

        wrapper.Write(Encoding.UTF8.GetBytes($"{marker}:99999999999\n{marker}:1 trailing\n"));

        Assert.Null(wrapper.ExitCode);
        Assert.Equal([$"{marker}:99999999999", $"{marker}:1 trailing"], lines);
    }

    /// <summary>This run's marker, as the wrapped command prints it.</summary>
    private static string MarkerOf(ExitCodeWrapper wrapper) => System.Text.RegularExpressions.Regex.Match(wrapper.Wrapped, "CRUDDUR_EXIT_[0-9A-F]{16}").Value;
}
