using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.EcsSimulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cruddur.Core.Tests.Aws;

/// <summary>The one retry policy, against real endpoints: the ECS simulator (fault injection) and scripted endpoints.</summary>
public sealed class AwsRetryPolicyTests : IAsyncLifetime
{
    private WebApplication _simulator = null!;
    private string _url = null!;

    public async Task InitializeAsync()
    {
        _simulator = SimulatorHost.Build(["--urls", "http://127.0.0.1:0", "--time-scale", "0.02"]);
        await _simulator.StartAsync();
        _url = _simulator.Urls.Single().TrimEnd('/');
    }

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    private EcsClient Ecs(RecordingHost host, AwsRetryPolicy? policy = null) => new(AwsTestContext.For(_url, policy), host);

    private async Task InjectAsync(string operation, string kind, int count)
    {
        using var http = new HttpClient();
        (await http.PostAsJsonAsync(_url + "/_sim/faults", new { operation, kind, count })).EnsureSuccessStatusCode();
    }

    private async Task<int> CallsAsync(string operation)
    {
        using var http = new HttpClient();
        var calls = await http.GetFromJsonAsync<JsonObject>(_url + "/_sim/calls");
        return (int?)calls![operation] ?? 0;
    }

    private static int Retries(RecordingHost host) => host.Messages.Count(m => m.Contains("retrying in", StringComparison.Ordinal));

    [Fact]
    public async Task ThrottlingIsRetriedWithBackoffUntilItPasses()
    {
        var host = new RecordingHost();
        await InjectAsync("ListClusters", "Throttling", 3);

        var names = await Ecs(host).ListClusterNamesAsync(CancellationToken.None);

        Assert.Empty(names);
        Assert.Equal(3, host.Messages.Count(m => m.Contains("ThrottlingException; retrying", StringComparison.Ordinal)));
        Assert.Equal(4, await CallsAsync("ListClusters"));
    }

    [Fact]
    public async Task ThrottlingOfANonIdempotentCallIsRetriedToo()
    {
        await InjectAsync("RegisterTaskDefinition", "Throttling", 2);

        var arn = await Ecs(new RecordingHost()).RegisterTaskDefinitionAsync(
            new JsonObject { ["family"] = "f", ["containerDefinitions"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "i" }) }, CancellationToken.None);

