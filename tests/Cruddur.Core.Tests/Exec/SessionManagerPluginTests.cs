using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Exec;

namespace Cruddur.Core.Tests.Exec;

public sealed class SessionManagerPluginTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("smp-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void LaunchMatchesTheAwsCliContractAndKeepsTheTokenOutOfArguments()
    {
        var session = new ExecuteCommandSession("ecs-execute-command-1", "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/x", "SECRET-TOKEN");

        var launch = SessionManagerPlugin.Launch(session, "eu-west-2", null, "cruddur", "0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef-42", new Uri("https://ecs.eu-west-2.amazonaws.com/"));

        Assert.Equal(
            ["AWS_SSM_START_SESSION_RESPONSE", "eu-west-2", "StartSession", "", """{"Target":"ecs:cruddur_0123456789abcdef0123456789abcdef_0123456789abcdef0123456789abcdef-42"}""", "https://ecs.eu-west-2.amazonaws.com"],
            launch.Arguments);
        Assert.DoesNotContain(launch.Arguments, a => a.Contains("SECRET-TOKEN", StringComparison.Ordinal));
        var passed = JsonNode.Parse(launch.Environment["AWS_SSM_START_SESSION_RESPONSE"])!;
        Assert.Equal("SECRET-TOKEN", (string?)passed["tokenValue"]);
        Assert.Equal("ecs-execute-command-1", (string?)passed["sessionId"]);
    }

    [Fact]
    public void LaunchPassesTheProfileAndAnEndpointWithAPath()
    {
        var launch = SessionManagerPlugin.Launch(new ExecuteCommandSession(null, null, null), "us-east-1", "cruddur", "c", "t", "r", new Uri("http://127.0.0.1:4566/ecs/"));
        Assert.Equal("cruddur", launch.Arguments[3]);
        Assert.Equal("http://127.0.0.1:4566/ecs", launch.Arguments[5]);
    }

    [Theory]
    [InlineData("1.2.707.0", true)]
    [InlineData("1.2.498.0\n", true)]
    [InlineData("1.3", true)]
    [InlineData("1.2.497.0", false)]
    [InlineData("1.2.463.0", false)]
    [InlineData("(exit code 1)", false)]
    [InlineData(null, false)]
    public void EnvironmentSessionNeedsANewerPlugin(string? version, bool supported) =>
        Assert.Equal(supported, SessionManagerPlugin.SupportsEnvironmentSession(version));

    [Fact]
    public void InstallHintFitsTheOperatingSystem()
    {
        Assert.Contains("ubuntu_64bit/session-manager-plugin.deb", SessionManagerPlugin.InstallHint(OSPlatform.Linux, "ID=debian\nVERSION_ID=\"12\"\n", Architecture.X64));
        Assert.Contains("ubuntu_arm64/session-manager-plugin.deb", SessionManagerPlugin.InstallHint(OSPlatform.Linux, "ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n", Architecture.Arm64));
        Assert.Contains("yum install -y https://s3.amazonaws.com/session-manager-downloads/plugin/latest/linux_64bit/session-manager-plugin.rpm", SessionManagerPlugin.InstallHint(OSPlatform.Linux, "ID=\"amzn\"\nID_LIKE=\"centos rhel fedora\"\n", Architecture.X64));
        Assert.Contains("session-manager-working-with-install-plugin", SessionManagerPlugin.InstallHint(OSPlatform.Linux, "ID=arch\n", Architecture.X64));
        Assert.Contains("brew install --cask session-manager-plugin", SessionManagerPlugin.InstallHint(OSPlatform.OSX, null, Architecture.Arm64));
        Assert.Contains("SessionManagerPluginSetup.exe", SessionManagerPlugin.InstallHint(OSPlatform.Windows, null, Architecture.X64));
    }

    [Fact]
    public void FindLooksOnlyAtExecutablesOnPath()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var file = Path.Combine(_dir, SessionManagerPlugin.ExecutableName);
        File.WriteAllText(file, "#!/bin/sh\n");
        Assert.Null(SessionManagerPlugin.Find(_dir));
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Equal(file, SessionManagerPlugin.Find("/nonexistent" + Path.PathSeparator + _dir));
    }

    [Theory]
    [InlineData(130, "interrupted (SIGINT")]
    [InlineData(143, "terminated (SIGTERM)")]
    [InlineData(137, "killed by signal 9")]
    [InlineData(129, "killed by signal 1")]
    [InlineData(159, "killed by signal 31")]
    [InlineData(128, "failed with exit code 128")]
    [InlineData(160, "failed with exit code 160")]
    [InlineData(1, "failed with exit code 1 ")]
    public void APluginExitCodeIsExplained(int exitCode, string expected)
    {
        var e = new PluginExitException(exitCode, "ecs:cruddur_t_r");

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not report the remote command's exit code", e.Message, StringComparison.Ordinal);
        Assert.Equal("ExecPluginFailed", e.ErrorId);
        Assert.Equal(exitCode, e.ExitCode);
        Assert.Equal("ecs:cruddur_t_r", e.Target);
    }

    [Fact]
    public void InstallHintsPickTheArchitecture()
    {
        Assert.Contains("plugin/latest/linux_arm64/session-manager-plugin.rpm", SessionManagerPlugin.InstallHint(OSPlatform.Linux, "ID=fedora\n", Architecture.Arm64));
        Assert.Contains("plugin/latest/mac_arm64/session-manager-plugin.pkg", SessionManagerPlugin.InstallHint(OSPlatform.OSX, null, Architecture.Arm64));
        Assert.Contains("plugin/latest/mac/session-manager-plugin.pkg", SessionManagerPlugin.InstallHint(OSPlatform.OSX, null, Architecture.X64));
        Assert.Contains("session-manager-working-with-install-plugin", SessionManagerPlugin.InstallHint(OSPlatform.Linux, null, Architecture.X64));
        // Only ID and ID_LIKE lines count: a VERSION_CODENAME naming debian does not.
        Assert.DoesNotContain("dpkg", SessionManagerPlugin.InstallHint(OSPlatform.Linux, "ID=alpine\nNAME=debian\n", Architecture.X64));
    }

    [Theory]
    [InlineData("1.2.498", true)]
    [InlineData("1.2", false)]
    [InlineData(" 1.2.497.1 ", true)]
    public void VersionsWithFewerPartsCompareAsZeros(string version, bool supported) =>
        Assert.Equal(supported, SessionManagerPlugin.SupportsEnvironmentSession(version));

    /// <summary>A stand-in plugin: a shell script that prints what a real plugin of one kind prints.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    internal static string FakePlugin(string dir, string script)
    {
        var file = Path.Combine(dir, SessionManagerPlugin.ExecutableName);
        File.WriteAllText(file, "#!/bin/sh\n" + script);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return file;
    }

    [Theory]
    [InlineData("printf '%s' \"$AWS_SSM_START_SESSION_RESPONSE_PROBE\" | grep -q SessionId && echo 'unexpected end of JSON input' >&2; exit 0", true)]
    [InlineData("echo \"invalid character 'A' looking for beginning of value\"; exit 0", false)]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task TheProbeTellsWhetherThePluginReadsTheSessionFromTheEnvironment(string script, bool readsEnvironment)
    {
        Assert.Equal(readsEnvironment, await SessionManagerPlugin.ProbeEnvironmentSessionAsync(FakePlugin(_dir, script), CancellationToken.None));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task TheAttachedPluginGetsTheSessionInItsEnvironmentAndItsExitCodeComesBack()
    {
        var seen = Path.Combine(_dir, "seen");
        var plugin = FakePlugin(_dir, $"printf '%s|%s|%s' \"$1\" \"$3\" \"$AWS_SSM_START_SESSION_RESPONSE\" > '{seen}'; exit 42");
        var launch = SessionManagerPlugin.Launch(new ExecuteCommandSession(null, null, "T"), "us-east-1", null, "c", "t", "r", new Uri("https://ecs.us-east-1.amazonaws.com/"));

        Assert.Equal(42, await SessionManagerPlugin.RunAttachedAsync(plugin, launch));
        Assert.Equal("AWS_SSM_START_SESSION_RESPONSE|StartSession|{\"tokenValue\":\"T\"}", File.ReadAllText(seen));

        File.SetUnixFileMode(plugin, UnixFileMode.UserRead);
        var e = await Assert.ThrowsAsync<Cruddur.Core.Hosting.CruddurException>(() => SessionManagerPlugin.RunAttachedAsync(plugin, launch));
        Assert.Equal("ExecPluginNotStartable", e.ErrorId);
        Assert.Contains(plugin, e.Message, StringComparison.Ordinal);
        Assert.Contains("or connect without it", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// What a source build of the plugin (1.2.0.0, which reads the environment form) does with the probe's command line, as
    /// measured on the real program: a missing or non-JSON target panics, an operation other than StartSession is "Invalid
    /// Operation", and the truncated session JSON fails to parse. Each start is logged to <c>calls</c> beside it.
    /// </summary>
    private const string SourceBuild = """
        echo "$*" >> "$(dirname "$0")/calls"
        [ "$1" = --version ] && { echo; echo '   '; echo ' 1.2.0.0 '; exit 0; }
        case "$5" in *'"Target":"'*) ;; *) echo 'panic: interface conversion: interface {} is nil, not string' >&2; exit 2 ;; esac
        [ "$3" = StartSession ] || { printf 'Invalid Operation'; exit 0; }
        eval "session=\"\${$1}\""
        echo 'seelog: using the default log configuration' >&2
        [ "$session" = '{"SessionId":' ] && echo 'Cannot perform start session: unexpected end of JSON input'
        exit 0
        """;

    private string[] Calls() => File.Exists(Path.Combine(_dir, "calls")) ? File.ReadAllLines(Path.Combine(_dir, "calls")) : [];

    private static string ThisMachinesHint() => SessionManagerPlugin.InstallHint(OSPlatform.Linux,
        File.Exists("/etc/os-release") ? File.ReadAllText("/etc/os-release") : null, RuntimeInformation.OSArchitecture);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task ARecentPluginIsTrustedByItsVersionAndStartedOnlyToAskIt()
    {
        FakePlugin(_dir, "echo \"$*\" >> \"$(dirname \"$0\")/calls\"; echo 1.2.707.0");

        var info = await SessionManagerPlugin.InspectAsync("/nonexistent" + Path.PathSeparator + _dir, CancellationToken.None);

        Assert.Equal(Path.Combine(_dir, SessionManagerPlugin.ExecutableName), info.Path);
        Assert.Equal("1.2.707.0", info.Version);
        Assert.True(info.ReadsEnvironmentSession);
        Assert.Equal(["--version"], Calls());
        Assert.Equal(ThisMachinesHint(), info.InstallHint); // the hint for this Linux distribution, not macOS's or Windows'
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task ASourceBuildIsAskedByTheProbeWhetherItReadsTheEnvironment()
    {
        FakePlugin(_dir, SourceBuild);

        var info = await SessionManagerPlugin.InspectAsync(_dir, CancellationToken.None);

        Assert.Equal("1.2.0.0", info.Version); // the first line with text, trimmed
        Assert.True(info.ReadsEnvironmentSession);
        Assert.Equal(2, Calls().Length);
        Assert.StartsWith("AWS_SSM_START_SESSION_RESPONSE_PROBE us-east-1 StartSession", Calls()[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo 'error: unknown flag' >&2; echo usage; exit 3", "(exit code 3)")]
    [InlineData("exit 0", "(exit code 0)")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task APluginThatGivesNoVersionIsShownByItsExitCodeAndNotProbed(string script, string shown)
    {
        FakePlugin(_dir, "echo \"$*\" >> \"$(dirname \"$0\")/calls\"; " + script);

        var info = await SessionManagerPlugin.InspectAsync(_dir, CancellationToken.None);

        Assert.Equal(shown, info.Version);
        Assert.Null(info.EnvironmentSession);
        Assert.False(info.ReadsEnvironmentSession);
        Assert.Equal(["--version"], Calls());
    }

    [Fact]
    public async Task NoPluginOnPathGivesOnlyTheInstallHint()
    {
        var info = await SessionManagerPlugin.InspectAsync("/nonexistent", CancellationToken.None);

        Assert.Null(info.Path);
        Assert.Null(info.Version);
        Assert.False(info.ReadsEnvironmentSession);
        Assert.Equal(ThisMachinesHint(), info.InstallHint);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task TheProbeGivesTheRealCommandLineAndReadsEveryLineThePluginPrints()
    {
        // Answers "unexpected end of JSON input" only to the probe's own arguments, among other lines.
        Assert.True(await SessionManagerPlugin.ProbeEnvironmentSessionAsync(FakePlugin(_dir, SourceBuild), CancellationToken.None));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task APluginThatHangsOnTheProbeIsStoppedAndNotTrusted()
    {
        // As the real plugin does when it gets as far as opening a data channel it cannot reach: it waits forever.
        var plugin = FakePlugin(_dir, "echo $$ > \"$(dirname \"$0\")/pid\"; exec sleep 60");
        var watch = System.Diagnostics.Stopwatch.StartNew();

        Assert.False(await SessionManagerPlugin.ProbeEnvironmentSessionAsync(plugin, TimeSpan.FromSeconds(1), CancellationToken.None));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        var pid = int.Parse(File.ReadAllText(Path.Combine(_dir, "pid")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(!Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), "the hanging plugin was left running");

        // A stop by the caller is a stop, not a "no".
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SessionManagerPlugin.ProbeEnvironmentSessionAsync(plugin, TimeSpan.FromSeconds(30), stop.Token));
    }

    [Theory]
    [InlineData("ID=elementary\nID_LIKE=ubuntu\n", "ubuntu_64bit/session-manager-plugin.deb")]
    [InlineData("ID=\"rhel\"\n", "linux_64bit/session-manager-plugin.rpm")]
    [InlineData("ID=\"centos\"\n", "linux_64bit/session-manager-plugin.rpm")]
    [InlineData("ID=\"amzn\"\n", "linux_64bit/session-manager-plugin.rpm")]
    [InlineData("ID=fedora\n", "linux_64bit/session-manager-plugin.rpm")]
    public void EachDistributionFamilyGetsItsPackage(string osRelease, string package) =>
        Assert.Contains(package, SessionManagerPlugin.InstallHint(OSPlatform.Linux, osRelease, Architecture.X64));
}
