using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.EcsSimulator;
using Microsoft.AspNetCore.Builder;

namespace Cruddur.Core.Tests.Aws;

/// <summary>The JSON 1.1 client against a real endpoint: the project's ECS simulator, which can inject faults.</summary>
public sealed class AwsJsonClientTests : IAsyncLifetime
{
    private WebApplication _simulator = null!;
    private string _url = null!;

    public async Task InitializeAsync()
    {
        // The default credential chain reads the process environment; the simulator does not check signatures.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
        _simulator = SimulatorHost.Build(["--urls", "http://127.0.0.1:0", "--time-scale", "0.02"]);
        await _simulator.StartAsync();
        _url = _simulator.Urls.Single().TrimEnd('/');
    }

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    private IAwsJsonApi Ecs(RecordingHost host) =>
        new AwsJsonClient(new AwsContext(new AwsSettings("us-east-1", EndpointUrl: _url)), AwsService.Ecs, host);

    private async Task InjectAsync(string operation, string kind, int count)
    {
        using var http = new HttpClient();
        (await http.PostAsJsonAsync(_url + "/_sim/faults", new { operation, kind, count })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task SignedCallsReachTheServiceAndItsErrorsKeepTheirCode()
    {
        var ecs = Ecs(new RecordingHost());

        var created = await ecs.InvokeAsync("CreateCluster", new JsonObject { ["clusterName"] = "cruddur" }, CancellationToken.None);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => ecs.InvokeAsync("DescribeServices", new JsonObject { ["cluster"] = "nope", ["services"] = new JsonArray("x") }, CancellationToken.None));

        Assert.Equal("arn:aws:ecs:us-east-1:123456789012:cluster/cruddur", (string?)created["cluster"]!["clusterArn"]);
        Assert.Equal("ClusterNotFoundException", error.ErrorCode);
        Assert.Equal("AwsClusterNotFoundException", error.ErrorId);
        Assert.Equal(Hosting.ErrorKind.ObjectNotFound, error.Kind);
    }

    [Fact]
    public async Task ThrottlingIsRetriedUntilItPasses()
    {
        var host = new RecordingHost();
        await InjectAsync("ListClusters", "Throttling", 3);

        var result = await Ecs(host).InvokeAsync("ListClusters", new JsonObject(), CancellationToken.None);

        Assert.NotNull(result["clusterArns"]);
        Assert.Equal(3, host.Messages.Count(m => m.Contains("ThrottlingException; retrying", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ServerErrorsAreNotRetriedWhenTheCallIsNotIdempotent()
    {
        var host = new RecordingHost();
        await InjectAsync("RegisterTaskDefinition", "ServerError", 1);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Ecs(host).InvokeAsync("RegisterTaskDefinition",
            new JsonObject { ["family"] = "f", ["containerDefinitions"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "i" }) },
            CancellationToken.None, retryServerErrors: false));

        Assert.Equal(500, error.StatusCode);
        Assert.DoesNotContain(host.Messages, m => m.Contains("retrying", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PersistentThrottlingGivesUpAfterMaxAttempts()
    {
        var host = new RecordingHost();
        await InjectAsync("ListClusters", "Throttling", 50);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Ecs(host).InvokeAsync("ListClusters", new JsonObject(), CancellationToken.None));

        Assert.True(error.IsThrottling);
        Assert.Equal(AwsTransport.MaxAttempts - 1, host.Messages.Count(m => m.Contains("retrying", StringComparison.Ordinal)));
    }

    [Fact]
    public void NonJsonErrorBodiesStillGiveAnError()
    {
        var error = AwsJsonClient.ParseError("ECS", "ExecuteCommand", 500, "<html><body>Internal Server Error</body></html>");

        Assert.Equal("InternalFailure", error.ErrorCode);
        Assert.True(error.IsRetryable);
    }

    [Theory]
    [InlineData("{\"__type\":\"com.amazonaws.ecr#RepositoryNotFoundException\",\"message\":\"m\"}", "RepositoryNotFoundException")]
    [InlineData("{\"__type\":\"ThrottlingException:http://internal\",\"Message\":\"m\"}", "ThrottlingException")]
    public void NamespacedErrorTypesAreReducedToTheirCode(string body, string code)
    {
        Assert.Equal(code, AwsJsonClient.ParseError("ECR", "X", 400, body).ErrorCode);
    }

    [Fact]
    public async Task AnEndpointThatDoesNotAnswerIsAConnectionError()
    {
        var context = new AwsContext(new AwsSettings("us-east-1", EndpointUrl: "http://127.0.0.1:9"));

        var error = await Assert.ThrowsAsync<Hosting.CruddurException>(() => new AwsJsonClient(context, AwsService.Ecs, new RecordingHost()).InvokeAsync("ListClusters", new JsonObject(), CancellationToken.None));

        Assert.Equal("AwsEndpointUnreachable", error.ErrorId);
        Assert.Equal(Hosting.ErrorKind.ConnectionError, error.Kind);
    }
}
