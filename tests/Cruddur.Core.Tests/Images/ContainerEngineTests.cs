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

    [Fact]
    public async Task AFailedBuildsErrorKeepsTheIndentedLinesOfItsOwnErrorOutput()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => Script("echo 'npm ERR! code ELIFECYCLE' >&2\necho '    at build (/app/node_modules/react-scripts/scripts/build.js:19:3)' >&2\nexit 1")
            .BuildAsync(new BuildSpec(_dir, "Dockerfile", [], new Dictionary<string, string>()), SilentHost.Instance, 3, CancellationToken.None));

        Assert.Contains("npm ERR! code ELIFECYCLE", e.Message);
        Assert.Contains("at build (/app/node_modules/react-scripts/scripts/build.js:19:3)", e.Message);
    }

    [Fact]
    public async Task TheBuildsProgressShowsLongLinesCutToAHundredCharactersAndSurvivesAStepCountOfZero()
    {
        var exact = new string('x', 100);
        var longer = new string('y', 150);
        var host = new RecordingHost();
        await Script($"echo 'Step 1/0 : FROM scratch'\necho '{exact}'\necho '{longer}'").BuildAsync(new BuildSpec(_dir, "Dockerfile", ["r/x:latest"], new Dictionary<string, string>()), host, 3, CancellationToken.None);

        var statuses = host.Progress.Where(p => !p.Completed).ToList();
        Assert.All(statuses, p => Assert.Equal(-1, p.PercentComplete)); // no step count: no percentage
        Assert.Contains(statuses, p => p.Status == exact);
        Assert.Contains(statuses, p => p.Status == new string('y', 99) + "…");
        Assert.Contains("VERBOSE: " + longer, host.Messages); // the whole line on verbose
    }

    private static readonly RegistryCredential Credential = new("registry.example.com:5000", "AWS", "token-secret-1", DateTimeOffset.UtcNow.AddHours(1));

    [Fact]
    public async Task TheLoginPasswordGoesOnStandardInputAndTheHostAfterTheOptions()
    {
        await Script($"echo \"$*\" > '{_dir}/argv'\ncat > '{_dir}/stdin'").LoginAsync(Credential, CancellationToken.None);

        Assert.Equal("login --username AWS --password-stdin -- registry.example.com:5000", File.ReadAllText(Path.Combine(_dir, "argv")).Trim());
        Assert.Equal("token-secret-1", File.ReadAllText(Path.Combine(_dir, "stdin")).Trim());
    }

    [Fact]
    public async Task ALoginThatCannotReachTheRegistryIsUnreachableNotRefused()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => Script("cat >/dev/null\necho 'Error response from daemon: Get \"https://registry.example.com:5000/v2/\": dial tcp: lookup registry.example.com: no such host' >&2\nexit 1")
            .LoginAsync(Credential, CancellationToken.None));

        Assert.Equal(ErrorIds.ImageRegistryUnreachable, e.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, e.Kind);
        Assert.Contains("registry.example.com:5000", e.Message);
        Assert.Contains("no such host", e.Message);
        Assert.Contains("Check the registry's name", e.Message);
    }

    [Fact]
    public async Task ALoginTheRegistryRefusesIsLoginFailedWithTheRegistrysWords()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => Script("cat >/dev/null\necho 'Error response from daemon: login attempt failed with status: 401 Unauthorized' >&2\nexit 1")
            .LoginAsync(Credential, CancellationToken.None));

        Assert.Equal(ErrorIds.ImageRegistryLoginFailed, e.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, e.Kind);
        Assert.Contains("registry.example.com:5000", e.Message);
        Assert.Contains("401 Unauthorized", e.Message);
        Assert.Contains("ecr:GetAuthorizationToken", e.Message);
        Assert.DoesNotContain("token-secret-1", e.Message);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public async Task AnImageIsLocalWhenTheEngineCanInspectIt(int exitCode, bool local)
    {
        Assert.Equal(local, await Script($"echo \"$*\" > '{_dir}/argv'\nexit {exitCode}").ExistsLocallyAsync("python:3.10-slim-buster", CancellationToken.None));
        Assert.Equal("image inspect --format {{.Id}} -- python:3.10-slim-buster", File.ReadAllText(Path.Combine(_dir, "argv")).Trim());
    }

    [Fact]
    public async Task APullThatFailsSaysTheImageCannotBeFoundWithTheEnginesReason()
    {
        var host = new RecordingHost();
        var e = await Assert.ThrowsAsync<CruddurException>(() => Script($"echo \"$*\" > '{_dir}/argv'\necho 'Error response from daemon: manifest for python:nope not found' >&2\nexit 1")
            .PullAsync("python:nope", host, 3, CancellationToken.None));

        Assert.Equal("pull -- python:nope", File.ReadAllText(Path.Combine(_dir, "argv")).Trim());
        Assert.Equal(ErrorIds.ImageSourceNotFound, e.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, e.Kind);
        Assert.Contains("'python:nope'", e.Message);
        Assert.Contains("manifest for python:nope not found", e.Message);
        Assert.True(host.Progress.Last().Completed);
    }

    [Fact]
    public async Task APullThatFailsNamesTheEnginesLastWordsApartEvenWhenBlankLinesFollowThem()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => Script("echo 'Error response from daemon: pull access denied for nope' >&2\necho 'repository does not exist or may require docker login' >&2\necho '' >&2\necho '' >&2\necho '' >&2\nexit 1")
            .PullAsync("nope", new RecordingHost(), 3, CancellationToken.None));

        Assert.Equal(ErrorIds.ImageSourceNotFound, e.ErrorId);
        Assert.Contains("pull access denied for nope repository does not exist or may require docker login", e.Message);
    }

    [Fact]
    public async Task APullThatSucceedsShowsItsLog()
    {
        var host = new RecordingHost();
        await Script("echo '3.10-slim-buster: Pulling from library/python'").PullAsync("python:3.10-slim-buster", host, 3, CancellationToken.None);

        Assert.Contains("VERBOSE: 3.10-slim-buster: Pulling from library/python", host.Messages);
        Assert.Contains(host.Progress, p => p.Activity == "Pulling python:3.10-slim-buster" && p.Status == "3.10-slim-buster: Pulling from library/python" && p.PercentComplete == -1);
    }

    [Fact]
    public async Task TaggingPassesSourceAndTargetAfterTheOptionsAndAFailureCarriesTheEnginesWords()
    {
        await Script($"echo \"$*\" > '{_dir}/argv'").TagAsync("python:3.10", "r/x:latest", CancellationToken.None);
        Assert.Equal("tag -- python:3.10 r/x:latest", File.ReadAllText(Path.Combine(_dir, "argv")).Trim());

        var e = await Assert.ThrowsAsync<CruddurException>(() => Script("echo 'Error: No such image: python:3.10' >&2\nexit 1").TagAsync("python:3.10", "r/x:latest", CancellationToken.None));
        Assert.Equal(ErrorIds.ImageTagFailed, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Assert.Contains("No such image: python:3.10", e.Message);
        Assert.Equal("r/x:latest", e.Target);
    }

    [Fact]
    public async Task APushReturnsTheDigestDockerPrintsAndShowsLayerProgress()
    {
        var digest = "sha256:" + new string('c', 64);
        var host = new RecordingHost();
        var pushed = await Script($"echo \"$*\" > '{_dir}/argv'\necho 'The push refers to repository [r/x]'\necho '0123456789ab: Preparing'\necho 'bbbbbbbbbbbb: Preparing'\necho '0123456789ab: Pushed'\necho 'bbbbbbbbbbbb: Layer already exists'\necho 'latest: digest: {digest} size: 528'")
            .PushAsync("r/x:latest", host, 4, CancellationToken.None);

        Assert.Equal(digest, pushed);
        Assert.Equal("push -- r/x:latest", File.ReadAllText(Path.Combine(_dir, "argv")).Trim());
        var bars = host.Progress.ToList();
        Assert.All(bars, p => Assert.Equal((4, "Pushing r/x:latest"), (p.Id, p.Activity)));
        Assert.Contains(bars, p => p.Status == "1/2 layers: 0123456789ab: Pushed" && p.PercentComplete == 50);
        Assert.Contains(bars, p => p.Status == "2/2 layers: bbbbbbbbbbbb: Layer already exists" && p.PercentComplete == 100);
        Assert.All(bars[..^1], p => Assert.Matches("^[0-9]+/[0-9]+ layers: [0-9a-f]{12}: ", p.Status)); // only layer lines move the bar
        Assert.True(bars[^1].Completed);
        Assert.Contains("VERBOSE: 0123456789ab: Pushed", host.Messages);
    }

    [Fact]
    public async Task APushWhoseOutputNamesNoDigestReturnsNone() =>
        Assert.Null(await Script("echo '0123456789ab: Mounted from library/python'").PushAsync("r/x:latest", new RecordingHost(), 4, CancellationToken.None));

    [Fact]
    public async Task PodmanReportsThePushedDigestThroughADigestFileThatIsRemovedAfterwards()
    {
        var digest = "sha256:" + new string('d', 64);
        var engine = Script($"echo \"$*\" > '{_dir}/argv'\necho \"$3\" > '{_dir}/digestfile'\necho 'Copying blob 0123'\necho 'Copying blob 4567'\necho '{digest}' > \"$3\"", "podman-stand-in");
        var host = new RecordingHost();

        Assert.True(engine.IsPodman);
        Assert.Equal(digest, await engine.PushAsync("r/x:latest", host, 4, CancellationToken.None));
        var digestFile = File.ReadAllText(Path.Combine(_dir, "digestfile")).Trim();
        Assert.Equal($"push --digestfile {digestFile} -- r/x:latest", File.ReadAllText(Path.Combine(_dir, "argv")).Trim());
        Assert.False(File.Exists(File.ReadAllText(Path.Combine(_dir, "digestfile")).Trim()));
        Assert.Contains(host.Progress, p => p.Status == "2 layers: Copying blob 4567" && p.PercentComplete == -1);
    }

    [Theory]
    [InlineData("echo '' > \"$3\"")] // an empty digest file
    [InlineData(":")] // none at all
    public async Task APodmanPushThatWritesNoDigestReturnsNone(string body) =>
        Assert.Null(await Script(body, "podman-stand-in").PushAsync("r/x:latest", new RecordingHost(), 4, CancellationToken.None));

    [Fact]
    public async Task AFailedPushSaysItsExitCodeAndTheEnginesLastWords()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => Script("echo 'The push refers to repository [r/x]'\necho 'received unexpected HTTP status: 502 Bad Gateway' >&2\nexit 3")
            .PushAsync("r/x:latest", new RecordingHost(), 4, CancellationToken.None));

        Assert.Equal(ErrorIds.ImagePushFailed, e.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, e.Kind);
        Assert.Contains("exit code 3", e.Message);
        Assert.Contains("502 Bad Gateway", e.Message);
        Assert.Equal("r/x:latest", e.Target);
    }

    [Fact]
    public async Task AnEngineThatIsNotInstalledSaysHowToGetOne()
    {
        var engine = new ContainerEngine(Path.Combine(_dir, "no-such-docker"));
        var e = await Assert.ThrowsAsync<CruddurException>(() => engine.ExistsLocallyAsync("x", CancellationToken.None));

        Assert.Equal(ErrorIds.ImageEngineNotFound, e.ErrorId);
        Assert.Equal(ErrorKind.NotInstalled, e.Kind);
        Assert.Contains("no-such-docker", e.Message);
        Assert.Contains("or use podman", e.Message);
        Assert.False(engine.IsPodman);
    }

    [Fact]
    public async Task AStoppedPodmanServiceNamesContainerHost()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => Script("echo 'Error: unable to connect to Podman socket: dial unix /run/podman/podman.sock' >&2\nexit 125", "podman-stand-in")
            .TagAsync("a", "b", CancellationToken.None));

        Assert.Equal(ErrorIds.ImageEngineNotRunning, e.ErrorId);
        Assert.Equal(ErrorKind.ResourceUnavailable, e.Kind);
        Assert.Contains("CONTAINER_HOST", e.Message);
        Assert.Contains("unable to connect to Podman socket", e.Message);
    }

    private ContainerEngine Script(string body, string name = "docker-stand-in")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new ContainerEngine(path);
    }
}