        Assert.EndsWith("task-definition/f:1", arn);
        Assert.Equal(3, await CallsAsync("RegisterTaskDefinition"));
    }

    [Fact]
    public async Task PersistentThrottlingGivesUpAfterMaxAttempts()
    {
        var host = new RecordingHost();
        await InjectAsync("ListClusters", "Throttling", 50);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Ecs(host).ListClusterNamesAsync(CancellationToken.None));

        Assert.True(error.IsThrottling);
        Assert.Equal("AwsThrottled", error.ErrorId);
        Assert.Equal("ThrottlingException", error.ErrorCode);
        Assert.Equal(AwsRetryPolicy.Default.MaxAttempts, await CallsAsync("ListClusters"));
        Assert.Equal(AwsRetryPolicy.Default.MaxAttempts - 1, Retries(host));
    }

    [Fact]
    public async Task AServerErrorIsRetriedForAnIdempotentCall()
    {
        var host = new RecordingHost();
        await Ecs(host).CreateClusterAsync("cruddur", null, CancellationToken.None);
        await InjectAsync("DescribeServices", "ServerError", 2);

        var services = await Ecs(host).DescribeServicesAsync("cruddur", ["backend-flask"], CancellationToken.None);

        Assert.Empty(services);
        Assert.Equal(3, await CallsAsync("DescribeServices"));
        Assert.Equal(2, host.Messages.Count(m => m.Contains("DescribeServices: ServerException; retrying", StringComparison.Ordinal)));
    }

    public static TheoryData<string> NonIdempotent => ["UpdateService", "CreateService", "ExecuteCommand", "RegisterTaskDefinition"];

    [Theory]
    [MemberData(nameof(NonIdempotent))]
    public async Task AServerErrorIsNotRetriedForANonIdempotentCall(string operation)
    {
        var host = new RecordingHost();
        var ecs = Ecs(host);
        await InjectAsync(operation, "ServerError", 1);

        Func<Task> call = operation switch
        {
            "UpdateService" => () => ecs.UpdateServiceAsync("cruddur", "backend-flask", "backend-flask:1", null, CancellationToken.None),
            "CreateService" => () => ecs.CreateServiceAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "s", ["taskDefinition"] = "f:1" }, CancellationToken.None),
            "ExecuteCommand" => () => ecs.ExecuteCommandAsync("cruddur", "t", "c", "sh", CancellationToken.None),
            _ => () => ecs.RegisterTaskDefinitionAsync(new JsonObject { ["family"] = "f" }, CancellationToken.None),
        };
        var error = await Assert.ThrowsAsync<AwsServiceException>(call);

        Assert.Equal(500, error.StatusCode);
        Assert.Equal("AwsServiceError", error.ErrorId);
        Assert.Equal("ServerException", error.ErrorCode);
        Assert.Equal(ErrorKind.ResourceUnavailable, error.Kind);
        Assert.Equal(1, await CallsAsync(operation));
        Assert.Equal(0, Retries(host));
    }

    [Fact]
    public async Task IamCreateRoleIsNotRetriedOnAServerErrorButGetRoleIs()
    {
        const string failure = "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceFailure</Code><Message>boom</Message></Error></ErrorResponse>";
        await using var iam = await ScriptedEndpoint.StartAsync((context, operation, n) => operation == "CreateRole" || n == 1
            ? ScriptedEndpoint.Write(context, 500, failure, "text/xml")
            : ScriptedEndpoint.Write(context, 200, "<GetRoleResponse><GetRoleResult><Role><RoleName>r</RoleName><Arn>arn:aws:iam::1:role/r</Arn><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role></GetRoleResult></GetRoleResponse>", "text/xml"));
        var client = new IamClient(AwsTestContext.For(iam.Url), new RecordingHost());

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.CreateRoleAsync("r", "{}", CancellationToken.None));
        var role = await client.GetRoleTrustAsync("r", CancellationToken.None);

        Assert.Equal("AwsServiceError", error.ErrorId);
        Assert.Equal("ServiceFailure", error.ErrorCode);
        Assert.Equal(1, iam.Count("CreateRole"));
        Assert.Equal(2, iam.Count("GetRole"));
        Assert.Equal("arn:aws:iam::1:role/r", role!.Value.Arn);
    }

    [Fact]
    public async Task AnAttemptThatDoesNotAnswerTimesOutAndIsRetriedOnlyWhenIdempotent()
    {
        await using var silent = await ScriptedEndpoint.StartAsync((context, _, _) => Task.Delay(Timeout.Infinite, context.RequestAborted));
        var policy = AwsTestContext.FastRetries with { AttemptTimeout = TimeSpan.FromMilliseconds(200), MaxAttempts = 3 };
        var ecs = new EcsClient(AwsTestContext.For(silent.Url, policy), new RecordingHost());

        var idempotent = await Assert.ThrowsAsync<CruddurException>(() => ecs.ListClusterNamesAsync(CancellationToken.None));
        var once = await Assert.ThrowsAsync<CruddurException>(() => ecs.RegisterTaskDefinitionAsync(new JsonObject { ["family"] = "f" }, CancellationToken.None));

        Assert.Equal("AwsRequestTimeout", idempotent.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, idempotent.Kind);
        Assert.Contains("did not answer within 0.2 s", idempotent.Message);
        Assert.Equal(3, silent.Count("ListClusters"));
        Assert.Equal("AwsRequestTimeout", once.ErrorId);
        Assert.Equal(1, silent.Count("RegisterTaskDefinition"));
    }

    [Fact]
    public async Task TheWholeCallIsBoundedWhateverTheAttemptsLeft()
    {
        await using var silent = await ScriptedEndpoint.StartAsync((context, _, _) => Task.Delay(Timeout.Infinite, context.RequestAborted));
        var policy = AwsTestContext.FastRetries with { AttemptTimeout = TimeSpan.FromMilliseconds(300), TotalTimeout = TimeSpan.FromMilliseconds(700), MaxAttempts = 100 };
        var ecs = new EcsClient(AwsTestContext.For(silent.Url, policy), new RecordingHost());
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CruddurException>(() => ecs.ListClusterNamesAsync(CancellationToken.None));

        Assert.Equal("AwsRequestTimeout", error.ErrorId);
        Assert.InRange(silent.Count("ListClusters"), 2, 3);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ACallerStopIsACancellationNotATimeout()
    {
        await using var silent = await ScriptedEndpoint.StartAsync((context, _, _) => Task.Delay(Timeout.Infinite, context.RequestAborted));
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new EcsClient(AwsTestContext.For(silent.Url), new RecordingHost()).ListClusterNamesAsync(stop.Token));
    }

    [Fact]
    public async Task AnAnswerOverTheSizeCapIsRefused()
    {
        var big = "{\"clusterArns\":[" + string.Join(",", Enumerable.Repeat("\"arn:aws:ecs:us-east-1:1:cluster/c\"", 200)) + "]}";
        await using var sized = await ScriptedEndpoint.StartAsync(200, big);
        await using var chunked = await ScriptedEndpoint.StartAsync(async (context, _, _) =>
        {
            context.Response.ContentType = "application/x-amz-json-1.1";
            foreach (var part in big.Chunk(100))
            {
                await context.Response.WriteAsync(new string(part));
                await context.Response.Body.FlushAsync();
            }
        });
        var policy = AwsTestContext.FastRetries with { MaxResponseBytes = 4096 };

        foreach (var endpoint in new[] { sized, chunked })
        {
            var error = await Assert.ThrowsAsync<CruddurException>(() => new EcsClient(AwsTestContext.For(endpoint.Url, policy), new RecordingHost()).ListClusterNamesAsync(CancellationToken.None));
            Assert.Equal("AwsResponseTooLarge", error.ErrorId);
            Assert.Equal(ErrorKind.InvalidData, error.Kind);
            Assert.Equal(1, endpoint.Count("ListClusters"));
        }

        Assert.Equal(200, (await new EcsClient(AwsTestContext.For(sized.Url), new RecordingHost()).ListClusterNamesAsync(CancellationToken.None)).Count);
    }
}
