using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.Core.Processes;

namespace Cruddur.Core.Exec;

/// <summary>
/// Where session-manager-plugin is, its version, how to install it on this machine, and whether it reads the session from an
/// environment variable (by its version, or for builds whose number says nothing, such as source builds' 1.2.0.0, by a probe).
/// </summary>
public sealed record SessionManagerPluginInfo(string? Path, string? Version, string InstallHint, bool? EnvironmentSession = null)
{
    public bool ReadsEnvironmentSession => EnvironmentSession ?? SessionManagerPlugin.SupportsEnvironmentSession(Version);
}

/// <summary>The exact command line and environment the AWS CLI gives session-manager-plugin for one ECS Exec session.</summary>
internal sealed record PluginLaunch(IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// session-manager-plugin, the program that carries an ECS Exec session (Session Manager's websocket protocol) to the
/// console. It is started as the AWS CLI starts it:
/// <c>session-manager-plugin &lt;session&gt; &lt;region&gt; StartSession &lt;profile or ""&gt; {"Target":"ecs:&lt;cluster&gt;_&lt;taskId&gt;_&lt;runtimeId&gt;"} &lt;ECS endpoint&gt;</c>,
/// where &lt;session&gt; is the name of an environment variable starting with AWS_SSM_START_SESSION_RESPONSE that holds the
/// session JSON (the plugin reads it and removes it from its own environment), so the token is never on a command line.
/// </summary>
internal static class SessionManagerPlugin
{
    public const string ExecutableName = "session-manager-plugin";

    /// <summary>The variable that carries the session; the plugin accepts any name with this prefix.</summary>
    public const string SessionVariable = "AWS_SSM_START_SESSION_RESPONSE";

    /// <summary>The last plugin version that reads argument 1 only as JSON (the AWS CLI's own cut-off).</summary>
    public static readonly Version LastVersionWithoutEnvironmentSession = new(1, 2, 497, 0);

    private const string InstallGuide = "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html";
    private const string Downloads = "https://s3.amazonaws.com/session-manager-downloads/plugin/latest";

    /// <summary>The plugin's full path from PATH (with PATHEXT on Windows), or null.</summary>
    public static string? Find(string? pathVariable = null) => ExecutableResolver.Find(ExecutableName, pathVariable);

    /// <summary>Finds the plugin and asks its version (<c>session-manager-plugin --version</c>, as the AWS CLI does before using the environment form).</summary>
    public static Task<SessionManagerPluginInfo> InspectAsync(CancellationToken cancellationToken) => InspectAsync(null, cancellationToken);

    /// <summary>As <see cref="InspectAsync(CancellationToken)"/>, looking in <paramref name="pathVariable"/> (PATH's form) instead of PATH.</summary>
    internal static async Task<SessionManagerPluginInfo> InspectAsync(string? pathVariable, CancellationToken cancellationToken)
    {
        var hint = InstallHint(CurrentOs(), ReadOsRelease(), RuntimeInformation.OSArchitecture);
        var path = Find(pathVariable);
        if (path is null)
        {
            return new SessionManagerPluginInfo(null, null, hint);
        }

        var result = await ProcessRunner.RunAsync(new ProcessSpec(path, ["--version"]), null, ErrorIds.ExecPluginNotFound, cancellationToken).ConfigureAwait(false);
        var version = result.ExitCode == 0 ? result.Output.FirstOrDefault(l => !string.IsNullOrWhiteSpace(l))?.Trim() : null;
        var info = new SessionManagerPluginInfo(path, version ?? $"(exit code {result.ExitCode})", hint);
        return info.ReadsEnvironmentSession || version is null ? info : info with { EnvironmentSession = await ProbeEnvironmentSessionAsync(path, cancellationToken).ConfigureAwait(false) };
    }

    /// <summary>
    /// Asks the plugin itself whether it reads argument 1 as the name of an environment variable: given a variable holding
    /// truncated JSON, a plugin that reads it fails on the end of that JSON ("unexpected end of JSON input"); one that takes the
    /// name itself as JSON fails on its first letter ("invalid character 'A'"). Either way it starts no session.
    /// </summary>
    public static Task<bool> ProbeEnvironmentSessionAsync(string path, CancellationToken cancellationToken) =>
        ProbeEnvironmentSessionAsync(path, TimeSpan.FromSeconds(10), cancellationToken);

    /// <summary>The probe, given up (as "no") after <paramref name="timeout"/>: a plugin that starts waiting instead of failing is not one to trust.</summary>
    internal static async Task<bool> ProbeEnvironmentSessionAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        const string variable = SessionVariable + "_PROBE";
        var spec = new ProcessSpec(path, [variable, "us-east-1", "StartSession", "", """{"Target":"probe"}""", "https://ssm.us-east-1.amazonaws.com"])
        {
            Environment = new Dictionary<string, string?> { [variable] = """{"SessionId":""" },
        };
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            var result = await ProcessRunner.RunAsync(spec, null, ErrorIds.ExecPluginNotFound, bounded.Token).ConfigureAwait(false);
            return result.Output.Concat(result.ErrorOutput).Any(l => l.Contains("unexpected end of JSON input", StringComparison.Ordinal));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// What a non-zero plugin exit means. The plugin exits 0 at every session end and on its own errors (it prints them or
    /// logs them to its log file), and never passes on the remote command's exit code; so a non-zero code means a signal
    /// (128 + its number) or a crash.
    /// </summary>
    public static string DescribeExit(int exitCode) => exitCode switch
    {
        130 => "session-manager-plugin was interrupted (SIGINT, Ctrl+C) and the session ended",
        143 => "session-manager-plugin was terminated (SIGTERM) and the session ended",
        > 128 and < 160 => $"session-manager-plugin was killed by signal {exitCode - 128} and the session ended",
        _ => $"session-manager-plugin failed with exit code {exitCode} (it exits 0 on its own errors, so this is a crash; its log file may say more)",
    };

    /// <summary>True when the plugin version is newer than 1.2.497.0 and so reads the session from an environment variable.</summary>
    public static bool SupportsEnvironmentSession(string? version) =>
        version is not null && Version.TryParse(version.Trim(), out var parsed) && Normalize(parsed) > LastVersionWithoutEnvironmentSession;

    /// <summary>How to install the plugin here, from Amazon's install guide.</summary>
    public static string InstallHint(OSPlatform os, string? osRelease, Architecture architecture)
    {
        var arm = architecture == Architecture.Arm64;
        if (os == OSPlatform.Windows)
        {
            return $"Download and run {Downloads}/windows/SessionManagerPluginSetup.exe, then open a new terminal so PATH includes it. See {InstallGuide}";
        }

        if (os == OSPlatform.OSX)
        {
            return $"Run 'brew install --cask session-manager-plugin', or install {Downloads}/{(arm ? "mac_arm64" : "mac")}/session-manager-plugin.pkg. See {InstallGuide}";
        }

        var like = osRelease?.Split('\n').Where(l => l.StartsWith("ID=", StringComparison.Ordinal) || l.StartsWith("ID_LIKE=", StringComparison.Ordinal))
            .SelectMany(l => l[(l.IndexOf('=') + 1)..].Trim('"', '\'').Split(' ')).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        if (like.Contains("debian") || like.Contains("ubuntu"))
        {
            return $"curl -o session-manager-plugin.deb \"{Downloads}/{(arm ? "ubuntu_arm64" : "ubuntu_64bit")}/session-manager-plugin.deb\" && sudo dpkg -i session-manager-plugin.deb";
        }

        if (like.Overlaps(["rhel", "fedora", "centos", "amzn"]))
        {
            return $"sudo yum install -y {Downloads}/{(arm ? "linux_arm64" : "linux_64bit")}/session-manager-plugin.rpm";
        }

        return $"Install session-manager-plugin for your Linux distribution and put it on PATH: {InstallGuide}";
    }

    /// <summary>
    /// The arguments and environment for one session. The session JSON (with its token) goes only into the environment;
    /// the profile is the one the module uses (-ProfileName, $StoredAWSCredentials or AWS_PROFILE), else "" as the AWS CLI passes when none is set.
    /// </summary>
    public static PluginLaunch Launch(ExecuteCommandSession session, string region, string? profile, string clusterName, string taskId, string runtimeId, Uri ecsEndpoint)
    {
        var target = new JsonObject { ["Target"] = $"ecs:{clusterName}_{taskId}_{runtimeId}" };
        var endpoint = ecsEndpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new PluginLaunch(
            [SessionVariable, region, "StartSession", profile ?? string.Empty, target.ToJsonString(), endpoint],
            new Dictionary<string, string> { [SessionVariable] = session.ToEcsJson() });
    }

    /// <summary>
    /// Runs the plugin attached to this process's console (no redirection: it needs the terminal) and returns its exit code.
    /// While it runs, Ctrl+C belongs to the remote shell: the console's cancel event is swallowed here, and the plugin is
    /// never killed on our side (no cancellation token); it ends when the session ends.
    /// </summary>
    public static async Task<int> RunAttachedAsync(string pluginPath, PluginLaunch launch)
    {
        var info = new ProcessStartInfo(pluginPath) { UseShellExecute = false };
        foreach (var argument in launch.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in launch.Environment)
        {
            info.Environment[name] = value;
        }

        ConsoleCancelEventHandler keepRunning = (_, e) => e.Cancel = true;
        Console.CancelKeyPress += keepRunning;
        try
        {
            using var process = new Process { StartInfo = info };
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new CruddurException(ErrorIds.ExecPluginNotStartable, ErrorKind.ResourceUnavailable,
                    $"'{pluginPath}' was found but could not be started: {e.Message}. Reinstall session-manager-plugin, or connect without it.", e, pluginPath);
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            return process.ExitCode;
        }
        finally
        {
            Console.CancelKeyPress -= keepRunning;
        }
    }

    private static Version Normalize(Version v) => new(v.Major, Math.Max(v.Minor, 0), Math.Max(v.Build, 0), Math.Max(v.Revision, 0));

    private static OSPlatform CurrentOs() =>
        OperatingSystem.IsWindows() ? OSPlatform.Windows : OperatingSystem.IsMacOS() ? OSPlatform.OSX : OSPlatform.Linux;

    private static string? ReadOsRelease()
    {
        try
        {
            return OperatingSystem.IsLinux() && File.Exists("/etc/os-release") ? File.ReadAllText("/etc/os-release") : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
