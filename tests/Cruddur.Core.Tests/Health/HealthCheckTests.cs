using Cruddur.Core.Health;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Health;

/// <summary>When a health check tries again, and what makes it healthy or not, against a scripted service.</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task FailedAttemptsAreRetriedUntilTheServiceAnswersSuccess()
    {
        await using var service = await ScriptedEndpoint.StartAsync((context, _, count) =>
            count < 3 ? ScriptedEndpoint.Write(context, 503, "starting") : ScriptedEndpoint.Write(context, 200, """{"success": true}""", "application/json"));
        var host = new RecordingHost();

        var result = await HealthCheck.CheckAsync(Request(service, retries: 5), host, CancellationToken.None);

        Assert.True(result.Healthy);
        Assert.Equal((200, 3, (string?)null), (result.StatusCode, result.Attempts, result.Error));
        Assert.Equal(["VERBOSE: Attempt 1: HTTP 503 instead of 200; trying again in 0.01 s.", "VERBOSE: Attempt 2: HTTP 503 instead of 200; trying again in 0.01 s."], host.Messages);
        Assert.True(host.Progress.Last().Completed);
    }

    [Theory]
    [InlineData(200, """{"success": false}""", "the answer is not {\"success\": true}")]
    [InlineData(200, """{"success": "true"}""", "the answer is not {\"success\": true}")]
    [InlineData(200, "OK", "the answer is not {\"success\": true}")]
    [InlineData(204, "", "HTTP 204 instead of 200")]
    [InlineData(500, """{"success": true}""", "HTTP 500 instead of 200")]
    public async Task OnlyA200WithSuccessTrueIsHealthyAndTheRetriesAreBounded(int status, string body, string error)
    {
        await using var service = await ScriptedEndpoint.StartAsync(status, body, "application/json");

        var result = await HealthCheck.CheckAsync(Request(service, retries: 2), new RecordingHost(), CancellationToken.None);

        Assert.False(result.Healthy);
        Assert.Equal((status, 3, error), (result.StatusCode, result.Attempts, result.Error));
        Assert.Equal(3, service.Requests.Count);
    }

    [Fact]
    public async Task WithoutRetriesOneAttemptDecides()
    {
        await using var service = await ScriptedEndpoint.StartAsync(503, "no");

        var result = await HealthCheck.CheckAsync(Request(service, retries: 0), new RecordingHost(), CancellationToken.None);

        Assert.Equal((false, 1), (result.Healthy, result.Attempts));
        Assert.Single(service.Requests);
    }

    [Fact]
    public async Task ASlowAnswerIsAFailedAttemptNamedByTheTimeout()
    {
        await using var service = await ScriptedEndpoint.StartAsync(async (context, _, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { });
            await ScriptedEndpoint.Write(context, 200, """{"success": true}""");
        });

        var result = await HealthCheck.CheckAsync(new HealthCheckRequest(new Uri(service.Url + "/api/health-check"), TimeSpan.FromMilliseconds(200), 1, TimeSpan.Zero), new RecordingHost(), CancellationToken.None);

        Assert.Equal((false, 2, (int?)null, "no answer within 0.2 s"), (result.Healthy, result.Attempts, result.StatusCode, result.Error));
    }

    [Fact]
    public async Task NothingListeningIsACouldNotConnectAndTheResultNeverShowsTheUrlsPassword()
    {
        string url;
        await using (var gone = await ScriptedEndpoint.StartAsync(200, "{}"))
        {
            url = gone.Url;
        }

        var withPassword = new UriBuilder(url + "/api/health-check") { UserName = "admin", Password = "Hunter2Secret" }.Uri;
        var result = await HealthCheck.CheckAsync(new HealthCheckRequest(withPassword, TimeSpan.FromSeconds(5), 0, TimeSpan.Zero), new RecordingHost(), CancellationToken.None);

        Assert.False(result.Healthy);
        Assert.StartsWith("could not connect: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Hunter2Secret", result.Url, StringComparison.Ordinal);
        Assert.EndsWith("/api/health-check", result.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACallerStopEndsTheWaitBetweenAttempts()
    {
        await using var service = await ScriptedEndpoint.StartAsync(503, "no");
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            HealthCheck.CheckAsync(new HealthCheckRequest(new Uri(service.Url + "/"), TimeSpan.FromSeconds(5), 100, TimeSpan.FromMinutes(10)), new RecordingHost(), stop.Token));
    }

    private static HealthCheckRequest Request(ScriptedEndpoint service, int retries) =>
        new(new Uri(service.Url + "/api/health-check"), TimeSpan.FromSeconds(5), retries, TimeSpan.FromMilliseconds(10));
}
