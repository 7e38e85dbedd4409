using System.Text;
using System.Text.Json.Nodes;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws.Protocols;

/// <summary>AWS JSON 1.1 (POST /, X-Amz-Target: prefix.Operation): ECS, ECR, CloudWatch Logs, Cognito IDP, ACM, ...</summary>
internal sealed class JsonProtocol
{
    private readonly AwsTransport _transport;
    private readonly AwsService _service;
    private readonly IOperationHost _host;

    public JsonProtocol(AwsContext context, AwsService service, IOperationHost host)
    {
        if (service.TargetPrefix is null)
        {
            throw new ArgumentException($"{service.EnvName} does not speak AWS JSON 1.1.", nameof(service));
        }

        _service = service;
        _host = host;
        _transport = new AwsTransport(context, service);
    }

    /// <summary>
    /// Calls <paramref name="operation"/> under the retry policy and reads the answer with <paramref name="read"/> inside
    /// the attempt, so an answer of the wrong shape becomes AwsResponseInvalid like any other bad answer.
    /// </summary>
    public Task<T> CallAsync<T>(string operation, JsonObject request, bool idempotent, Func<JsonObject, T> read, CancellationToken cancellationToken)
    {
        var call = _transport.Call(operation, idempotent);
        var body = Encoding.UTF8.GetBytes(request.ToJsonString());
        var headers = new Dictionary<string, string>
        {
            ["Content-Type"] = "application/x-amz-json-1.1",
            ["X-Amz-Target"] = $"{_service.TargetPrefix}.{operation}",
        };
        return _transport.Policy.RunAsync(call, async token =>
        {
            var answer = await _transport.SendAsync(call, HttpMethod.Post, "/", body, headers, token).ConfigureAwait(false);
            if (!answer.IsSuccess)
            {
                throw AwsErrors.FromWire(call, answer.Status, answer.Text);
            }

            var parsed = string.IsNullOrWhiteSpace(answer.Text) ? new JsonObject() : JsonNode.Parse(answer.Text);
            return read(parsed as JsonObject ?? throw AwsErrors.InvalidResponse(call, "not a JSON object"));
        }, _host, cancellationToken);
    }

    /// <summary>A call whose answer is not needed.</summary>
    public Task CallAsync(string operation, JsonObject request, bool idempotent, CancellationToken cancellationToken) =>
        CallAsync(operation, request, idempotent, _ => true, cancellationToken);
}
