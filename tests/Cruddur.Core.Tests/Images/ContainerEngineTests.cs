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
        var build = engine.BuildAsync(new BuildSpec(_dir, "Dockerfile", ["x:latest"], new Dictionary<string, string>()), _ => { }, cts.Token);
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
        await engine.BuildAsync(new BuildSpec("/ctx", "/ctx/Dockerfile.prod", ["r/x:latest"], new Dictionary<string, string> { ["REACT_APP_CLIENT_ID"] = "client-value-7" }), _ => { }, CancellationToken.None);

        Assert.Equal("build --file /ctx/Dockerfile.prod --tag r/x:latest --build-arg REACT_APP_CLIENT_ID -- /ctx", File.ReadAllText(Path.Combine(_dir, "argv")).Trim());
        Assert.Equal("client-value-7", File.ReadAllText(Path.Combine(_dir, "value")).Trim());
    }

    [Fact]
    public async Task AStoppedDaemonIsNamedWithHowToFixIt()
    {
        var engine = Script("echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1");
        var e = await Assert.ThrowsAsync<CruddurException>(() => engine.BuildAsync(new BuildSpec(_dir, "Dockerfile", [], new Dictionary<string, string>()), _ => { }, CancellationToken.None));

        Assert.Equal("ImageEngineNotRunning", e.ErrorId);
        Assert.Contains("DOCKER_HOST", e.Message);
    }

    private ContainerEngine Script(string body)
    {
        var path = Path.Combine(_dir, "docker-stand-in");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new ContainerEngine(path);
    }
}
