using System.Text;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.Core.Images;
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
            if (_registry.TryGetValue(tag, out var digest))
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
        Assert.Equal(0, ecr.Creates); // an existing repository is reused
        Assert.Equal([$"build --file {_dir}/Dockerfile --tag {RegistryHost}/backend-flask:v1 --tag {RegistryHost}/backend-flask:latest --build-arg DECLARED -- {_dir}",
            $"push -- {RegistryHost}/backend-flask:v1", $"push -- {RegistryHost}/backend-flask:latest"], Commands());
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
    }

    private PublishRequest Request(IReadOnlyList<string> tags) => new("backend-flask")
    {
        ContextPath = _dir,
        Tags = tags,
        RegistryHost = RegistryHost,
        EnvFileValues = new Dictionary<string, string> { ["DECLARED"] = "1", ["UNDECLARED"] = "2" },
    };

    private ImagePublisher Publisher(Ecr ecr, string? pushes, string? holds = null, string? holdsSecond = null)
    {
        _registry["v1"] = _registry["latest"] = _registry["r1"] = _registry["a"] = holds ?? pushes!;
        _registry["b"] = holdsSecond ?? holds ?? pushes!;
        return new ImagePublisher(ecr, Engine(pushes), "k");
    }

    // Records the commands but the login (its password comes on standard input); a push says the digest as docker does.
    private ContainerEngine Engine(string? digest)
    {
        var script = Path.Combine(_dir, "docker-stand-in");
        var say = digest is null ? ":" : $"echo \"x: digest: {digest} size: 528\"";
        File.WriteAllText(script, $"#!/bin/sh\nif [ \"$1\" = login ]; then cat >/dev/null; exit 0; fi\necho \"$*\" >> '{_dir}/commands'\nif [ \"$1\" = push ]; then {say}; fi\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new ContainerEngine(script);
    }

    private string[] Commands()
    {
        var path = Path.Combine(_dir, "commands");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    private sealed class Ecr(bool exists) : IEcrClient
    {
        public int Creates { get; private set; }

        public Task<EcrRepository?> FindRepositoryAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult(exists || Creates > 0 ? new EcrRepository(name, $"arn:aws:ecr:us-east-1:123456789012:repository/{name}", name) : null);

        public Task<EcrRepository?> CreateRepositoryAsync(string name, CancellationToken cancellationToken)
        {
            Creates++;
            return Task.FromResult<EcrRepository?>(new EcrRepository(name, $"arn:aws:ecr:us-east-1:123456789012:repository/{name}", name));
        }

        public Task<EcrAuthorization> GetAuthorizationTokenAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new EcrAuthorization(Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:tok")), "https://123456789012.dkr.ecr.us-east-1.amazonaws.com", DateTimeOffset.UtcNow.AddHours(12)));
    }
}
