using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.EcsSimulator;
using Microsoft.AspNetCore.Builder;

namespace Cruddur.Core.Tests.Aws;

/// <summary>Pacing to ECS's API quotas: the buckets, the setting, and the retry policy against a simulator that enforces them.</summary>
public sealed class ApiPacerTests : IAsyncLifetime
{
    // The simulator's clock runs 100 times faster than real time, so its buckets refill 100 times faster; the module's
    // pacer is told the same with the scale, as the test stack does.
    private const double TimeScale = 0.01;

    private WebApplication _simulator = null!;
    private string _url = null!;

    public async Task InitializeAsync()
    {
        _simulator = SimulatorHost.Build(["--urls", "http://127.0.0.1:0", "--time-scale", "0.01", "--ecs-quotas", "true"]);
        await _simulator.StartAsync();
        _url = _simulator.Urls.Single().TrimEnd('/');
    }

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    private EcsClient Ecs(RecordingHost host, ApiPacer pacer, AwsRetryPolicy? policy = null) =>
        new(AwsTestContext.For(_url, (policy ?? AwsTestContext.FastRetries) with { Pacer = pacer }), host);

    private static ApiPacer Pacer(double scale, TimeProvider? time = null) =>
        new(time ?? TimeProvider.System, () => scale.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private async Task<(int Calls, int Throttled)> CountsAsync(string operation)
    {
        using var http = new HttpClient();
        var calls = await http.GetFromJsonAsync<JsonObject>(_url + "/_sim/calls");
        var quotas = await http.GetFromJsonAsync<JsonObject>(_url + "/_sim/quotas");
        return ((int?)calls![operation] ?? 0, ((JsonObject)quotas!["throttled"]!).Sum(b => (int)b.Value!));
    }

    private static JsonObject Definition(int n) =>
        new() { ["family"] = $"f{n}", ["containerDefinitions"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "i" }) };

    [Fact]
    public void ABucketGivesItsBurstThenOneTokenPerRefillInterval()
    {
        var clock = new ManualClock();
        var bucket = new TokenBucket(burst: 2, ratePerSecond: 4, clock);

        Assert.Equal(TimeSpan.Zero, bucket.Take());
        Assert.Equal(TimeSpan.Zero, bucket.Take());
        Assert.Equal(TimeSpan.FromMilliseconds(250), bucket.Take());
        Assert.Equal(TimeSpan.FromMilliseconds(500), bucket.Take()); // the second in line waits for the second refill

        clock.Advance(TimeSpan.FromSeconds(10)); // refilled, but never above the burst
        Assert.Equal(TimeSpan.Zero, bucket.Take());
        Assert.Equal(TimeSpan.Zero, bucket.Take());
        Assert.Equal(TimeSpan.FromMilliseconds(250), bucket.Take());
        bucket.Return();
        Assert.Equal(TimeSpan.FromMilliseconds(250), bucket.Take());
    }

    [Fact]
    public void AThrottledAnswerEmptiesTheBucket()
    {
        var clock = new ManualClock();
        var bucket = new TokenBucket(burst: 100, ratePerSecond: 20, clock);

        bucket.Drain();

        Assert.Equal(TimeSpan.FromMilliseconds(50), bucket.Take());
    }

