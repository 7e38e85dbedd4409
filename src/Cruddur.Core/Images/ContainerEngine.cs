using System.Text.RegularExpressions;
using Cruddur.Core.Hosting;
using Cruddur.Core.Processes;

namespace Cruddur.Core.Images;

/// <summary>What to build: context folder, Dockerfile, the references to tag it with and its build arguments.</summary>
internal sealed record BuildSpec(string ContextPath, string Dockerfile, IReadOnlyList<string> References, IReadOnlyDictionary<string, string> BuildArguments);

/// <summary>
/// The docker CLI, or a docker-compatible one (podman, nerdctl), run as a child process: login with the password on
/// standard input, build, tag, pull and push with live output. Build argument values travel in the child's environment
/// (<c>--build-arg NAME</c> reads NAME from it), so no value is ever on a command line. Every user-given operand follows
/// <c>--</c>, so none can be read as an option.
/// </summary>
public sealed partial class ContainerEngine
{
    private const int ErrorLines = 15;

    public ContainerEngine(string command)
    {
        Command = command;
        IsPodman = Path.GetFileName(command).Contains("podman", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The program: a name on PATH (docker, podman) or a path.</summary>
    internal string Command { get; }

    /// <summary>podman (and buildah-based CLIs) report the pushed digest through --digestfile rather than on the output.</summary>
    internal bool IsPodman { get; }

    /// <summary>Where this engine keeps registry credentials: part of the login cache key.</summary>
    internal string CredentialStore => (IsPodman ? Environment.GetEnvironmentVariable("REGISTRY_AUTH_FILE") : Environment.GetEnvironmentVariable("DOCKER_CONFIG")) ?? "(default)";

    /// <summary>Where the engine runs (DOCKER_HOST/CONTAINER_HOST): part of the login cache key.</summary>
    internal string Daemon => Environment.GetEnvironmentVariable(IsPodman ? "CONTAINER_HOST" : "DOCKER_HOST") ?? "(default)";

    /// <summary>What the docker and podman CLIs say when the registry's name does not resolve or nothing answers there.</summary>
    private static readonly System.Text.RegularExpressions.Regex Unreachable = new(
        "no such host|server misbehaving|connection refused|i/o timeout|network is unreachable|TLS handshake timeout|context deadline exceeded",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    internal async Task LoginAsync(RegistryCredential credential, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["login", "--username", credential.UserName, "--password-stdin", "--", credential.Host], null, credential.Password + "\n", null, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 && Unreachable.IsMatch(Tail(result, 3)))
        {
            throw new CruddurException(ErrorIds.ImageRegistryUnreachable, ErrorKind.ConnectionError,
                $"Could not reach the registry {credential.Host} to log in ({Tail(result, 3)}). Check the registry's name, DNS and your network; the login itself was never tried.",
                target: credential.Host);
        }

        if (result.ExitCode != 0)
        {
            throw new CruddurException(ErrorIds.ImageRegistryLoginFailed, ErrorKind.AuthenticationError,
                $"The registry {credential.Host} refused the login with the ECR token ({Tail(result, 3)}). Check that it is the registry ECR issues tokens for, and that your credentials allow ecr:GetAuthorizationToken.",
                target: credential.Host);
        }
    }

    /// <summary>Builds, showing the log live (<see cref="EngineLog"/>). A failure carries the last lines of the log.</summary>
    internal async Task BuildAsync(BuildSpec spec, IOperationHost host, int progressId, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "build", "--file", spec.Dockerfile };
        foreach (var reference in spec.References)
        {
            arguments.Add("--tag");
            arguments.Add(reference);
        }

        foreach (var name in spec.BuildArguments.Keys)
        {
            arguments.Add("--build-arg");
            arguments.Add(name);
        }

        arguments.Add("--");
        arguments.Add(spec.ContextPath);
        var environment = spec.BuildArguments.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal);
        var log = new EngineLog(host, progressId, $"Building {string.Join(", ", spec.References.Take(1).DefaultIfEmpty(spec.ContextPath))}");
        try
        {
            var result = await RunAsync(arguments, environment, null, log.Observe, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new CruddurException(ErrorIds.ImageBuildFailed, ErrorKind.InvalidOperation,
                    $"{Command} build of {spec.ContextPath} failed with exit code {result.ExitCode}. Fix the Dockerfile or the build context; the last lines of the build log:{Environment.NewLine}{string.Join(Environment.NewLine, log.Tail(ErrorLines).Select(l => l.Trim()))}",
                    target: spec.ContextPath);
            }
        }
        finally
        {
            log.Complete();
        }
    }

    /// <summary>True when the image is in the engine's local store (so mirroring needs no pull).</summary>
    internal async Task<bool> ExistsLocallyAsync(string reference, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["image", "inspect", "--format", "{{.Id}}", "--", reference], null, null, null, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0;
    }

    internal async Task PullAsync(string reference, IOperationHost host, int progressId, CancellationToken cancellationToken)
    {
        var log = new EngineLog(host, progressId, $"Pulling {reference}");
        try
        {
            var result = await RunAsync(["pull", "--", reference], null, null, log.Observe, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new CruddurException(ErrorIds.ImageSourceNotFound, ErrorKind.ObjectNotFound,
                    $"The image '{reference}' is not on this machine and could not be pulled ({string.Join(" ", log.Tail(3).Select(l => l.Trim()))}). Check the name, or pull or build it first.",
                    target: reference);
            }
        }
        finally
        {
            log.Complete();
        }
    }

