using System.Text;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.Core.Images;

namespace Cruddur.Core.Tests.Images;

/// <summary>The login cache is process-wide, and a test of it sets DOCKER_HOST and the like for the whole process.</summary>
[Collection(ProcessEnvironment.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the engine stand-in is a shell script
public sealed class EcrLoginTests : IDisposable
{
    private const string Password = "tok-" + "5f1d2c";
    private readonly string _dir = Directory.CreateTempSubdirectory("cruddur-ecrlogin-").FullName;

    public EcrLoginTests() => EcrLogin.Clear();

    public void Dispose()
    {
        EcrLogin.Clear();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task CachesAFreshTokenAndLoginUntilShortlyBeforeItExpires()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var ecr = new FakeEcr(now.AddHours(12));
        var login = new EcrLogin(ecr, () => now);
        var engine = FakeEngine();

        for (var i = 0; i < 3; i++)
        {
            var credential = await login.GetCredentialAsync("k", null, CancellationToken.None);
            await login.EnsureLoggedInAsync("k", credential, engine, CancellationToken.None);
            Assert.Equal("123456789012.dkr.ecr.us-east-1.amazonaws.com", credential.Host);
        }

        Assert.Equal(1, ecr.Calls);
        Assert.Single(File.ReadAllLines(Path.Combine(_dir, "argv")));

        now = now.AddHours(12) - EcrLogin.Margin; // inside the margin: ask again
        var renewed = await login.GetCredentialAsync("k", null, CancellationToken.None);
        await login.EnsureLoggedInAsync("k", renewed, engine, CancellationToken.None);
        Assert.Equal(2, ecr.Calls);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(_dir, "argv")).Length);
    }

    [Fact]
    public async Task AnExpiredTokenIsUsedButNeverCachedAndThePasswordGoesOnStandardInputOnly()
    {
        var ecr = new FakeEcr(new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.Zero)); // as moto answers
        var login = new EcrLogin(ecr);
        var engine = FakeEngine();

        for (var i = 0; i < 2; i++)
        {
            var credential = await login.GetCredentialAsync("k", "127.0.0.1:5000", CancellationToken.None);
            await login.EnsureLoggedInAsync("k", credential, engine, CancellationToken.None);
            Assert.DoesNotContain(Password, credential.ToString());
            Assert.StartsWith("AWS@127.0.0.1:5000 (expires 2015-01-01", credential.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(2, ecr.Calls);
        var argv = File.ReadAllLines(Path.Combine(_dir, "argv"));
        Assert.Equal(["login --username AWS --password-stdin -- 127.0.0.1:5000", "login --username AWS --password-stdin -- 127.0.0.1:5000"], argv);
        Assert.Equal($"{Password}\n{Password}\n", File.ReadAllText(Path.Combine(_dir, "stdin")));
    }

    [Theory]
    [InlineData(null, true)] // no token at all
    [InlineData("not base64!", true)]
    [InlineData("QVdT", true)] // "AWS": no password
    [InlineData("OnRvay01ZjFkMmM=", true)] // ":tok-5f1d2c": no user
    [InlineData("QVdTOnRvay01ZjFkMmM=", false)] // a good token, but no registry to use it with
    public async Task AnUnusableAuthorizationIsImageRegistryAuthorizationInvalidNamingTheEndpointToCheck(string? token, bool withEndpoint)
    {
        var ecr = new FakeEcr(DateTimeOffset.UtcNow.AddHours(12)) { Token = token, Endpoint = withEndpoint ? "https://123456789012.dkr.ecr.us-east-1.amazonaws.com" : null };

        var e = await Assert.ThrowsAsync<CruddurException>(() => new EcrLogin(ecr).GetCredentialAsync("k", null, CancellationToken.None));

        Assert.Equal(ErrorIds.ImageRegistryAuthorizationInvalid, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("Check the ECR endpoint", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, e.Message, StringComparison.Ordinal);
    }

    // A docker stand-in: records its command line and what it read on standard input.
    private ContainerEngine FakeEngine()
    {
        var script = Path.Combine(_dir, "docker-fake");
        File.WriteAllText(script, $"#!/bin/sh\necho \"$*\" >> '{_dir}/argv'\ncat >> '{_dir}/stdin'\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new ContainerEngine(script);
    }

    private sealed class FakeEcr(DateTimeOffset expiresAt) : IEcrClient
    {
        public int Calls { get; private set; }

        public string? Token { get; init; } = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + Password));

        public string? Endpoint { get; init; } = "https://123456789012.dkr.ecr.us-east-1.amazonaws.com";

        public Task<EcrImage> FindImageAsync(string registryId, string repository, string reference, CancellationToken cancellationToken) =>
            throw new NotSupportedException("not used by these tests");

        public Task<EcrAuthorization> GetAuthorizationTokenAsync(CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(new EcrAuthorization(Token, Endpoint, expiresAt));
        }

        public Task<EcrRepository?> FindRepositoryAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<EcrRepository?> CreateRepositoryAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