    [Theory]
    [InlineData(null, 1.0)]
    [InlineData("", 1.0)]
    [InlineData("2", 2.0)]
    [InlineData("0.5", 0.5)]
    public void TheScaleSettingIsAPositiveNumber(string? raw, double scale) => Assert.Equal(scale, EcsQuotas.Scale(raw));

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("fast")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("2,5")]
    public void AnyOtherScaleIsRefusedWithItsId(string raw)
    {
        var e = Assert.Throws<CruddurException>(() => EcsQuotas.Scale(raw));

        Assert.Equal(ErrorIds.AwsQuotaScaleInvalid, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(EcsQuotas.ScaleVariable, e.Message);
        Assert.Contains("positive number", e.Message);
    }

    [Fact]
    public async Task PacedRegistrationsPastTheBurstAreNeverThrottled()
    {
        var host = new RecordingHost();
        // The pacer's clock stands still, so its bucket never refills by itself: after the burst every call waits for one
        // more refill interval than the one before (10 ms, 20 ms, ...), whatever the machine's speed.
        var ecs = Ecs(host, Pacer(1 / TimeScale, new ManualClock()));

        // 20 is the task definition bucket's burst; the 10 after it wait for the refill (1 per ECS second).
        foreach (var n in Enumerable.Range(0, 30))
        {
            await ecs.RegisterTaskDefinitionAsync(Definition(n), CancellationToken.None);
        }

        Assert.Equal((30, 0), await CountsAsync("RegisterTaskDefinition"));
        Assert.Equal(10, host.Messages.Count(m => m.Contains("task definition modification quota", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task UnpacedRegistrationsPastTheBurstAreThrottled()
    {
        // The control for the test above: a simulator on real time (1 registration a second after the burst of 20) and a
        // pacer that believes the account's rates are a million times higher, i.e. no pacing, and no retries.
        await using var realTime = SimulatorHost.Build(["--urls", "http://127.0.0.1:0", "--time-scale", "1", "--ecs-quotas", "true"]);
        await realTime.StartAsync();
        var ecs = new EcsClient(AwsTestContext.For(realTime.Urls.Single(), AwsTestContext.FastRetries with { MaxAttempts = 1, Pacer = Pacer(1e6) }), new RecordingHost());

        var e = await Assert.ThrowsAsync<AwsServiceException>(async () =>
        {
            foreach (var n in Enumerable.Range(0, 30))
            {
                await ecs.RegisterTaskDefinitionAsync(Definition(n), CancellationToken.None);
            }
        });

        Assert.Equal((ErrorIds.AwsThrottled, AwsCondition.Throttled), (e.ErrorId, e.Condition));
    }

    [Fact]
    public async Task WaitingForTheQuotaDoesNotCountAgainstTheCallsTimeLimit()
    {
        // The task definition read bucket refilled at 20/s × 1/60, a token every 3 s, its burst of 50 spent: the next
        // call waits ~3 s, three times its own time limit, and still succeeds.
        var pacer = Pacer(1.0 / 60);
        var burn = Ecs(new RecordingHost(), pacer);
        for (var n = 0; n < 50; n++)
        {
            await burn.ListActiveRevisionsAsync("f", CancellationToken.None);
        }

        var watch = Stopwatch.StartNew();
        await Ecs(new RecordingHost(), pacer, AwsTestContext.FastRetries with { TotalTimeout = TimeSpan.FromSeconds(1) }).ListActiveRevisionsAsync("f", CancellationToken.None);

        Assert.True(watch.Elapsed > TimeSpan.FromSeconds(1.5), $"the call did not wait for its token ({watch.Elapsed})");
    }

    [Fact]
    public async Task CtrlCWhileWaitingForTheQuotaStopsAtOnce()
    {
        var ecs = Ecs(new RecordingHost(), Pacer(0.0001)); // 20 calls refill in half a day
        for (var n = 0; n < 20; n++)
        {
            await ecs.RegisterTaskDefinitionAsync(Definition(n), CancellationToken.None);
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ecs.RegisterTaskDefinitionAsync(Definition(99), stop.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"the wait did not stop within a second ({watch.Elapsed})");
        Assert.Equal((20, 0), await CountsAsync("RegisterTaskDefinition"));
    }

    [Fact]
    public async Task AThrottledAnswerMakesTheNextCallsWaitTheirTurn()
    {
        var host = new RecordingHost();
        var ecs = Ecs(host, Pacer(1)); // 50 ms a token: longer than the retry's backoff
        using (var http = new HttpClient())
        {
            (await http.PostAsJsonAsync(_url + "/_sim/faults", new { operation = "DescribeClusters", kind = "Throttling", count = 1 })).EnsureSuccessStatusCode();
        }

        await ecs.DescribeClusterAsync("cruddur", CancellationToken.None);

        // Someone else in the account spent the bucket: the retry waits for a token instead of only backing off.
        Assert.Contains(host.Messages, m => m.Contains("cluster read quota", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACommandCountsTheRequestsItSentRetriesIncluded()
    {
        var aws = AwsTestContext.For(_url);
        var ecs = new EcsClient(aws, new RecordingHost());
        using (var http = new HttpClient())
        {
            (await http.PostAsJsonAsync(_url + "/_sim/faults", new { operation = "ListClusters", kind = "Throttling", count = 1 })).EnsureSuccessStatusCode();
        }

        await ecs.ListClusterNamesAsync(CancellationToken.None);
        await ecs.DescribeClusterAsync("cruddur", CancellationToken.None);

        Assert.Equal("AWS requests: 3 (ECS ListClusters 2, ECS DescribeClusters 1)", aws.Calls.TakeSummary());
        Assert.Null(aws.Calls.TakeSummary()); // each summary counts what was sent since the last one
    }

    [Fact]
    public async Task OnlyEcsIsPaced()
    {
        var pacer = Pacer(0.0001);
        var call = new AwsCall("SSM", "GetParameter", true, new Uri("http://127.0.0.1:1/"));
        for (var n = 0; n < 200; n++)
        {
            Assert.Equal(TimeSpan.Zero, await pacer.WaitAsync(call, new RecordingHost(), CancellationToken.None));
        }
    }
}
