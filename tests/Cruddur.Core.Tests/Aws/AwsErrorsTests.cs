using System.Net;
using Amazon.Runtime;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Aws;

/// <summary>The one translator: every kind of AWS failure becomes a CruddurException with a stable id and a real kind.</summary>
public sealed class AwsErrorsTests
{
    private static readonly AwsCall Call = new("ECS", "DescribeServices", true, new Uri("http://127.0.0.1:1/"));

    [Theory]
    [InlineData(400, "{\"__type\":\"com.amazonaws.ecr#RepositoryNotFoundException\",\"message\":\"m\"}", "RepositoryNotFoundException", "AwsNotFound", ErrorKind.ObjectNotFound)]
    [InlineData(400, "{\"__type\":\"ThrottlingException:http://internal\",\"Message\":\"m\"}", "ThrottlingException", "AwsThrottled", ErrorKind.InvalidOperation)]
    [InlineData(409, "{\"__type\":\"ResourceAlreadyExistsException\"}", "ResourceAlreadyExistsException", "AwsAlreadyExists", ErrorKind.ResourceExists)]
    [InlineData(404, "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>m</Message></Error></ErrorResponse>", "NoSuchEntity", "AwsNotFound", ErrorKind.ObjectNotFound)]
    [InlineData(403, "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>m</Message></Error></Errors></Response>", "UnauthorizedOperation", "AwsAccessDenied", ErrorKind.PermissionDenied)]
    [InlineData(500, "<html><body>Internal Server Error</body></html>", "InternalFailure", "AwsServiceError", ErrorKind.ResourceUnavailable)]
    [InlineData(502, "", "InternalFailure", "AwsServiceError", ErrorKind.ResourceUnavailable)]
    [InlineData(400, "not json {", "HttpError400", "AwsRequestFailed", ErrorKind.InvalidOperation)]
    [InlineData(400, "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Error><Code>&e;</Code></Error>", "HttpError400", "AwsRequestFailed", ErrorKind.InvalidOperation)]
    public void WireErrorsKeepTheServiceCodeOrFallBackToTheStatus(int status, string body, string code, string id, ErrorKind kind)
    {
        var error = AwsErrors.FromWire(Call, status, body);

        Assert.Equal(id, error.ErrorId);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(code, error.ErrorCode);
        Assert.Contains(code, error.Message);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains("ECS DescribeServices failed", error.Message);
    }

    [Theory]
    [InlineData("ECS", "DescribeServices", "ClusterNotFoundException", 400, "Cluster not found.", "ClusterNotFound")]
    [InlineData("ECS", "ListTasks", "ServiceNotFoundException", 400, "Service not found.", "ServiceNotFound")]
    [InlineData("ECS", "DescribeTaskDefinition", "ClientException", 400, "Unable to describe task definition.", "NotFound")]
    [InlineData("ECS", "RegisterTaskDefinition", "ClientException", 400, "Container.image should not be null or empty.", "Invalid")]
    [InlineData("ECS", "ExecuteCommand", "InvalidParameterException", 400, "The execute command failed because execute command was not enabled when the task was run.", "ExecuteCommandUnavailable")]
    [InlineData("ECS", "ExecuteCommand", "TargetNotConnectedException", 400, "Target is not connected.", "Other")]
    [InlineData("ECS", "DescribeTasks", "InvalidParameterException", 400, "taskId length should be one of [32,36]", "Invalid")]
    [InlineData("CloudWatchLogs", "FilterLogEvents", "ResourceNotFoundException", 400, "The specified log stream does not exist.", "LogStreamNotFound")]
    [InlineData("CloudWatchLogs", "FilterLogEvents", "ResourceNotFoundException", 400, "The specified log group does not exist.", "NotFound")]
    [InlineData("IAM", "GetRole", "NoSuchEntity", 404, "The role with name x cannot be found.", "NotFound")]
    [InlineData("IAM", "CreateRole", "EntityAlreadyExists", 409, "Role with name x already exists.", "AlreadyExists")]
    [InlineData("IAM", "GetRole", "AccessDenied", 403, "not authorized to perform: iam:GetRole", "AccessDenied")]
    [InlineData("ECS", "DescribeServices", "ThrottlingException", 400, "Rate exceeded", "Throttled")]
    [InlineData("KMS", "GenerateDataKey", "KMSInternalException", 500, "down", "ServerError")]
    public void CodesBecomeConditionsHereAndNowhereElse(string service, string operation, string code, int status, string message, string expected)
    {
        var error = new AwsServiceException(service, operation, code, message, status);
        var condition = Enum.Parse<AwsCondition>(expected);

        Assert.Equal(condition, error.Condition);
        Assert.Equal(condition is not (AwsCondition.Throttled or AwsCondition.ServerError), error.IsRefusal);
    }

