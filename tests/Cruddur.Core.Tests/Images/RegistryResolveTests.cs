using System.Net;
using System.Text;
using Cruddur.Core.Deployments.Preflight;
using Cruddur.Core.Images;
using Cruddur.Core.Tests.Aws;
using Microsoft.AspNetCore.Http;

namespace Cruddur.Core.Tests.Images;

/// <summary>
/// How a registry outside ECR is asked for an image's manifest (an in-process registry on loopback): the Bearer challenge
/// answered with an anonymous token or one got with the credential, Basic answered with the credential, and what each
/// answer means to the deploy check.
/// </summary>
public sealed class RegistryResolveTests
{
    private const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string Index = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"digest":"sha256:a","platform":{"architecture":"amd64","os":"linux"}},{"digest":"sha256:b","platform":{"architecture":"arm64","os":"linux"}},{"digest":"sha256:c","platform":{"architecture":"unknown","os":"unknown"}}]}""";
    private const string Password = "s3cret-Pa55";

    private static RegistryCredential Login(string host, string password = Password) => new(host, "puller", password, DateTimeOffset.MaxValue);

    private static string BasicOf(string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("puller:" + password));

    /// <summary>A registry that asks for a Bearer token from its own /token (needing the credential when <paramref name="private"/>), and serves library/nginx:1.27 to that token.</summary>
    private static async Task<(ScriptedEndpoint Endpoint, string Host, List<string> TokenRequests)> BearerRegistryAsync(bool @private)
    {
        var tokenRequests = new List<string>();
        string host = "";
        var endpoint = await ScriptedEndpoint.StartAsync(async (context, _, _) =>
        {
            var request = context.Request;
            if (request.Path == "/token")
            {
                lock (tokenRequests)
                {
                    tokenRequests.Add($"{request.QueryString} auth={request.Headers.Authorization}");
                }

                if (@private && request.Headers.Authorization != BasicOf(Password))
                {
                    context.Response.StatusCode = 401;
                    return;
                }

                await ScriptedEndpoint.Write(context, 200, """{"token":"tok-1","expires_in":300}""", "application/json");
                return;
            }

            if (request.Headers.Authorization != "Bearer tok-1")
            {
                context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"http://{host}/token\",service=\"test-registry\",scope=\"repository:library/nginx:pull\"";
                await ScriptedEndpoint.Write(context, 401, """{"errors":[{"code":"UNAUTHORIZED"}]}""", "application/json");
                return;
            }

            if (request.Path != "/v2/library/nginx/manifests/1.27")
            {
                await ScriptedEndpoint.Write(context, 404, """{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}""", "application/json");
                return;
            }

            context.Response.Headers["Docker-Content-Digest"] = Digest;
            await ScriptedEndpoint.Write(context, 200, Index, "application/vnd.oci.image.index.v1+json");
        });
        host = new Uri(endpoint.Url).Authority;
        return (endpoint, host, tokenRequests);
    }

    [Fact]
    public async Task A_Bearer_challenge_is_answered_with_an_anonymous_token_for_the_challenges_service_and_scope()
    {
        var (endpoint, host, tokens) = await BearerRegistryAsync(@private: false);
        await using var _ = endpoint;

        var found = await RegistryClient.ResolveAsync(host, "library/nginx", "1.27", null, CancellationToken.None);

        Assert.Equal((RegistryManifestState.Found, Digest), (found.State, found.Digest));
        Assert.Equal(["amd64", "arm64"], found.Architectures);
        Assert.Equal(["?service=test-registry&scope=repository%3Alibrary%2Fnginx%3Apull auth="], tokens);
        Assert.Equal(RegistryManifestState.ImageMissing, (await RegistryClient.ResolveAsync(host, "library/nginx", "9.9", null, CancellationToken.None)).State);
    }

    [Fact]
    public async Task A_private_registrys_token_is_got_with_the_credential_and_refused_without_it_or_with_a_wrong_one()
    {
        var (endpoint, host, tokens) = await BearerRegistryAsync(@private: true);
        await using var _ = endpoint;

        var found = await RegistryClient.ResolveAsync(host, "library/nginx", "1.27", Login(host), CancellationToken.None);
        Assert.Equal((RegistryManifestState.Found, Digest), (found.State, found.Digest));
        Assert.EndsWith("auth=" + BasicOf(Password), tokens.Single(), StringComparison.Ordinal);

        Assert.Equal(RegistryManifestState.NeedsCredentials, (await RegistryClient.ResolveAsync(host, "library/nginx", "1.27", null, CancellationToken.None)).State);
        var refused = await RegistryClient.ResolveAsync(host, "library/nginx", "1.27", Login(host, "wrong"), CancellationToken.None);
        Assert.Equal(RegistryManifestState.CredentialsRefused, refused.State);
        Assert.Equal("HTTP 401 for its token service", refused.Detail);
    }

    [Fact]
    public async Task A_Basic_challenge_gets_the_credential_and_the_registrys_error_codes_tell_repository_from_tag()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync(async (context, _, _) =>
        {
            if (context.Request.Headers.Authorization != BasicOf(Password))
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"registry\"";
                await ScriptedEndpoint.Write(context, 401, """{"errors":[{"code":"UNAUTHORIZED"}]}""", "application/json");
                return;
            }

            var (status, body) = context.Request.Path.Value switch
            {
                "/v2/team/app/manifests/v1" => (200, """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","layers":[]}"""),
                "/v2/team/app/manifests/v2" => (404, """{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"""),
                "/v2/team/app/manifests/v3" => (503, "busy"),
                _ => (404, """{"errors":[{"code":"NAME_UNKNOWN"}]}"""),
            };
            await ScriptedEndpoint.Write(context, status, body, "application/json");
        });
        var host = new Uri(endpoint.Url).Authority;

        var found = await RegistryClient.ResolveAsync(host, "team/app", "v1", Login(host), CancellationToken.None);
        Assert.Equal(RegistryManifestState.Found, found.State);
        Assert.StartsWith("sha256:", found.Digest, StringComparison.Ordinal);
        Assert.Empty(found.Architectures!);
        Assert.Equal((RegistryManifestState.ImageMissing, "HTTP 404 MANIFEST_UNKNOWN"), Of(await RegistryClient.ResolveAsync(host, "team/app", "v2", Login(host), CancellationToken.None)));
        Assert.Equal((RegistryManifestState.RepositoryMissing, "HTTP 404 NAME_UNKNOWN"), Of(await RegistryClient.ResolveAsync(host, "team/gone", "v1", Login(host), CancellationToken.None)));
        Assert.Equal((RegistryManifestState.Unanswered, "HTTP 503"), Of(await RegistryClient.ResolveAsync(host, "team/app", "v3", Login(host), CancellationToken.None)));
        Assert.Equal(RegistryManifestState.NeedsCredentials, (await RegistryClient.ResolveAsync(host, "team/app", "v1", null, CancellationToken.None)).State);
        Assert.Equal(RegistryManifestState.CredentialsRefused, (await RegistryClient.ResolveAsync(host, "team/app", "v1", Login(host, "wrong"), CancellationToken.None)).State);
    }

    private static (RegistryManifestState, string?) Of(RegistryManifest m) => (m.State, m.Detail);

    [Fact]
    public async Task A_name_that_is_no_registry_address_or_a_realm_that_is_no_URL_is_unanswered_not_an_exception()
    {
        Assert.Equal(RegistryManifestState.Unanswered, (await RegistryClient.ResolveAsync("bad host", "app", "v1", null, CancellationToken.None)).State);

        await using var endpoint = await ScriptedEndpoint.StartAsync(async (context, _, _) =>
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"::not a url::\",service=\"x\"";
            await ScriptedEndpoint.Write(context, 401, "{}", "application/json");
        });
        Assert.Equal((RegistryManifestState.Unanswered, "a token realm that is not a URL"), Of(await RegistryClient.ResolveAsync(new Uri(endpoint.Url).Authority, "app", "v1", null, CancellationToken.None)));
    }

    [Fact]
    public async Task A_registry_that_refuses_the_connection_or_does_not_answer_in_time_is_unreachable_and_a_cancelled_check_stops()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var closed = await RegistryClient.ResolveAsync($"127.0.0.1:{port}", "app", "v1", null, CancellationToken.None);
        Assert.Equal(RegistryManifestState.Unreachable, closed.State);
        Assert.Contains("ConnectionError", closed.Detail, StringComparison.Ordinal);

        var answered = new TaskCompletionSource();
        await using var silent = await ScriptedEndpoint.StartAsync(async (context, _, _) =>
        {
            answered.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        var slow = await RegistryClient.ResolveAsync(new Uri(silent.Url).Authority, "app", "v1", null, CancellationToken.None, TimeSpan.FromMilliseconds(300));
        Assert.Equal((RegistryManifestState.Unreachable, "no answer within 0.3 s"), (slow.State, slow.Detail));

        using var cancel = new CancellationTokenSource();
        var resolving = RegistryClient.ResolveAsync(new Uri(silent.Url).Authority, "app", "v1", null, cancel.Token);
        await answered.Task.WaitAsync(TimeSpan.FromSeconds(5));
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => resolving.WaitAsync(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task A_registry_that_cannot_be_reached_is_tried_once_for_all_its_images()
    {
        // A server that takes each connection and closes it unanswered: every request to it fails as unreachable, and
        // the connections it accepted are the attempts made.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = 0;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                using var connection = await listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref accepted);
            }
        });
        var host = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        async Task<int> AttemptsAsync(int images)
        {
            var before = Volatile.Read(ref accepted);
            var facts = new PreflightFacts(new PreflightClients(null!, null!, null!, null!, null!, null!, _ => null!, _ => Task.FromResult(""), "us-east-1"), Cruddur.Core.Hosting.SilentHost.Instance);
            var manifests = await Task.WhenAll(Enumerable.Range(1, images).Select(i =>
                facts.ManifestAsync(DeployPreflight.ImageReference.Parse($"{host}/app-{i}:1"), null, null, CancellationToken.None)));
            Assert.All(manifests, m => Assert.Equal(RegistryManifestState.Unreachable, m.State));
            return Volatile.Read(ref accepted) - before;
        }

        var one = await AttemptsAsync(1);
        Assert.True(one > 0);
        Assert.Equal(one, await AttemptsAsync(20)); // HttpClient retries a connection closed unanswered: one request, several connections
    }

    [Theory]
    [InlineData("nginx", "registry-1.docker.io", "library/nginx", "latest")]
    [InlineData("nginx:1.27", "registry-1.docker.io", "library/nginx", "1.27")]
    [InlineData("docker.io/nginx@sha256:abc", "registry-1.docker.io", "library/nginx", "sha256:abc")]
    [InlineData("index.docker.io/library/nginx", "registry-1.docker.io", "library/nginx", "latest")]
    [InlineData("someone/app:v2", "registry-1.docker.io", "someone/app", "v2")]
    [InlineData("public.ecr.aws/xray/aws-xray-daemon", "public.ecr.aws", "xray/aws-xray-daemon", "latest")]
    [InlineData("ghcr.io/org/app:v1", "ghcr.io", "org/app", "v1")]
    [InlineData("127.0.0.1:5000/backend-flask:seed", "127.0.0.1:5000", "backend-flask", "seed")]
    [InlineData("localhost/app", "localhost", "app", "latest")]
    public void An_image_name_is_normalised_as_docker_pulls_it(string image, string host, string repository, string reference)
    {
        var parsed = DeployPreflight.ImageReference.Parse(image);
        Assert.Equal((host, repository, reference), (parsed.RegistryHost, parsed.RegistryRepository, parsed.Reference));
    }
}