    internal async Task TagAsync(string source, string target, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["tag", "--", source, target], null, null, null, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new CruddurException(ErrorIds.ImageTagFailed, ErrorKind.InvalidOperation, $"{Command} tag {source} {target} failed: {Tail(result, 3)}.", target: target);
        }
    }

    /// <summary>Pushes one reference and returns the manifest digest the engine pushed (null when it did not say).</summary>
    internal async Task<string?> PushAsync(string reference, IOperationHost host, int progressId, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "push" };
        string? digestFile = null;
        if (IsPodman)
        {
            digestFile = Path.Combine(Path.GetTempPath(), "cruddur-digest-" + Guid.NewGuid().ToString("N"));
            arguments.Add("--digestfile");
            arguments.Add(digestFile);
        }

        arguments.Add("--");
        arguments.Add(reference);
        var progress = new PushProgress(host, progressId, reference);
        string? digest = null;
        try
        {
            var result = await RunAsync(arguments, null, null, (line, _) =>
            {
                host.WriteVerbose(line);
                progress.Observe(line);
                if (DigestLine().Match(line) is { Success: true } m)
                {
                    digest = m.Groups[1].Value;
                }
            }, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new CruddurException(ErrorIds.ImagePushFailed, ErrorKind.ConnectionError,
                    $"{Command} push {reference} failed with exit code {result.ExitCode}: {Tail(result, 5)}. Nothing was returned; run the publish again once the registry is reachable (layers already pushed are reused).",
                    target: reference);
            }

            if (digestFile is not null && File.Exists(digestFile))
            {
                digest = File.ReadAllText(digestFile).Trim();
            }

            return string.IsNullOrEmpty(digest) ? null : digest;
        }
        finally
        {
            progress.Complete();
            if (digestFile is not null)
            {
                File.Delete(digestFile);
            }
        }
    }

    private async Task<ProcessResult> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment, string? standardInput, Action<string, bool>? onOutput, CancellationToken cancellationToken)
    {
        ProcessResult result;
        try
        {
            result = await ProcessRunner.RunAsync(new ProcessSpec(Command, arguments) { Environment = environment, StandardInput = standardInput }, onOutput, ErrorIds.ImageEngineNotFound, cancellationToken).ConfigureAwait(false);
        }
        catch (CruddurException e) when (e.ErrorId == ErrorIds.ImageEngineNotFound)
        {
            throw new CruddurException(ErrorIds.ImageEngineNotFound, ErrorKind.NotInstalled,
                $"The container engine '{Command}' is not installed or not on PATH. Install Docker (https://docs.docker.com/engine/install/) or use podman or another docker-compatible CLI.",
                e, Command);
        }

        if (result.ExitCode != 0 && result.LastLines(20).Any(line => DaemonDown().IsMatch(line)))
        {
            throw new CruddurException(ErrorIds.ImageEngineNotRunning, ErrorKind.ResourceUnavailable,
                $"'{Command}' cannot reach its daemon ({Tail(result, 2)}). Start it (for example 'sudo systemctl start docker', or 'dockerd'), point {(IsPodman ? "CONTAINER_HOST" : "DOCKER_HOST")} at a running one, or use podman.",
                target: Command);
        }

        return result;
    }

    private static string Tail(ProcessResult result, int count, string separator = " ") =>
        string.Join(separator, result.LastLines(count).Select(l => l.Trim()).Where(l => l.Length > 0));

    [GeneratedRegex(@"digest: (sha256:[0-9a-f]{64})")]
    private static partial Regex DigestLine();

    [GeneratedRegex(@"Cannot connect to the Docker daemon|Is the docker daemon running|error during connect|unable to connect to Podman socket", RegexOptions.IgnoreCase)]
    private static partial Regex DaemonDown();

    /// <summary>A progress bar from the push log: docker names each layer (Preparing … Pushed / Layer already exists).</summary>
    private sealed partial class PushProgress(IOperationHost host, int id, string reference)
    {
        private readonly HashSet<string> _layers = [];
        private readonly HashSet<string> _done = [];

        public void Observe(string line)
        {
            var m = LayerLine().Match(line);
            if (m.Success)
            {
                _layers.Add(m.Groups[1].Value);
                if (m.Groups[2].Value is "Pushed" or "Layer already exists" || m.Groups[2].Value.StartsWith("Mounted from", StringComparison.Ordinal))
                {
                    _done.Add(m.Groups[1].Value);
                }
            }
            else if (line.StartsWith("Copying blob", StringComparison.Ordinal))
            {
                _done.Add(line); // podman: one line per blob, no total known in advance
            }
            else
            {
                return;
            }

            var percent = _layers.Count == 0 ? -1 : 100 * _done.Count / _layers.Count;
            host.WriteProgress(new ProgressUpdate(id, $"Pushing {reference}", $"{_done.Count}{(_layers.Count == 0 ? string.Empty : "/" + _layers.Count)} layers: {line.Trim()}", percent));
        }

        public void Complete() => host.WriteProgress(new ProgressUpdate(id, $"Pushing {reference}", "Done", 100, Completed: true));

        [GeneratedRegex(@"^([0-9a-f]{12}): (Preparing|Waiting|Pushing|Pushed|Layer already exists|Mounted from .*)")]
        private static partial Regex LayerLine();
    }
}
