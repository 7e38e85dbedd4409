using Cruddur.Core.Hosting;
using Cruddur.Core.Processes;

namespace Cruddur.Core.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the planted programs are shell scripts
public sealed class ExecutableResolverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cruddur-path-").FullName;
    private readonly List<string> _planted = [];

    public void Dispose()
    {
        foreach (var file in _planted)
        {
            File.Delete(file);
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task AProgramPlantedInTheCurrentOrTheAppFolderIsNeverRun()
    {
        var name = "docker-planted-" + Guid.NewGuid().ToString("N")[..8];
        var marker = Path.Combine(_dir, "ran");
        Plant(Path.Combine(Environment.CurrentDirectory, name), marker);
        Plant(Path.Combine(AppContext.BaseDirectory, name), marker);

        Assert.Null(ExecutableResolver.Find(name));
        var e = await Assert.ThrowsAsync<CruddurException>(() => ProcessRunner.RunAsync(new ProcessSpec(name, ["login", "--password-stdin"]) { StandardInput = "secret" }, null, ErrorIds.ImageEngineNotFound, CancellationToken.None));

        Assert.Equal("ImageEngineNotFound", e.ErrorId);
        Assert.False(File.Exists(marker), "the planted program ran");
    }

    [Fact]
    public void OnlyAbsolutePathFoldersAreSearchedInOrder()
    {
        var first = Directory.CreateDirectory(Path.Combine(_dir, "first")).FullName;
        var second = Directory.CreateDirectory(Path.Combine(_dir, "second")).FullName;
        Plant(Path.Combine(second, "git"), Path.Combine(_dir, "x"));
        File.WriteAllText(Path.Combine(first, "git"), "not executable");

        Assert.Equal(Path.Combine(second, "git"), ExecutableResolver.Find("git", string.Join(':', ".", string.Empty, "relative/bin", first, second)));
        Assert.Null(ExecutableResolver.Find("git", string.Join(':', ".", "relative/bin", first)));
    }

    [Fact]
    public async Task ChildOutputIsReadWithALineLengthCap()
    {
        var lines = new List<string>();
        await foreach (var line in ProcessRunner.ReadLinesAsync(new StringReader(new string('x', 100_000) + "\r\nshort\nlast"), 10))
        {
            lines.Add(line);
        }

        Assert.Equal(["xxxxxxxxxx…", "short", "last"], lines);
    }

    [Fact]
    public async Task AProgramStillOpenForWritingIsStartedOnceItIsClosed()
    {
        var path = Path.Combine(_dir, "just-written");
        var writing = new FileStream(path, FileMode.Create, FileAccess.Write);
        writing.Write("#!/bin/sh\necho started\n"u8);
        writing.Flush();
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // Closed a moment later, as an installer (or a test writing a stand-in while another thread forks) would close it.
        var closing = Task.Run(async () => { await Task.Delay(100); await writing.DisposeAsync(); });

        var result = await ProcessRunner.RunAsync(new ProcessSpec(path, []), null, ErrorIds.ImageEngineNotFound, CancellationToken.None);
        await closing;

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["started"], result.Output);
    }

    private void Plant(string path, string marker)
    {
        File.WriteAllText(path, $"#!/bin/sh\ncat > '{marker}'\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _planted.Add(path);
    }
}
