using System.Diagnostics;
using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.Core.Tests.Aws;
using Cruddur.EcsSimulator;
using Microsoft.AspNetCore.Builder;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>
/// Ctrl+C while a release is being started and its ECS calls wait for their quota (the real client and pacer against the
/// ECS simulator): the deploy stops at once and says which services were released and which were not.
/// </summary>
public sealed class EcsDeployerStopTests : IAsyncLifetime
{
    private const int Services = 8;

    private WebApplication _simulator = null!;
    private string _url = null!;

    public async Task InitializeAsync()
    {
        _simulator = SimulatorHost.Build(["--urls", "http://127.0.0.1:0"]);
        await _simulator.StartAsync();
        _url = _simulator.Urls.Single().TrimEnd('/');

        // The cluster and its services s0..s7 at revision 1, made without pacing (a pacer of its own).
        var setUp = Ecs(new RecordingHost(), Pacer(1e6));
        await setUp.CreateClusterAsync("cruddur", null, CancellationToken.None);
        for (var i = 0; i < Services; i++)
        {
            var arn = await setUp.RegisterTaskDefinitionAsync(Definition($"s{i}"), CancellationToken.None);
            await setUp.CreateServiceAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = $"s{i}", ["taskDefinition"] = arn, ["desiredCount"] = 0 }, CancellationToken.None);
        }
    }

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Theory]
    [InlineData("task definition modification")] // the fourth registration waits: three services released
    [InlineData("service modification")] // the first UpdateService waits: one revision registered, no service released
    public async Task CtrlCWhileARegistrationOrUpdateWaitsForItsQuotaStopsAtOnceAndSaysWhatWasReleased(string bucket)
    {
        // Refills in about a day: whoever finds its bucket empty would wait that long.
        var pacer = Pacer(0.0001);
        var burn = Ecs(new RecordingHost(), pacer);
        if (bucket == "task definition modification")
        {
            for (var n = 0; n < 17; n++)
            {
                await burn.RegisterTaskDefinitionAsync(Definition("burn"), CancellationToken.None); // 17 of the 20 tokens
            }
        }
        else
        {
            for (var n = 0; n < 50; n++)
            {
                await burn.UpdateServiceAsync("cruddur", "s7", "s7:1", null, CancellationToken.None); // all 50
            }
        }

        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var stoppedAt = TimeSpan.Zero;
        var host = new StopWhenWaiting(bucket, () =>
        {
            stoppedAt = clock.Elapsed;
            stop.Cancel();
        });
        var targets = Enumerable.Range(0, Services).Select(i => new DeployTarget("cruddur", $"s{i}") { Image = $"img:{i + 1}" }).ToList();

        var e = await Assert.ThrowsAsync<OperationStoppedException>(() =>
            new EcsDeployer(Ecs(host, pacer), host, (_, _) => Task.FromResult<string?>(null)).DeployAsync(targets, new DeployOptions(), stop.Token));
        var returned = clock.Elapsed;

        Assert.True(stoppedAt > TimeSpan.Zero, "the deploy never waited for its quota");
        Assert.True(returned - stoppedAt < TimeSpan.FromSeconds(3), $"the deploy returned {returned - stoppedAt} after Ctrl+C");
        var others = string.Join(", ", Enumerable.Range(3, Services - 3).Select(i => $"cruddur/s{i}"));
        if (bucket == "task definition modification")
        {
            Assert.Equal(string.Join(Environment.NewLine,
                "Stopped while starting the release. Released (the service was updated; ECS rolls it out, no longer watched): cruddur/s0 (s0:2), cruddur/s1 (s1:2), cruddur/s2 (s2:2). Follow them with Get-CruddurService.",
                $"Not released: {others}.",
                "Deploy the services not released again to release them."), e.Message);
            Assert.Equal(["s0:2", "s1:2", "s2:2", "s3:1", "s4:1"], await RunningAsync(0, 1, 2, 3, 4));
        }
        else
        {
            Assert.Equal(string.Join(Environment.NewLine,
                "Stopped before any service was released: no service was changed.",
                "Registered but not released (the service still runs its old revision): cruddur/s0 (s0:2).",
                "Not released: cruddur/s1, cruddur/s2, " + others + ".",
                "Deploy the services not released again to release them."), e.Message);
            Assert.Equal(["s0:1", "s1:1"], await RunningAsync(0, 1));
        }

        Assert.True(host.Recorded.Progress.Last().Completed); // the release bar is removed
    }

    private async Task<List<string>> RunningAsync(params int[] services)
    {
        var described = await Ecs(new RecordingHost(), Pacer(1e6)).DescribeServicesAsync("cruddur", services.Select(i => $"s{i}").ToList(), CancellationToken.None);
        return described.Select(s => AwsArn.TaskDefinitionName(s.TaskDefinition!)).ToList();
    }

    private EcsClient Ecs(IOperationHost host, ApiPacer pacer) =>
        new(AwsTestContext.For(_url, AwsTestContext.FastRetries with { Pacer = pacer }), host);

    private static ApiPacer Pacer(double scale) =>
        new(TimeProvider.System, () => scale.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static JsonObject Definition(string family) =>
        new() { ["family"] = family, ["containerDefinitions"] = new JsonArray(new JsonObject { ["name"] = family, ["image"] = "img:0" }) };

    /// <summary>A recording host that presses Ctrl+C a little after a call starts waiting for <paramref name="bucket"/>'s quota.</summary>
    private sealed class StopWhenWaiting(string bucket, Action stop) : IOperationHost
    {
        private int _stopped;

        public RecordingHost Recorded { get; } = new();

        public void WriteVerbose(string message)
        {
            Recorded.WriteVerbose(message);
            if (message.Contains($"for ECS's {bucket} quota", StringComparison.Ordinal) && Interlocked.Exchange(ref _stopped, 1) == 0)
            {
                _ = Task.Delay(200).ContinueWith(_ => stop(), TaskScheduler.Default);
            }
        }

        public void WriteWarning(string message) => Recorded.WriteWarning(message);

        public void WriteInformation(string message, string tag) => Recorded.WriteInformation(message, tag);

        public void WriteProgress(ProgressUpdate update) => Recorded.WriteProgress(update);

        public bool ShouldProcess(string target, string action) => Recorded.ShouldProcess(target, action);

        public int ChooseAfterStop(string caption, string message, IReadOnlyList<StopChoice> choices, int defaultChoice) =>
            Recorded.ChooseAfterStop(caption, message, choices, defaultChoice);
    }
}
