using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Git;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Images;

/// <summary>What to publish: a build context (<see cref="ContextPath"/>) or an existing image to mirror (<see cref="Source"/>).</summary>
public sealed record PublishRequest(string Repository)
{
    /// <summary>The build context folder (full path); null when mirroring <see cref="Source"/>.</summary>
    public string? ContextPath { get; init; }

    /// <summary>The Dockerfile (full path); default Dockerfile.prod in the context when it exists, else Dockerfile.</summary>
    public string? Dockerfile { get; init; }

    /// <summary>An image to mirror (pull if not local, tag, push) instead of building, such as python:3.10-slim-buster.</summary>
    public string? Source { get; init; }

    /// <summary>Build arguments passed as given.</summary>
    public IReadOnlyDictionary<string, string> BuildArguments { get; init; } = new Dictionary<string, string>();

    /// <summary>Names whose values came from Parameter Store or a SecureString: warned about when they become build arguments.</summary>
    public IReadOnlySet<string> SecretSourcedNames { get; init; } = new HashSet<string>();

    /// <summary>Values of an env file: only those the Dockerfile declares with ARG become build arguments.</summary>
    public IReadOnlyDictionary<string, string> EnvFileValues { get; init; } = new Dictionary<string, string>();

    /// <summary>The tags; default latest plus the short commit id (-dirty) inside a git work tree.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Push here instead of the registry ECR reports (a mirror, a local test registry).</summary>
    public string? RegistryHost { get; init; }
}

/// <summary>
/// Create the ECR repository when missing, log the engine in, build (or mirror), tag, push and confirm the digest with the
/// registry: the seed's "Create ECR Repo and Push Image" and bin/*/build + push in one step.
/// </summary>
public sealed class ImagePublisher
{
    private const int BuildProgressId = 3;
    private const int PushProgressId = 4;
    private readonly IEcrClient _ecr;
    private readonly ContainerEngine _engine;
    private readonly string _awsKey;

    /// <summary>Publishes through the ECR of <paramref name="aws"/>, with <paramref name="engine"/>.</summary>
    public ImagePublisher(AwsContext aws, ContainerEngine engine, IOperationHost host)
        : this(new EcrClient(aws, host), engine, string.Join('|', aws.Region, aws.EndpointFor(AwsService.Ecr), aws.ProfileName))
    {
    }

    // awsKey names the AWS account and endpoint in use (region, endpoint, profile), so cached logins are never crossed.
    internal ImagePublisher(IEcrClient ecr, ContainerEngine engine, string awsKey)
    {
        _ecr = ecr;
        _engine = engine;
        _awsKey = awsKey;
    }

    /// <summary>The Dockerfile a context is built with when none is named: Dockerfile.prod (the seed's) when present.</summary>
    public static string DefaultDockerfile(string contextPath)
    {
        var prod = Path.Combine(contextPath, "Dockerfile.prod");
        return File.Exists(prod) ? prod : Path.Combine(contextPath, "Dockerfile");
    }

