using Cruddur.Core.Hosting;
using Cruddur.Core.Images;

namespace Cruddur.Core.Tests.Images;

/// <summary>A failed docker login: a registry that refuses the token is told apart from one that cannot be reached.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the engine stand-in is a shell script
public sealed class RegistryLoginTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cruddur-login-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>An engine whose login reads the password from stdin and fails with <paramref name="message"/>, as the docker CLI does.</summary>
    private ContainerEngine Engine(string message)
    {
        var script = Path.Combine(_dir, "docker");
        File.WriteAllText(script, $"#!/bin/sh\ncat >/dev/null\necho '{message}' >&2\nexit 1\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new ContainerEngine(script);
    }

    private static readonly RegistryCredential Credential = new("123456789012.dkr.ecr.us-east-1.amazonaws.com", "AWS", "token", DateTimeOffset.UtcNow.AddHours(1));

    [Theory]
    [InlineData("Error response from daemon: Get \"https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/\": dial tcp: lookup 123456789012.dkr.ecr.us-east-1.amazonaws.com on 127.0.0.53:53: no such host")]
    [InlineData("Error response from daemon: Get \"https://127.0.0.1:5999/v2/\": dial tcp 127.0.0.1:5999: connect: connection refused")]
    [InlineData("Error: authenticating creds for 127.0.0.1:5999: pinging container registry 127.0.0.1:5999: Connection Refused")] // in any case
    public async Task A_registry_that_cannot_be_reached_is_ImageRegistryUnreachable_not_a_refused_login(string message)
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => Engine(message).LoginAsync(Credential, CancellationToken.None));

        Assert.Equal(ErrorIds.ImageRegistryUnreachable, e.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, e.Kind);
        Assert.DoesNotContain("refused the login", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("token\n", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_that_refuses_the_token_is_ImageRegistryLoginFailed()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => Engine("Error response from daemon: login attempt to https://x/v2/ failed with status: 401 Unauthorized").LoginAsync(Credential, CancellationToken.None));

        Assert.Equal(ErrorIds.ImageRegistryLoginFailed, e.ErrorId);
        Assert.Contains("refused the login", e.Message, StringComparison.Ordinal);
    }
}
