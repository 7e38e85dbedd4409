using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;
using Cruddur.Core.Aws.Clients;
using Cruddur.EcsSimulator;
using Microsoft.AspNetCore.Builder;

namespace Cruddur.Core.Tests.Exec;

/// <summary>
/// The native Session Manager client against the simulator's agent side, which runs each command for real in a pty: real
/// output, real exit codes, real Ctrl+C; faults are injected in the simulator's channel.
/// </summary>
public sealed partial class NativeExecTests : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private WebApplication _simulator = null!;
    private string _url = null!;
    private ExecTarget _target = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
        _simulator = SimulatorHost.Build(["--urls", "http://127.0.0.1:0", "--time-scale", "0.02"]);
        await _simulator.StartAsync();
        _url = _simulator.Urls.Single().TrimEnd('/');

        await EcsAsync("CreateCluster", new JsonObject { ["clusterName"] = "cruddur" });
        await EcsAsync("RegisterTaskDefinition", new JsonObject
        {
            ["family"] = "backend-flask",
            ["networkMode"] = "awsvpc",
            ["requiresCompatibilities"] = new JsonArray("FARGATE"),
            ["cpu"] = "256",
            ["memory"] = "512",
            ["containerDefinitions"] = new JsonArray(new JsonObject { ["name"] = "backend-flask", ["image"] = "backend-flask", ["essential"] = true }),
        });
        await EcsAsync("CreateService", new JsonObject
        {
            ["cluster"] = "cruddur", ["serviceName"] = "backend-flask", ["taskDefinition"] = "backend-flask", ["desiredCount"] = 1,
            ["launchType"] = "FARGATE", ["enableExecuteCommand"] = true,
        });
        var host = new RecordingHost();
        var exec = new EcsExec(new EcsClient(Context, host), new IamClient(Context, host), host);
        // A bound on the fixture's start only: on a machine busy with both test projects at once the task has taken longer
        // than 20 s to show its agent RUNNING. The last answer is named if it never does.
        var deadline = Stopwatch.StartNew();
        var last = "no answer yet";
        while (true)
        {
            try
            {
                _target = await exec.ResolveAsync(new ExecRequest("cruddur", "backend-flask", null, null), CancellationToken.None);
                var agent = _target.Task.Containers[0].ManagedAgents.FirstOrDefault()?.LastStatus;
                if (agent == "RUNNING")
                {
                    break;
                }

                last = $"task {_target.Task.LastStatus}, agent {agent ?? "none"}";
            }
            catch (CruddurException e) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                last = e.Message;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"the simulated task did not start within 60 s; last: {last}");
            await Task.Delay(20);
        }
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _simulator.DisposeAsync();
    }

    private AwsContext Context => new(new AwsSettings("us-east-1", EndpointUrl: _url));

    private TaskConnector Connector(RecordingHost host, DataChannelOptions? options = null) =>
        new(Context, host) { ChannelOptions = options ?? new DataChannelOptions { ConnectTimeout = TimeSpan.FromSeconds(5), HandshakeTimeout = TimeSpan.FromSeconds(10) } };

    private async Task<JsonObject> EcsAsync(string operation, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url + "/") { Content = new StringContent(body.ToJsonString()) };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerServiceV20141113." + operation);
        using var response = await _http.SendAsync(request);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.True(response.IsSuccessStatusCode, json.ToJsonString());
        return json;
    }

    private async Task FaultsAsync(object faults) => (await _http.PostAsJsonAsync(_url + "/_sim/channel-faults", faults)).EnsureSuccessStatusCode();

    private async Task<JsonArray> ChannelsAsync() => JsonNode.Parse(await _http.GetStringAsync(_url + "/_sim/channels"))!.AsArray();

    private async Task<(ExecResult Result, List<string> Live, RecordingHost Host)> RunAsync(string command, CancellationToken cancellationToken = default)
    {
        var host = new RecordingHost();
        var live = new List<string>();
        var result = await Connector(host).RunCommandAsync(_target, command, live.Add, cancellationToken);
        return (result, live, host);
    }

    [Fact]
    public async Task TheOutputAndTheExitCodeComeBack()
    {
        var (result, live, host) = await RunAsync("echo hi; exit 3");

        Assert.Equal(["hi"], result.Output);
        Assert.Equal(["hi"], live);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("echo hi; exit 3", result.Command);
        Assert.Equal(_target.TaskId, result.TaskId);
        Assert.Equal("backend-flask", result.Container);
        var channel = (await ChannelsAsync()).Single()!;
        Assert.Equal("closed", (string?)channel["state"]);
        Assert.Equal(0, (int?)channel["exitCode"]); // the wrapper itself ends well; the command's code travels in the output
        Assert.DoesNotContain("CRUDDUR_EXIT", host.AllText, StringComparison.Ordinal);
        var hub = (DataChannelHub)_simulator.Services.GetService(typeof(DataChannelHub))!;
        Assert.True(hub.TryGet((string)channel["sessionId"]!, out var token, out _));
        Assert.DoesNotContain(token, host.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(token, string.Join("\n", result.Output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandardOutputAndStandardErrorBothArrive()
    {
        var (result, _, _) = await RunAsync("echo to-out; echo to-err >&2; ls /nonexistent-path");

        Assert.Equal("to-out", result.Output[0]);
        Assert.Equal("to-err", result.Output[1]);
        Assert.Contains("nonexistent-path", result.Output[2], StringComparison.Ordinal);
        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task AMebibyteOfOutputArrivesCompleteAndInOrder()
    {
        var (result, _, _) = await RunAsync("seq 1 160000");

        Assert.Equal(Enumerable.Range(1, 160000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), result.Output);
        Assert.True((long?)(await ChannelsAsync())[0]!["outputBytes"] > 1 << 20);
    }

    [Fact]
    public async Task LostDuplicatedAndReorderedMessagesStillGiveExactlyTheOutput()
    {
        await FaultsAsync(new { dropEvery = 7, duplicateEvery = 5, reorderEvery = 3 });

        var (result, _, _) = await RunAsync("seq 1 20000; exit 5");

        Assert.Equal(Enumerable.Range(1, 20000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), result.Output);
        Assert.Equal(5, result.ExitCode);
        Assert.True((int?)(await ChannelsAsync())[0]!["resent"] > 0, "dropped messages must have been resent");
    }

    [Fact]
    public async Task InputWaitsWhileTheAgentPausesPublication()
    {
        await FaultsAsync(new { pauseInputMs = 700 });
        var host = new RecordingHost();
        var session = await new EcsExec(new EcsClient(Context, host), new IamClient(Context, host), host).StartSessionAsync(_target, "read line; echo got:$line", CancellationToken.None);
        var output = new System.Text.StringBuilder();
        await using var channel = Connector(host).NewChannel(session, bytes =>
        {
            lock (output)
            {
                output.Append(System.Text.Encoding.UTF8.GetString(bytes.Span));
            }

            return Task.CompletedTask;
        });
        await channel.OpenAsync(session.Token, CancellationToken.None);

        await channel.SendInputAsync("hello\r"u8.ToArray(), CancellationToken.None); // paused: held until start_publication

        var end = await channel.Ended.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(end.Closed);
        Assert.Contains("got:hello", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, (int?)(await ChannelsAsync())[0]!["inputWhilePaused"]);
    }

    [Fact]
    public async Task CtrlCStopsTheRemoteCommand()
    {
        using var stop = new CancellationTokenSource();
        var live = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var running = Connector(new RecordingHost()).RunCommandAsync(_target, "echo started; sleep 30; echo never", live.Enqueue, stop.Token);
        // Its first line, not the session's start: a Ctrl+C that reaches the terminal before the shell runs in it interrupts nothing.
        Assert.True(await Eventually.TrueAsync(() => live.Contains("started")), "the command did not start");
        var watch = Stopwatch.StartNew();

        stop.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
        Assert.True(await Eventually.TrueAsync(async () => (int?)(await ChannelsAsync())[0]!["exitCode"] is not null), "the remote command kept running");
        Assert.Equal(130, (int?)(await ChannelsAsync())[0]!["exitCode"]); // 128 + SIGINT: the pty delivered the Ctrl+C
    }

    [Fact]
    public async Task ACommandThatIgnoresCtrlCIsTerminatedWhenStopped()
    {
        using var stop = new CancellationTokenSource();
        var live = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var running = Connector(new RecordingHost()).RunCommandAsync(_target, "trap '' INT; echo started; sleep 30; echo never", live.Enqueue, stop.Token);
        Assert.True(await Eventually.TrueAsync(() => live.Contains("started")), "the command did not start");

        stop.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        // Ctrl+C first; when the command is still running after a moment, the session is terminated.
        var channel = (await ChannelsAsync())[0]!;
        Assert.True((bool?)channel["terminateRequested"], "the session was not terminated");
        Assert.DoesNotContain("never", live);
    }

    [Fact]
    public async Task TheServerClosingMidSessionIsAClearError()
    {
        await FaultsAsync(new { closeAfterBytes = 8192 });

        var e = await Assert.ThrowsAsync<CruddurException>(() => RunAsync("seq 1 100000"));

        Assert.Equal("ExecChannelLost", e.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, e.Kind);
        Assert.Contains("outcome is unknown", e.Message, StringComparison.Ordinal);
        Assert.Contains("Get-CruddurService", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedTokenIsAClearError()
    {
        await FaultsAsync(new { refuseToken = true });
        var e = await Assert.ThrowsAsync<CruddurException>(() => RunAsync("echo hi"));
        Assert.Equal("ExecChannelRefused", e.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, e.Kind);
        Assert.Contains("token", e.Message, StringComparison.Ordinal);
        Assert.Contains("connect again", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnsupportedSessionTypeIsAClearError()
    {
        await FaultsAsync(new { sessionType = "Port" });
        var e = await Assert.ThrowsAsync<CruddurException>(() => RunAsync("echo hi"));
        Assert.Equal("ExecSessionTypeUnsupported", e.ErrorId);
        Assert.Contains("'Port'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADamagedMessageIsAClearError()
    {
        await FaultsAsync(new { corruptAt = 2 });
        var e = await Assert.ThrowsAsync<CruddurException>(() => RunAsync("seq 1 5000"));
        Assert.Equal("ExecMessageCorrupt", e.ErrorId);
    }

    [Fact]
    public async Task AnUnreachableChannelFailsWithinTheConnectTimeout()
    {
        // A listener that accepts the connection and never answers: without a bound, a client waits forever.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = new Uri($"ws://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/v1/data-channel/s");
        await using var channel = new DataChannel(url, "s", "ecs:c_t_r", _ => Task.CompletedTask, new RecordingHost(), new DataChannelOptions { ConnectTimeout = TimeSpan.FromSeconds(1) });
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<CruddurException>(() => channel.OpenAsync("token", CancellationToken.None));

        Assert.Equal("ExecChannelUnreachable", e.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, e.Kind);
        Assert.Contains($"ws://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port} could not be opened within 1 s", e.Message, StringComparison.Ordinal);
        Assert.Contains("port 443", e.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task TheCheckNamesTheServiceAndTaskOnEveryRowAndTheFailuresInOneError()
    {
        var host = new RecordingHost();

        var plan = await Connector(host).PrepareAsync(new ExecRequest("cruddur", "backend-flask", null, null), usePlugin: false, CancellationToken.None);

        Assert.Equal(_target.TaskArn, plan.Target.TaskArn);
        Assert.Equal(["Finding the task", $"Checking ECS Exec prerequisites of task {_target.TaskId}", "Done"], host.Progress.Select(p => p.Status));
        Assert.Equal([false, false, true], host.Progress.Select(p => p.Completed));
        Assert.Equal(9, plan.Checks.Count);
        Assert.All(plan.Checks, c => Assert.Equal(("backend-flask", _target.TaskId), (c.Service, c.TaskId)));
        Assert.Equal(ExecCheckStatus.Info, plan.Checks.Single(c => c.Check == ExecPreflight.PluginCheck).Status);
        Assert.Equal(ExecCheckStatus.Pass, plan.Checks.Single(c => c.Check == ExecPreflight.AgentCheck).Status);
        // The simulated task definition has no task role: that is the one failure, and the error names its fix.
        var failure = TaskConnector.PreflightFailure(plan)!;
        Assert.Equal(ErrorIds.ExecPreflightFailed, failure.ErrorId);
        Assert.Contains("[TaskRole]", failure.Message, StringComparison.Ordinal);
        Assert.Contains("\"taskRoleArn\"", failure.Message, StringComparison.Ordinal);

        var withPlugin = await Connector(host).PrepareAsync(new ExecRequest("cruddur", null, _target.TaskId, null), usePlugin: true, CancellationToken.None);
        Assert.Equal(ExecPreflight.Plugin(withPlugin.Plugin).Status, withPlugin.Checks[0].Status);
        Assert.Equal(SessionManagerPlugin.Find(), withPlugin.Plugin.Path);
        Assert.Equal("backend-flask", withPlugin.Checks[0].Service); // found from the task's group
    }

    [Fact]
    public async Task ACommandThatKillsTheReportingShellEndsWithoutAnExitCode()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => RunAsync("echo before; kill -9 $$"));

        Assert.Equal(ErrorIds.ExecExitCodeMissing, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Assert.Contains("The session ended before 'echo before; kill -9 $$' reported its exit code", e.Message, StringComparison.Ordinal);
        Assert.Equal(_target.TaskArn, e.Target);
    }

    [Fact]
    public async Task OutputWithoutAFinalNewlineIsShownEvenWhenNoExitCodeCame()
    {
        var live = new System.Collections.Concurrent.ConcurrentQueue<string>();

        var e = await Assert.ThrowsAsync<CruddurException>(() => Connector(new RecordingHost()).RunCommandAsync(_target, "echo whole; printf partial; kill -INT $$", live.Enqueue, CancellationToken.None));

        Assert.Equal(ErrorIds.ExecExitCodeMissing, e.ErrorId);
        // As the message says, its output so far was shown: the last line too, though no newline ended it (SIGINT: the
        // shell above reports no "Killed" line for it).
        Assert.Equal(["whole", "partial"], live);
    }

    [Fact]
    public async Task AShellWithoutATerminalIsRefusedBeforeAnySessionOpens()
    {
        // The test host's standard streams are pipes, as in a script or CI job.
        Assert.True(Console.IsInputRedirected || Console.IsOutputRedirected);

        var e = await Assert.ThrowsAsync<CruddurException>(() => Connector(new RecordingHost()).RunShellAsync(_target, CancellationToken.None));

        Assert.Equal(ErrorIds.ExecNoTerminal, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Assert.Contains("run one command instead", e.Message, StringComparison.Ordinal);
        Assert.Empty(await ChannelsAsync());
    }
}
