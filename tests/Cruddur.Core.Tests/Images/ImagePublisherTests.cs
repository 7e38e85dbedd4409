using System.Text;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.Core.Images;
using Cruddur.Core.Processes;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Images;

/// <summary>
/// The publisher's decisions against a docker stand-in (a shell script that says which digest it pushed) and a scripted
/// registry (which digest it holds): the tags, the repository it creates or reuses, and the digest confirmation.
/// </summary>
[Collection(nameof(EcrLoginTests))] // the login cache is process-wide
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the engine stand-in is a shell script
public sealed class ImagePublisherTests : IAsyncLifetime
{
    private static readonly string Pushed = "sha256:" + new string('a', 64);
    private static readonly string Other = "sha256:" + new string('b', 64);
    private readonly string _dir = Directory.CreateTempSubdirectory("cruddur-publish-").FullName;
    private readonly Dictionary<string, string> _registry = [];
    private ScriptedEndpoint _endpoint = null!;

    public async Task InitializeAsync()
    {
        EcrLogin.Clear();
        _endpoint = await ScriptedEndpoint.StartAsync((context, _, _) =>
        {
            var tag = context.Request.Path.Value!.Split("/manifests/")[1];
            // As ECR: the ECR token's user and password as basic auth, and a v2 manifest only for a client that accepts one.
            if (context.Request.Headers.Authorization != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:tok")))
            {
                context.Response.StatusCode = 401;
            }
            else if (!context.Request.Headers.Accept.ToString().Contains("application/vnd.docker.distribution.manifest.v2+json", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 404; // ECR has no schema 1 manifest to give
            }
            else if (_registry.TryGetValue(tag, out var digest))
            {
                context.Response.Headers["Docker-Content-Digest"] = digest;
                context.Response.StatusCode = 200;
            }
            else
            {
                context.Response.StatusCode = 404;
            }

            return Task.CompletedTask;
        });
        File.WriteAllText(Path.Combine(_dir, "Dockerfile"), "FROM scratch\nARG DECLARED\n");
    }

    public async Task DisposeAsync()
    {
        EcrLogin.Clear();
        await _endpoint.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string RegistryHost => new Uri(_endpoint.Url).Authority;

    [Fact]
    public async Task APushTheRegistryConfirmsGivesTheImageWithItsDigestAndEveryTag()
    {
        var ecr = new Ecr(exists: true);
        var image = await Publisher(ecr, pushes: Pushed).PublishAsync(Request(["v1", "latest"]), new RecordingHost(), CancellationToken.None);

        Assert.NotNull(image);
        Assert.Equal(Pushed, image!.Digest);
        Assert.Equal(["v1", "latest"], image.Tags);
        Assert.Equal($"{RegistryHost}/backend-flask@{Pushed}", image.ImageUri); // what Deploy-CruddurService deploys
        Assert.Equal($"{RegistryHost}/backend-flask", image.RepositoryUri);
        Assert.Equal(0, ecr.Creates); // an existing repository is reused
        Assert.Equal([$"build --file {_dir}/Dockerfile --tag {RegistryHost}/backend-flask:v1 --tag {RegistryHost}/backend-flask:latest --build-arg DECLARED -- {_dir}",
            $"push -- {RegistryHost}/backend-flask:v1", $"push -- {RegistryHost}/backend-flask:latest"], Commands());
    }

    [Fact]
    public async Task LogsInToTheRegistryBeforeBuildingAndPushingWithTheTokenOnStandardInputOnly()
    {
        await Publisher(new Ecr(exists: true), pushes: Pushed).PublishAsync(Request(["v1"]), new RecordingHost(), CancellationToken.None);

        Assert.Equal(["login", "build", "push"], File.ReadAllLines(Path.Combine(_dir, "verbs")));
        Assert.Equal($"login --username AWS --password-stdin -- {RegistryHost}", File.ReadAllText(Path.Combine(_dir, "login")).TrimEnd());
        Assert.Equal("tok", File.ReadAllText(Path.Combine(_dir, "login-stdin")).TrimEnd());
    }

    [Fact]
    public async Task ATagTheRegistryHoldsWithAnotherDigestIsRefusedNamingBoth()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => Publisher(new Ecr(exists: true), pushes: Pushed, holds: Other)
            .PublishAsync(Request(["r1"]), new RecordingHost(), CancellationToken.None));

        Assert.Equal("ImagePushNotConfirmed", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Assert.StartsWith($"The registry holds {Other} for {RegistryHost}/backend-flask:r1, not the pushed {Pushed}.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEngineThatDoesNotSayItsDigestGetsTheRegistrysButTwoTagsMustAgree()
    {
        // Tag one confirms as Pushed, tag two (moved by someone else meanwhile) as Other: one image cannot have two digests.
        var publisher = Publisher(new Ecr(exists: true), pushes: null, holds: Pushed, holdsSecond: Other);

        var e = await Assert.ThrowsAsync<CruddurException>(() => publisher.PublishAsync(Request(["a", "b"]), new RecordingHost(), CancellationToken.None));

        Assert.Equal("ImagePushNotConfirmed", e.ErrorId);
        Assert.Contains($"holds {Other} for {RegistryHost}/backend-flask:b, not the pushed {Pushed}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData('b', 'c', 'b')] // tag b's push was replaced in the registry: name what was pushed for b
    [InlineData('b', 'b', 'a')] // the engine pushed another image for b (retagged meanwhile): name the digest tag a confirmed
    public async Task ATagThatDisagreesIsRefusedNamingTheDigestItShouldHold(char pushedForB, char heldForB, char named)
    {
        static string Digest(char c) => "sha256:" + new string(c, 64);
        var publisher = Publisher(new Ecr(exists: true), pushes: Digest('a'), holdsSecond: Digest(heldForB), pushesSecond: Digest(pushedForB));

        var e = await Assert.ThrowsAsync<CruddurException>(() => publisher.PublishAsync(Request(["a", "b"]), new RecordingHost(), CancellationToken.None));

        Assert.Equal("ImagePushNotConfirmed", e.ErrorId);
        Assert.Contains($"holds {Digest(heldForB)} for {RegistryHost}/backend-flask:b, not the pushed {Digest(named)}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingRepositoryIsCreatedOnlyAfterTheBuildAndNotAtAllUnderWhatIf()
    {
        var ecr = new Ecr(exists: false);
        Assert.Null(await Publisher(ecr, pushes: Pushed).PublishAsync(Request(["v1"]), new RecordingHost(confirm: false), CancellationToken.None));
        Assert.Equal(0, ecr.Creates);
        Assert.Empty(Commands()); // not even a login

        var image = await Publisher(ecr, pushes: Pushed).PublishAsync(Request(["v1"]), new RecordingHost(), CancellationToken.None);
        Assert.Equal(Pushed, image!.Digest);
        Assert.Equal(1, ecr.Creates);
    }

    [Fact]
    public async Task ARegistryThatDoesNotKnowThePushedTagIsNotAConfirmation()
    {
        _registry.Clear();
        var publisher = new ImagePublisher(new Ecr(exists: true), Engine(Pushed), "k");

        var e = await Assert.ThrowsAsync<CruddurException>(() => publisher.PublishAsync(Request(["v1"]), new RecordingHost(), CancellationToken.None));

        Assert.Equal("ImagePushNotConfirmed", e.ErrorId);
        Assert.Contains("answered HTTP 404", e.Message, StringComparison.Ordinal);
        Assert.Equal("backend-flask:v1", e.Target);
    }

    [Theory]
    [InlineData("python:3.10-slim-buster", "3.10-slim-buster,latest")]
    [InlineData("python:latest", "latest")]
    [InlineData("python", "latest")]
    [InlineData("localhost:5000/team/python", "latest")]
    [InlineData("python:3.10@sha256:0000000000000000000000000000000000000000000000000000000000000000", "3.10,latest")]
    public async Task AMirroredImageKeepsItsSourceTagBesideLatestAndAnImageOnThisMachineIsNotPulled(string source, string expected)
    {
        var tags = expected.Split(',');
        foreach (var tag in tags)
        {
            _registry[tag] = Pushed;
        }

        var host = new RecordingHost();
        var image = await new ImagePublisher(new Ecr(exists: true), Engine(Pushed), "k")
            .PublishAsync(new PublishRequest("backend-flask") { Source = source, RegistryHost = RegistryHost }, host, CancellationToken.None);

        Assert.Equal(tags, image!.Tags);
        Assert.Contains(($"{RegistryHost}/backend-flask", $"Copy {source} and push it as {string.Join(", ", tags)}"), host.Asked);
        Assert.Equal(
            new[] { $"image inspect --format {{{{.Id}}}} -- {source}" }
                .Concat(tags.Select(t => $"tag -- {source} {RegistryHost}/backend-flask:{t}"))
                .Concat(tags.Select(t => $"push -- {RegistryHost}/backend-flask:{t}")),
            Commands());
    }

    [Fact]
    public async Task AMirroredImageThatIsNotOnThisMachineIsPulledFirst()
    {
        _registry["latest"] = Pushed;
        var host = new RecordingHost();
        await new ImagePublisher(new Ecr(exists: true), Engine(Pushed, local: false), "k")
            .PublishAsync(new PublishRequest("cruddur-python") { Source = "python", RegistryHost = RegistryHost }, host, CancellationToken.None);

        Assert.Equal(["image inspect --format {{.Id}} -- python", "pull -- python", $"tag -- python {RegistryHost}/cruddur-python:latest", $"push -- {RegistryHost}/cruddur-python:latest"], Commands());
        Assert.Contains(host.Asked, a => a == ($"{RegistryHost}/cruddur-python", "Copy python and push it as latest"));
    }

    [Theory]
    [InlineData("Backend_Flask", null, null, "ImageRepositoryNameInvalid")]
    [InlineData("backend-flask\n", null, null, "ImageRepositoryNameInvalid")]
    [InlineData("backend-flask", "--help", null, "ImageSourceInvalid")]
    [InlineData("backend-flask", null, "-v1", "ImageTagInvalid")]
    [InlineData("backend-flask", null, ".v1", "ImageTagInvalid")]
    public async Task ABadNameSourceOrTagIsRefusedBeforeAnythingRunsOrIsAsked(string repository, string? source, string? tag, string errorId)
    {
        var ecr = new Ecr(exists: false);
        var host = new RecordingHost();
        var request = new PublishRequest(repository) { Source = source, ContextPath = source is null ? _dir : null, Tags = tag is null ? null : [tag], RegistryHost = RegistryHost };

        var e = await Assert.ThrowsAsync<CruddurException>(() => new ImagePublisher(ecr, Engine(Pushed), "k").PublishAsync(request, host, CancellationToken.None));

        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(source ?? tag ?? repository, e.Message, StringComparison.Ordinal);
        Assert.Empty(host.Asked);
        Assert.Empty(Commands());
        Assert.Equal(0, ecr.Creates);
    }

    [Fact]
    public async Task AContextThatIsNotAFolderOrADockerfileThatIsMissingIsNamed()
    {
        var publisher = new ImagePublisher(new Ecr(exists: true), Engine(Pushed), "k");
        var missing = Path.Combine(_dir, "frontend-react-js");
        var e = await Assert.ThrowsAsync<CruddurException>(() => publisher.PublishAsync(new PublishRequest("x1") { ContextPath = missing }, new RecordingHost(), CancellationToken.None));
        Assert.Equal(("ImageContextNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("the service's folder", e.Message, StringComparison.Ordinal);

        var dockerfile = Path.Combine(_dir, "Dockerfile.dev");
        e = await Assert.ThrowsAsync<CruddurException>(() => publisher.PublishAsync(new PublishRequest("x1") { ContextPath = _dir, Dockerfile = dockerfile }, new RecordingHost(), CancellationToken.None));
        Assert.Equal(("ImageDockerfileNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains(dockerfile, e.Message, StringComparison.Ordinal);
        Assert.Contains("a file in the build context", e.Message, StringComparison.Ordinal);
        Assert.Empty(Commands());
    }

    [Fact]
    public async Task AContextWithoutADockerfileIsRefusedNamingTheFileAndTheDefaultBeforeAnythingRuns()
    {
        File.Delete(Path.Combine(_dir, "Dockerfile"));
        var ecr = new Ecr(exists: false);
        var host = new RecordingHost();

        var e = await Assert.ThrowsAsync<CruddurException>(() => Publisher(ecr, pushes: Pushed).PublishAsync(Request(["v1"]), host, CancellationToken.None));

        Assert.Equal(("ImageDockerfileNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains(Path.Combine(_dir, "Dockerfile"), e.Message, StringComparison.Ordinal);
        Assert.Contains("a file in the build context", e.Message, StringComparison.Ordinal);
        Assert.Contains("Dockerfile.prod", e.Message, StringComparison.Ordinal); // the name a context may use instead
        Assert.Empty(host.Asked);
        Assert.Empty(Commands());
        Assert.Equal(0, ecr.Creates);
    }

    [Fact]
    public void TheSeedsDockerfileProdIsTheDefaultWhenTheContextHasOne()
    {
        Assert.Equal(Path.Combine(_dir, "Dockerfile"), ImagePublisher.DefaultDockerfile(_dir));
        File.WriteAllText(Path.Combine(_dir, "Dockerfile.prod"), "FROM scratch\n");
        Assert.Equal(Path.Combine(_dir, "Dockerfile.prod"), ImagePublisher.DefaultDockerfile(_dir));
    }

    [Fact]
    public async Task UnderWhatIfBothQuestionsAreAskedNamingTheBuildArgumentsButNotTheirValues()
    {
        var host = new RecordingHost(confirm: false);
        var request = Request(["v1", "v1"]) with { BuildArguments = new Dictionary<string, string> { ["DECLARED"] = "given-value", ["REACT_APP_X"] = "y" } };

        Assert.Null(await new ImagePublisher(new Ecr(exists: false), Engine(Pushed), "k").PublishAsync(request, host, CancellationToken.None));

        Assert.Equal(
        [
            ("backend-flask", "Create ECR repository (tag mutability MUTABLE, scan on push)"),
            ($"{RegistryHost}/backend-flask", $"Build {_dir} with Dockerfile (build arguments DECLARED, REACT_APP_X) and push it as v1"),
        ], host.Asked);
        Assert.Empty(host.Messages); // neither argument looks secret
    }

    [Fact]
    public async Task UnderWhatIfABuildWithoutArgumentsNamesWhatItBuildsAndPushesAndNoArguments()
    {
        var host = new RecordingHost(confirm: false);
        var request = Request(["v1", "latest"]) with { EnvFileValues = new Dictionary<string, string>() };

        Assert.Null(await Publisher(new Ecr(exists: true), pushes: Pushed).PublishAsync(request, host, CancellationToken.None));

        var (target, action) = Assert.Single(host.Asked);
        Assert.Equal($"{RegistryHost}/backend-flask", target);
        Assert.Equal($"Build {_dir} with Dockerfile and push it as v1, latest", action);
    }

    [Fact]
    public async Task DecliningOnlyTheRepositorysCreationStopsThePublish()
    {
        var ecr = new Ecr(exists: false);
        var host = new RecordingHost { Decide = action => !action.StartsWith("Create", StringComparison.Ordinal) };

        Assert.Null(await Publisher(ecr, pushes: Pushed).PublishAsync(Request(["v1"]), host, CancellationToken.None));
        Assert.Equal(0, ecr.Creates);
        Assert.Empty(Commands());
    }

    [Fact]
    public async Task AGivenBuildArgumentWinsOverTheEnvFileAndOneThatLooksSecretIsWarnedAboutByNameOnly()
    {
        var host = new RecordingHost();
        var request = Request(["v1"]) with { BuildArguments = new Dictionary<string, string> { ["DB_PASSWORD"] = "hunter2-value" } };

        await Publisher(new Ecr(exists: true), pushes: Pushed).PublishAsync(request, host, CancellationToken.None);

        var warning = Assert.Single(host.Messages, m => m.StartsWith("WARNING:", StringComparison.Ordinal));
        Assert.Contains("DB_PASSWORD", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-value", host.AllText, StringComparison.Ordinal);
        Assert.Contains("--build-arg DECLARED --build-arg DB_PASSWORD --", Commands()[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABuildArgumentNameDockerWouldSplitIsRefused()
    {
        var request = Request(["v1"]) with { BuildArguments = new Dictionary<string, string> { ["A=B"] = "1" } };

        var e = await Assert.ThrowsAsync<CruddurException>(() => Publisher(new Ecr(exists: true), pushes: Pushed).PublishAsync(request, new RecordingHost(), CancellationToken.None));

        Assert.Equal("ImageBuildArgumentInvalid", e.ErrorId);
        Assert.Empty(Commands());
    }

    [Fact]
    public async Task ABuildIsTaggedLatestOnlyOutsideAGitWorkTreeAndWithItsCommitInsideOne()
    {
        var image = await Publisher(new Ecr(exists: true), pushes: Pushed).PublishAsync(Request([]) with { Tags = null }, new RecordingHost(), CancellationToken.None);

        Assert.Equal(["latest"], image!.Tags);
        Assert.Equal(RegistryHost, image.Registry);

        await Git("init", "-q");
        await Git("add", "Dockerfile");
        await Git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "context");
        var commit = Assert.Single((await Git("rev-parse", "--short", "HEAD")).Output).Trim();
        var publisher = Publisher(new Ecr(exists: true), pushes: Pushed);
        _registry[commit] = Pushed;

        image = await publisher.PublishAsync(Request([]) with { Tags = null }, new RecordingHost(), CancellationToken.None);

        Assert.Equal(["latest", commit], image!.Tags);
        Assert.Contains($"push -- {RegistryHost}/backend-flask:{commit}", Commands());
    }

    [Theory]
    [InlineData("docker", "DOCKER_CONFIG", "REGISTRY_AUTH_FILE")]
    [InlineData("docker", "DOCKER_HOST", "CONTAINER_HOST")]
    [InlineData("podman", "REGISTRY_AUTH_FILE", "DOCKER_CONFIG")]
    [InlineData("podman", "CONTAINER_HOST", "DOCKER_HOST")]
    public async Task AnEngineLoginIsReusedOnlyWithTheCredentialStoreAndDaemonItWasMadeWith(string engine, string variable, string otherEnginesVariable)
    {
        _registry["v1"] = Pushed;
        var publisher = new ImagePublisher(new Ecr(exists: true), Engine(Pushed, name: engine + "-stand-in"), "k");
        async Task<int> LoginsAfterAPublish()
        {
            await publisher.PublishAsync(Request(["v1"]), new RecordingHost(), CancellationToken.None);
            return File.ReadAllLines(Path.Combine(_dir, "verbs")).Count(v => v == "login");
        }

        var saved = (Environment.GetEnvironmentVariable(variable), Environment.GetEnvironmentVariable(otherEnginesVariable));
        try
        {
            Environment.SetEnvironmentVariable(variable, null);
            Environment.SetEnvironmentVariable(otherEnginesVariable, null);
            Assert.Equal(1, await LoginsAfterAPublish());
            Assert.Equal(1, await LoginsAfterAPublish());
            Environment.SetEnvironmentVariable(otherEnginesVariable, Path.Combine(_dir, "elsewhere")); // the other engine's: no matter
            Assert.Equal(1, await LoginsAfterAPublish());
            Environment.SetEnvironmentVariable(variable, Path.Combine(_dir, "elsewhere")); // another store or daemon: log in there
            Assert.Equal(2, await LoginsAfterAPublish());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, saved.Item1);
            Environment.SetEnvironmentVariable(otherEnginesVariable, saved.Item2);
        }
    }

    [Fact]
    public async Task ARepositoryCreatedMeanwhileThatCannotBeDescribedIsNamedWithThePermissionToCheck()
    {
        var ecr = new Ecr(exists: false, describable: false);

        var e = await Assert.ThrowsAsync<CruddurException>(() => Publisher(ecr, pushes: Pushed).PublishAsync(Request(["v1"]), new RecordingHost(), CancellationToken.None));

        Assert.Equal(("ImageRepositoryNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains("'backend-flask'", e.Message, StringComparison.Ordinal);
        Assert.Contains("ecr:DescribeRepositories", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Commands(), c => c.StartsWith("push", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(256, true)]
    [InlineData(257, false)]
    public void ARepositoryNameHasTwoTo256Characters(int length, bool valid)
    {
        var name = new string('a', length);
        var e = Record.Exception(() => EcrRepositories.ValidateName(name));

        Assert.Equal(valid ? null : "ImageRepositoryNameInvalid", (e as CruddurException)?.ErrorId);
        Assert.Equal(valid, e is null);
    }

    private PublishRequest Request(IReadOnlyList<string> tags) => new("backend-flask")
    {
        ContextPath = _dir,
        Tags = tags,
        RegistryHost = RegistryHost,
        EnvFileValues = new Dictionary<string, string> { ["DECLARED"] = "1", ["UNDECLARED"] = "2" },
    };

    private ImagePublisher Publisher(Ecr ecr, string? pushes, string? holds = null, string? holdsSecond = null, string? pushesSecond = null)
    {
        _registry["v1"] = _registry["latest"] = _registry["r1"] = _registry["a"] = holds ?? pushes!;
        _registry["b"] = holdsSecond ?? holds ?? pushes!;
        return new ImagePublisher(ecr, Engine(pushes, secondDigest: pushesSecond), "k");
    }

    // Records the commands but the login (its password comes on standard input, kept apart), and every command's verb in
    // order; a push says the digest as docker does (secondDigest, when given, for the tag b).
    private ContainerEngine Engine(string? digest, bool local = true, string? secondDigest = null, string name = "docker-stand-in")
    {
        var script = Path.Combine(_dir, name);
        static string Say(string? digest) => digest is null ? ":" : $"echo \"x: digest: {digest} size: 528\"";
        var say = $"case \"$3\" in *:b) {Say(secondDigest ?? digest)};; *) {Say(digest)};; esac";
        var inspect = local ? ":" : "exit 1";
        File.WriteAllText(script, $"#!/bin/sh\necho \"$1\" >> '{_dir}/verbs'\nif [ \"$1\" = login ]; then echo \"$*\" > '{_dir}/login'; cat > '{_dir}/login-stdin'; exit 0; fi\necho \"$*\" >> '{_dir}/commands'\nif [ \"$1\" = push ]; then {say}; fi\nif [ \"$1\" = image ]; then {inspect}; fi\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new ContainerEngine(script);
    }

    private async Task<ProcessResult> Git(params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(new ProcessSpec("git", ["-C", _dir, .. arguments]), null, "Git", CancellationToken.None);
        Assert.Equal(0, result.ExitCode);
        return result;
    }

    private string[] Commands()
    {
        var path = Path.Combine(_dir, "commands");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    // describable: false answers as ECR does when the repository was created meanwhile (create: already exists) and
    // ecr:DescribeRepositories is denied (describe: nothing).
    private sealed class Ecr(bool exists, bool describable = true) : IEcrClient
    {
        public int Creates { get; private set; }

        public Task<EcrRepository?> FindRepositoryAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult(describable && (exists || Creates > 0) ? new EcrRepository(name, $"arn:aws:ecr:us-east-1:123456789012:repository/{name}", name) : null);

        public Task<EcrRepository?> CreateRepositoryAsync(string name, CancellationToken cancellationToken)
        {
            Creates++;
            return Task.FromResult(describable ? new EcrRepository(name, $"arn:aws:ecr:us-east-1:123456789012:repository/{name}", name) : null);
        }

        public Task<EcrImage> FindImageAsync(string registryId, string repository, string reference, CancellationToken cancellationToken) =>
            throw new NotSupportedException("not used by these tests");

        public Task<EcrAuthorization> GetAuthorizationTokenAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new EcrAuthorization(Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:tok")), "https://123456789012.dkr.ecr.us-east-1.amazonaws.com", DateTimeOffset.UtcNow.AddHours(12)));
    }
}