    /// <summary>Publishes; returns null when the user declined (or -WhatIf).</summary>
    public async Task<Image?> PublishAsync(PublishRequest request, IOperationHost host, CancellationToken cancellationToken)
    {
        EcrRepositories.ValidateName(request.Repository);
        if (request.Source is not null)
        {
            ValidateSource(request.Source);
        }

        var build = request.Source is null ? PrepareBuild(request) : null;
        if (build is not null && BuildArguments.Risky(build.BuildArguments, request.SecretSourcedNames) is { Count: > 0 } risky)
        {
            host.WriteWarning(BuildArguments.Warning(risky));
        }

        var tags = request.Tags is { Count: > 0 } given ? given.Distinct(StringComparer.Ordinal).ToList() : await DefaultTagsAsync(request, cancellationToken).ConfigureAwait(false);
        foreach (var tag in tags)
        {
            ValidateTag(tag);
        }

        // Read-only calls first (in parallel): nothing changes before the user confirms and the build has succeeded.
        var loginKey = string.Join('|', _awsKey, request.RegistryHost, _engine.Command, _engine.Daemon, _engine.CredentialStore);
        var login = new EcrLogin(_ecr);
        var findRepository = _ecr.FindRepositoryAsync(request.Repository, cancellationToken);
        var credential = await login.GetCredentialAsync(loginKey, request.RegistryHost, cancellationToken).ConfigureAwait(false);
        var existing = await findRepository.ConfigureAwait(false);

        var repositoryUri = $"{credential.Host}/{request.Repository}";
        var references = tags.Select(t => $"{repositoryUri}:{t}").ToList();
        var what = build is null
            ? $"Copy {request.Source} and push it as {string.Join(", ", tags)}"
            : $"Build {build.ContextPath} with {Path.GetFileName(build.Dockerfile)}{Describe(build.BuildArguments)} and push it as {string.Join(", ", tags)}";
        // Both questions are asked, so -WhatIf tells the whole plan.
        var create = existing is not null || host.ShouldProcess(request.Repository, "Create ECR repository (tag mutability MUTABLE, scan on push)");
        var push = host.ShouldProcess(repositoryUri, what);
        if (!create || !push)
        {
            return null;
        }

        await login.EnsureLoggedInAsync(loginKey, credential, _engine, cancellationToken).ConfigureAwait(false);
        if (build is not null)
        {
            host.WriteVerbose($"Building {build.ContextPath} with {build.Dockerfile}.");
            await _engine.BuildAsync(build with { References = references }, host, BuildProgressId, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await MirrorAsync(request.Source!, references, host, cancellationToken).ConfigureAwait(false);
        }

        if (existing is null)
        {
            host.WriteVerbose($"Creating the ECR repository {request.Repository}.");
            await EcrRepositories.CreateAsync(_ecr, request.Repository, cancellationToken).ConfigureAwait(false);
        }

        string? digest = null;
        for (var i = 0; i < references.Count; i++)
        {
            var pushed = await _engine.PushAsync(references[i], host, PushProgressId, cancellationToken).ConfigureAwait(false);
            var confirmed = await RegistryClient.GetManifestDigestAsync(credential, request.Repository, tags[i], cancellationToken).ConfigureAwait(false);
            // The digest that disagrees: this tag's push, else the one the earlier tags confirmed (one image, one digest).
            var expected = pushed is not null && pushed != confirmed ? pushed : digest;
            if (expected is not null && expected != confirmed)
            {
                throw new CruddurException(ErrorIds.ImagePushNotConfirmed, ErrorKind.InvalidOperation,
                    $"The registry holds {confirmed} for {references[i]}, not the pushed {expected}. Someone else pushed the tag meanwhile; publish again.",
                    target: references[i]);
            }

            digest = confirmed;
        }

        return new Image(request.Repository, credential.Host, tags, digest!);
    }

    private static BuildSpec PrepareBuild(PublishRequest request)
    {
        var context = request.ContextPath ?? throw new ArgumentException("A build needs a context path.", nameof(request));
        if (!Directory.Exists(context))
        {
            throw new CruddurException(ErrorIds.ImageContextNotFound, ErrorKind.ObjectNotFound,
                $"The build context '{context}' is not a folder; the context is the service's folder, such as ./backend-flask.", target: context);
        }

        var dockerfile = request.Dockerfile ?? DefaultDockerfile(context);
        if (!File.Exists(dockerfile))
        {
            throw new CruddurException(ErrorIds.ImageDockerfileNotFound, ErrorKind.ObjectNotFound,
                $"The Dockerfile '{dockerfile}' does not exist; it is a file in the build context, such as Dockerfile.prod.", target: dockerfile);
        }

        var declared = DockerfileArgs.Read(dockerfile);
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.EnvFileValues)
        {
            if (declared.Contains(name))
            {
                arguments[name] = value;
            }
        }

        foreach (var (name, value) in request.BuildArguments)
        {
            BuildArguments.ValidateName(name);
            arguments[name] = value;
        }

        return new BuildSpec(context, dockerfile, [], arguments);
    }

    private async Task<List<string>> DefaultTagsAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        if (request.Source is not null)
        {
            // The seed mirrors python:3.10-slim-buster as cruddur-python:3.10-slim-buster and builds FROM cruddur-python.
            var sourceTag = SourceTag(request.Source);
            return sourceTag is null or "latest" ? ["latest"] : [sourceTag, "latest"];
        }

        var commit = await GitWorkTree.DescribeHeadAsync(request.ContextPath!, cancellationToken).ConfigureAwait(false);
        return commit is null ? ["latest"] : ["latest", commit];
    }

    private async Task MirrorAsync(string source, IReadOnlyList<string> references, IOperationHost host, CancellationToken cancellationToken)
    {
        if (!await _engine.ExistsLocallyAsync(source, cancellationToken).ConfigureAwait(false))
        {
            host.WriteVerbose($"Pulling {source}.");
            await _engine.PullAsync(source, host, BuildProgressId, cancellationToken).ConfigureAwait(false);
        }

        foreach (var reference in references)
        {
            await _engine.TagAsync(source, reference, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string? SourceTag(string source)
    {
        var name = source.Split('@')[0];
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        return colon > slash ? name[(colon + 1)..] : null;
    }

    // A docker reference ([registry[:port]/]name[:tag][@digest]); checked first, so '--help' never reaches the engine or ECR.
    private static void ValidateSource(string source)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(source,
            @"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"))
        {
            throw new CruddurException(ErrorIds.ImageSourceInvalid, ErrorKind.InvalidArgument,
                $"'{Redaction.Redact(source)}' is not an image reference. Pass one such as python:3.10-slim-buster or registry.example.com/team/app:1.2.", target: Redaction.Redact(source));
        }
    }

    private static void ValidateTag(string tag)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(tag, "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"))
        {
            throw new CruddurException(ErrorIds.ImageTagInvalid, ErrorKind.InvalidArgument,
                $"'{tag}' is not a valid image tag: use up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-' (such as latest or 1a2b3c4).", target: tag);
        }
    }

    // Names only: values stay out of messages.
    private static string Describe(IReadOnlyDictionary<string, string> arguments) =>
        arguments.Count == 0 ? string.Empty : $" (build arguments {string.Join(", ", arguments.Keys)})";
}
