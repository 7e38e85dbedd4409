using Cruddur.Core.Health;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Health;

public sealed class HealthCheckUrlTests
{
    [Theory]
    [InlineData("http://localhost:4567", "/api/health-check", "http://localhost:4567/api/health-check")]
    [InlineData("http://localhost:4567/", "api/health-check", "http://localhost:4567/api/health-check")]
    [InlineData("https://api.example.com/ignored?q=1", "/healthz", "https://api.example.com/healthz")]
    public void PathReplacesTheBaseUrlsPath(string baseUrl, string path, string expected) =>
        Assert.Equal(expected, HealthCheck.BuildUrl(baseUrl, path).ToString());

    [Theory]
    [InlineData("localhost:4567")]
    [InlineData("ftp://localhost/")]
    [InlineData("/api/health-check")]
    public void NonHttpUrlsAreRejected(string url) =>
        Assert.Equal("HealthUrlInvalid", Assert.Throws<CruddurException>(() => HealthCheck.BuildUrl(url, "/api/health-check")).ErrorId);
}

public sealed class HealthCheckCredentialTests
{
    [Fact]
    public void UserAndPasswordOfTheUrlAreDroppedBeforeAnythingShowsIt()
    {
        var url = HealthCheck.BuildUrl("http://admin:Hunter2Secret@localhost:4567", "/api/health-check");

        Assert.Equal("http://localhost:4567/api/health-check", url.ToString());
        Assert.DoesNotContain("Hunter2Secret", url.AbsoluteUri, StringComparison.Ordinal);
    }
}
