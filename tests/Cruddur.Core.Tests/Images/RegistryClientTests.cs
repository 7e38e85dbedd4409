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
    public async Task ARegistryElsewhereIsAskedOverTlsNeverInPlainHttp()
    {
        var digest = "sha256:" + new string('e', 64);
        await using var endpoint = await ScriptedEndpoint.StartAsync((context, _, _) =>
        {
            context.Response.Headers["Docker-Content-Digest"] = digest;
            return Task.CompletedTask;
        });
        var port = new Uri(endpoint.Url).Port;
        RegistryCredential Credential(string host) => new(host, "AWS", "tok", DateTimeOffset.UtcNow.AddHours(1));

        // On this machine the plain HTTP endpoint answers...
        Assert.Equal(digest, await RegistryClient.GetManifestDigestAsync(Credential($"127.0.0.1:{port}"), "backend-flask", "v1", CancellationToken.None));
        Assert.Equal(digest, await RegistryClient.GetManifestDigestAsync(Credential($"localhost:{port}"), "backend-flask", "v1", CancellationToken.None));

        // ...but 0.0.0.0 (which Linux also routes here) is not a loopback name: TLS is spoken, the plain endpoint cannot answer.
        var e = await Assert.ThrowsAsync<CruddurException>(() => RegistryClient.GetManifestDigestAsync(Credential($"0.0.0.0:{port}"), "backend-flask", "v1", CancellationToken.None));
        Assert.Equal((ErrorIds.ImageRegistryUnreachable, ErrorKind.ConnectionError), (e.ErrorId, e.Kind));
        Assert.Contains($"0.0.0.0:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("-RegistryHost", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, endpoint.Requests.Count); // no HTTP request arrived from the third
    }
}
