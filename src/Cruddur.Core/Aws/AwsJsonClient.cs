using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.Runtime.Internal.Util;
using Amazon.SecurityToken;
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
/// AWS JSON 1.1 protocol over HTTP (POST /, X-Amz-Target), signed with AWSSDK.Core's SigV4 signer. Used for the services
/// whose AWSSDK packages are not available here: ECS, ECR, CloudWatch Logs, Cognito.
/// </summary>
public sealed class AwsJsonClient : IAwsJsonApi
{
    public const int MaxAttempts = 5;

    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private readonly AwsContext _context;
    private readonly IOperationHost _host;
    private readonly Uri _endpoint;
    private readonly IClientConfig _signingConfig;

    public AwsJsonClient(AwsContext context, AwsService service, IOperationHost host)
    {
        if (service.TargetPrefix is null)
        {
            throw new ArgumentException($"{service.EnvName} does not speak AWS JSON 1.1.", nameof(service));
        }

        _context = context;
        _host = host;
        Service = service;
        _endpoint = context.EndpointFor(service);

        // The signer wants a client configuration; any concrete AWSSDK one carries the region and signing name it needs.
        _signingConfig = new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = _endpoint.ToString(),
            AuthenticationRegion = context.SigningRegionFor(service),
            AuthenticationServiceName = service.SigningName,
        };
    }

    public AwsService Service { get; }

    public async Task<JsonObject> InvokeAsync(string operation, JsonObject request, CancellationToken cancellationToken, bool retryServerErrors = true)
    {
        var body = Encoding.UTF8.GetBytes(request.ToJsonString());
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                _host.WriteVerbose($"{Service.EnvName} {operation}{(attempt > 1 ? $" (attempt {attempt})" : string.Empty)}");
                return await SendAsync(operation, body, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException e) when (attempt < MaxAttempts && (e.IsThrottling || (retryServerErrors && e.IsRetryable)))
            {
                var delay = Backoff(attempt);
                _host.WriteVerbose($"{Service.EnvName} {operation}: {e.ErrorCode}; retrying in {delay.TotalMilliseconds:0} ms");
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>"Full jitter" exponential backoff: a random pause up to min(cap, base * 2^attempt).</summary>
    internal static TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    private async Task<JsonObject> SendAsync(string operation, byte[] body, CancellationToken cancellationToken)
    {
        var signed = new DefaultRequest(new UnmodelledRequest(), Service.EnvName)
        {
            HttpMethod = "POST",
            ResourcePath = "/",
            Endpoint = _endpoint,
            Content = body,
            AuthenticationRegion = _context.SigningRegionFor(Service),
            OverrideSigningServiceName = Service.SigningName,
        };
        signed.Headers["Content-Type"] = "application/x-amz-json-1.1";
        signed.Headers["X-Amz-Target"] = $"{Service.TargetPrefix}.{operation}";

        var credentials = await _context.Credentials.GetCredentialsAsync().ConfigureAwait(false);
        new AWS4Signer().Sign(signed, _signingConfig, new RequestMetrics(), credentials.ToBasicCredentials());

        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
        foreach (var (name, value) in signed.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await AwsContext.Http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw _context.Unreachable(Service, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CruddurException("AwsRequestTimeout", ErrorKind.OperationTimeout, $"{Service.EnvName} {operation} did not answer within {AwsContext.Http.Timeout.TotalSeconds:0} s.", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text) as JsonObject ?? new JsonObject();
            }

            throw ParseError(operation, response.StatusCode, text);
        }
    }

    /// <summary>Reads an AWS JSON error ({"__type": "prefix#Code", "message": ...}); copes with non-JSON bodies.</summary>
    internal AwsServiceException ParseError(string operation, HttpStatusCode status, string text)
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

        code ??= (int)status >= 500 ? "InternalFailure" : "HttpError" + (int)status;
        message ??= $"HTTP {(int)status} {status}";
        return new AwsServiceException(Service.EnvName, operation, code, message, (int)status);
    }

    /// <summary>DefaultRequest needs some AmazonWebServiceRequest; ours are plain JSON.</summary>
    private sealed class UnmodelledRequest : AmazonWebServiceRequest
    {
    }
}