    [Fact]
    public void SdkServiceErrorsBecomeTheSameException()
    {
        var sdk = new AmazonServiceException("Parameter /x not found.", null, ErrorType.Sender, "ParameterNotFound", "rid", HttpStatusCode.BadRequest);

        var error = Assert.IsType<AwsServiceException>(AwsErrors.Translate(Call, sdk));

        Assert.Equal("AwsNotFound", error.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
        Assert.Equal("ParameterNotFound", error.ErrorCode);
    }

    [Fact]
    public void ReadingFailuresAndConnectionFailuresGetFixedIds()
    {
        Assert.Equal(("AwsResponseInvalid", ErrorKind.InvalidData), Of(AwsErrors.Translate(Call, new System.Text.Json.JsonException("bad"))));
        Assert.Equal(("AwsResponseInvalid", ErrorKind.InvalidData), Of(AwsErrors.Translate(Call, new FormatException("'x' is not text"))));
        Assert.Equal(("AwsEndpointUnreachable", ErrorKind.ConnectionError), Of(AwsErrors.Translate(Call, new HttpRequestException("refused"))));
        Assert.Equal(("AwsEndpointUnreachable", ErrorKind.ConnectionError), Of(AwsErrors.Translate(Call, new AmazonClientException("x", new HttpRequestException("refused")))));
        Assert.Equal(("AwsCallFailed", ErrorKind.NotSpecified), Of(AwsErrors.Translate(Call, new DivideByZeroException())));

        static (string, ErrorKind) Of(CruddurException e) => (e.ErrorId, e.Kind);
    }

    [Theory]
    [InlineData("<html><body>It works!</body></html>")]
    [InlineData("{\"clusterArns\": \"not a list\"}")]
    [InlineData("{\"clusterArns\": [1, 2]}")]
    [InlineData("[]")]
    [InlineData("{\"clusterArns\": [], \"nextToken\": 5}")]
    public async Task AGarbageOrWrongShapedSuccessIsAClearError(string body)
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync(200, body);

        var error = await Assert.ThrowsAsync<CruddurException>(() => new EcsClient(AwsTestContext.For(endpoint.Url), new RecordingHost()).ListClusterNamesAsync(CancellationToken.None));

        Assert.Equal("AwsResponseInvalid", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Equal(1, endpoint.Count("ListClusters"));
    }

    [Fact]
    public async Task AServiceObjectWithAFieldOfTheWrongTypeIsAClearError()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync(200, "{\"services\":[{\"serviceName\":\"s\",\"deployments\":[{\"id\":\"d\",\"runningCount\":\"three\"}]}]}");

        var error = await Assert.ThrowsAsync<CruddurException>(() => new EcsClient(AwsTestContext.For(endpoint.Url), new RecordingHost()).DescribeServicesAsync("c", ["s"], CancellationToken.None));

        Assert.Equal("AwsResponseInvalid", error.ErrorId);
        Assert.Contains("deployments[].runningCount", error.Message);
    }

    [Fact]
    public async Task AnSdkClientAnsweredWithGarbageOrHtmlFailsTheSameWay()
    {
        await using var garbage = await ScriptedEndpoint.StartAsync(200, "<html>hello</html>", "text/html");
        await using var html500 = await ScriptedEndpoint.StartAsync(500, "<html>Internal Server Error</html>", "text/html");

        var invalid = await Assert.ThrowsAsync<CruddurException>(() => new StsClient(AwsTestContext.For(garbage.Url), new RecordingHost()).GetAccountIdAsync(CancellationToken.None));
        var server = await Assert.ThrowsAsync<AwsServiceException>(() => new SsmClient(AwsTestContext.For(html500.Url), new RecordingHost()).PutSecureStringAsync("/x", "v", CancellationToken.None));

        Assert.Equal("AwsResponseInvalid", invalid.ErrorId);
        Assert.Equal(500, server.StatusCode);
        Assert.Equal(ErrorKind.ResourceUnavailable, server.Kind);
        Assert.Equal(1, html500.Count("PutParameter"));
    }

    [Fact]
    public async Task AnSdkClientsAnswerOverTheSizeCapIsRefusedToo()
    {
        var value = new string('v', 10000);
        await using var endpoint = await ScriptedEndpoint.StartAsync(200, "{\"Parameters\":[{\"Name\":\"/cruddur/a\",\"Value\":\"" + value + "\"}]}");
        var capped = AwsTestContext.FastRetries with { MaxResponseBytes = 4096 };

        var error = await Assert.ThrowsAsync<CruddurException>(() => new SsmClient(AwsTestContext.For(endpoint.Url, capped), new RecordingHost()).GetParametersByPathAsync("/cruddur", CancellationToken.None));
        var read = await new SsmClient(AwsTestContext.For(endpoint.Url), new RecordingHost()).GetParametersByPathAsync("/cruddur", CancellationToken.None);

        Assert.Equal(("AwsResponseTooLarge", ErrorKind.InvalidData), (error.ErrorId, error.Kind));
        Assert.Equal(value, Assert.Single(read).Value);
    }

    [Fact]
    public async Task AnEndpointThatDoesNotAnswerIsAConnectionErrorForOwnAndSdkClients()
    {
        var context = AwsTestContext.For("http://127.0.0.1:9");

        var own = await Assert.ThrowsAsync<CruddurException>(() => new EcsClient(context, new RecordingHost()).ListClusterNamesAsync(CancellationToken.None));
        var sdk = await Assert.ThrowsAsync<CruddurException>(() => new SsmClient(context, new RecordingHost()).GetParametersByPathAsync("/cruddur", CancellationToken.None));

        Assert.Equal(("AwsEndpointUnreachable", ErrorKind.ConnectionError), (own.ErrorId, own.Kind));
        Assert.Equal(("AwsEndpointUnreachable", ErrorKind.ConnectionError), (sdk.ErrorId, sdk.Kind));
    }
}
