using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>One call to an AWS JSON 1.1 API: the seam that tests and other clients can replace.</summary>
public interface IAwsJsonApi
{
    AwsService Service { get; }

    /// <summary>
    /// Calls <paramref name="operation"/> and returns the response object. Throttling is always retried with jittered
    /// backoff; server errors (5xx) only when <paramref name="retryServerErrors"/> is true, because a 5xx does not say
    /// whether a non-idempotent call (RegisterTaskDefinition) took effect.
    /// </summary>
    Task<JsonObject> InvokeAsync(string operation, JsonObject request, CancellationToken cancellationToken, bool retryServerErrors = true);
}

/// <summary>
/// AWS JSON 1.1 protocol (POST /, X-Amz-Target). Used for the services whose AWSSDK packages are not available here:
/// ECS, ECR, CloudWatch Logs, Cognito.
/// </summary>
public sealed class AwsJsonClient : IAwsJsonApi
{
    private readonly AwsTransport _transport;
    private readonly IOperationHost _host;

    public AwsJsonClient(AwsContext context, AwsService service, IOperationHost host)
    {
        if (service.TargetPrefix is null)
        {
            throw new ArgumentException($"{service.EnvName} does not speak AWS JSON 1.1.", nameof(service));
        }

        Service = service;
        _host = host;
        _transport = new AwsTransport(context, service);
    }

    public AwsService Service { get; }

    public Task<JsonObject> InvokeAsync(string operation, JsonObject request, CancellationToken cancellationToken, bool retryServerErrors = true)
    {
        var body = Encoding.UTF8.GetBytes(request.ToJsonString());
        var headers = new Dictionary<string, string>
        {
            ["Content-Type"] = "application/x-amz-json-1.1",
            ["X-Amz-Target"] = $"{Service.TargetPrefix}.{operation}",
        };
        return AwsTransport.WithRetriesAsync(
            $"{Service.EnvName} {operation}",
            async () =>
            {
                var (status, text) = await _transport.SendAsync(operation, body, headers, cancellationToken).ConfigureAwait(false);
                if (status is >= 200 and < 300)
                {
                    return string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text) as JsonObject ?? new JsonObject();
                }

                throw ParseError(Service.EnvName, operation, status, text);
            },
            e => e.IsThrottling || (retryServerErrors && e.IsRetryable),
            _host,
            cancellationToken);
    }

    /// <summary>Reads an AWS JSON error ({"__type": "prefix#Code", "message": ...}); copes with non-JSON bodies.</summary>
    internal static AwsServiceException ParseError(string service, string operation, int status, string text)
    {
        string? code = null;
        string? message = null;
        try
        {
            if (JsonNode.Parse(text) is JsonObject error)
            {
                code = (string?)error["__type"] ?? (string?)error["code"];
                message = (string?)error["message"] ?? (string?)error["Message"];
            }
        }
        catch (JsonException)
        {
            // An HTML or empty body: keep the status code as the error.
        }

        if (code is not null)
        {
            code = code[(code.LastIndexOf('#') + 1)..];
            var colon = code.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                code = code[..colon];
            }
        }

        code ??= status >= 500 ? "InternalFailure" : "HttpError" + status;
        message ??= $"HTTP {status}";
        return new AwsServiceException(service, operation, code, message, status);
    }
}
