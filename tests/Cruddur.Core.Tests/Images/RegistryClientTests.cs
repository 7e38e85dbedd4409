using Cruddur.Core.Hosting;
using Cruddur.Core.Images;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Images;

/// <summary>How the push is confirmed with the registry: plain HTTP only on this machine, TLS everywhere else.</summary>
public sealed class RegistryClientTests
{
    [Theory]
    [InlineData("localhost:5000", true)]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.0.0.2", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("10.0.0.5:5000", false)]
    [InlineData("[fd00::2]:5000", false)]
    [InlineData("localhost.example.com", false)]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com", false)]
    public void OnlyALoopbackRegistryIsThisMachines(string host, bool loopback) =>
        Assert.Equal(loopback, RegistryClient.IsLoopback(host));

    [Fact]
    public async Task ARegistryOnThisMachineIsAskedInPlainHttpAndOneElsewhereOverTls()
    {
        var digest = "sha256:" + new string('e', 64);
        await using var endpoint = await ScriptedEndpoint.StartAsync((context, _, _) =>
        {
            context.Response.Headers["Docker-Content-Digest"] = digest;
            return Task.CompletedTask;
        });
        var port = new Uri(endpoint.Url).Port;
        static RegistryCredential Credential(string host) => new(host, "AWS", "tok", DateTimeOffset.UtcNow.AddHours(1));

        Assert.Equal(digest, await RegistryClient.GetManifestDigestAsync(Credential($"127.0.0.1:{port}"), "backend-flask", "v1", CancellationToken.None));
        Assert.Equal(digest, await RegistryClient.GetManifestDigestAsync(Credential($"localhost:{port}"), "backend-flask", "v1", CancellationToken.None));

        // A name that never resolves (RFC 2606): the error names the port tried, 443 (TLS), not 80.
        var e = await Assert.ThrowsAsync<CruddurException>(() => RegistryClient.GetManifestDigestAsync(Credential("registry.invalid"), "backend-flask", "v1", CancellationToken.None));
        Assert.Equal((ErrorIds.ImageRegistryUnreachable, ErrorKind.ConnectionError), (e.ErrorId, e.Kind));
        Assert.Contains("registry.invalid:443", e.Message, StringComparison.Ordinal);
        Assert.Contains("Check the registry's name", e.Message, StringComparison.Ordinal);
    }
}
