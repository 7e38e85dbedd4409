using System.Diagnostics;
using Cruddur.Core.Hosting;
using Cruddur.Core.Images;

namespace Cruddur.Core.Tests.Images;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the engine stand-ins are shell scripts
public sealed class ContainerEngineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cruddur-engine-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task CancellingABuildKillsTheEngineProcess()
    {
        var engine = Script($"echo $$ > '{_dir}/pid'\nexec sleep 60");
        using var cts = new CancellationTokenSource();
        var build = engine.BuildAsync(new BuildSpec(_dir, "Dockerfile", ["x:latest"], new Dictionary<string, string>()), SilentHost.Instance, 1, cts.Token);
        var pidFile = Path.Combine(_dir, "pid");
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(pidFile) || new FileInfo(pidFile).Length == 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "the engine never started");
            await Task.Delay(20);
        }

        var pid = int.Parse(File.ReadAllText(pidFile).Trim());
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => build);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid)); // gone
    }

    [Fact]
    public async Task BuildArgumentValuesTravelInTheEnvironmentNotOnTheCommandLine()
    {
        var engine = Script($"echo \"$*\" > '{_dir}/argv'\necho \"$REACT_APP_CLIENT_ID\" > '{_dir}/value'");
        await engine.BuildAsync(new BuildSpec("/ctx", "/ctx/Dockerfile.prod", ["r/x:latest"], new Dictionary<string, string> { ["REACT_APP_CLIENT_ID"] = "client-value-7" }), SilentHost.Instance, 1, CancellationToken.None);

        Assert.Equal("build --file /ctx/Dockerfile.prod --tag r/x:latest --build-arg REACT_APP_CLIENT_ID -- /ctx", File.ReadAllText(Path.Combine(_dir, "argv")).Trim());
        Assert.Equal("client-value-7", File.ReadAllText(Path.Combine(_dir, "value")).Trim());
    }

    [Fact]
    public async Task AStoppedDaemonIsNamedWithHowToFixIt()
    {
        var engine = Script("echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1");
        var e = await Assert.ThrowsAsync<CruddurException>(() => engine.BuildAsync(new BuildSpec(_dir, "Dockerfile", [], new Dictionary<string, string>()), SilentHost.Instance, 1, CancellationToken.None));

        Assert.Equal("ImageEngineNotRunning", e.ErrorId);
        Assert.Contains("DOCKER_HOST", e.Message);
    }

    // What docker 28 without buildx writes around a legacy build: the notice on stderr, the steps on stdout.
    private const string LegacyBuild = """
        printf 'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n            Install the buildx component to build images with BuildKit:\n            https://docs.docker.com/go/buildx/\n\n' >&2
        echo 'Sending build context to Docker daemon  3.072kB'
        echo 'Step 1/2 : FROM scratch'
        echo ' ---> '
        echo 'Step 2/2 : RUN ["/bin/busybox", "false"]'
        echo ' ---> Running in 0123456789ab'
        """;

    [Fact]
    public async Task TheBuildIsShownAsAProgressBarOfItsNewestLineAndInFullOnVerboseWithoutDockersDeprecationNotice()
    {
        var host = new RecordingHost();
        await Script(LegacyBuild).BuildAsync(new BuildSpec(_dir, "Dockerfile", ["r/x:latest"], new Dictionary<string, string>()), host, 3, CancellationToken.None);

        var bars = host.Progress.ToList();
        Assert.All(bars, p => Assert.Equal((3, "Building r/x:latest"), (p.Id, p.Activity)));
        Assert.Contains(bars, p => p.Status == "Step 2/2 : RUN [\"/bin/busybox\", \"false\"]" && p.PercentComplete == 50);
        Assert.True(bars[^1].Completed);
        Assert.Contains("VERBOSE: Step 1/2 : FROM scratch", host.Messages);
        Assert.DoesNotContain("DEPRECATED", host.AllText + string.Join("\n", bars.Select(p => p.Status)));
        Assert.DoesNotContain("buildx", host.AllText + string.Join("\n", bars.Select(p => p.Status)));
    }

    [Fact]
    public async Task AFailedBuildsErrorEndsWithItsOwnLastLinesNotDockersDeprecationNotice()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => Script(LegacyBuild + "\necho 'The command returned a non-zero code: 1' >&2\nexit 1")
            .BuildAsync(new BuildSpec(_dir, "Dockerfile", [], new Dictionary<string, string>()), SilentHost.Instance, 3, CancellationToken.None));

        Assert.Equal(ErrorIds.ImageBuildFailed, e.ErrorId);
        // stdout and stderr are read apart, so only what the tail holds is certain, not how the two interleave.
        Assert.Contains("Step 2/2 : RUN [\"/bin/busybox\", \"false\"]", e.Message);
        Assert.Contains("The command returned a non-zero code: 1", e.Message);
        Assert.DoesNotContain("DEPRECATED", e.Message);
        Assert.DoesNotContain("buildx", e.Message);
    }

    private ContainerEngine Script(string body)
    {
        var path = Path.Combine(_dir, "docker-stand-in");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new ContainerEngine(path);
    }
}
