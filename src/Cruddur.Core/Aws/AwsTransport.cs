using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.Runtime.Internal.Util;
using Amazon.SecurityToken;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>
/// Sends one SigV4-signed POST to a service's endpoint and retries what is worth retrying. The signing is AWSSDK.Core's
/// own signer; the protocols (JSON 1.1, Query) only differ in body and parsing.
/// </summary>
internal sealed class AwsTransport
{
    public const int MaxAttempts = 5;

    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private readonly AwsContext _context;
    private readonly AwsService _service;
    private readonly IClientConfig _signingConfig;

    public AwsTransport(AwsContext context, AwsService service)
    {
        _context = context;
        _service = service;
        Endpoint = context.EndpointFor(service);

        // The signer wants a client configuration; any concrete AWSSDK one carries the region and signing name it needs.
        _signingConfig = new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = Endpoint.ToString(),
            AuthenticationRegion = context.SigningRegionFor(service),
            AuthenticationServiceName = service.SigningName,
        };
    }

    public Uri Endpoint { get; }

    /// <summary>"Full jitter" exponential backoff: a random pause up to min(cap, base * 2^attempt).</summary>
    public static TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    /// <summary>Runs <paramref name="call"/> until it succeeds, fails for good, or <see cref="MaxAttempts"/> is reached.</summary>
    public static async Task<T> WithRetriesAsync<T>(string label, Func<Task<T>> call, Func<AwsServiceException, bool> retryable, IOperationHost host, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                host.WriteVerbose(attempt > 1 ? $"{label} (attempt {attempt})" : label);
                return await call().ConfigureAwait(false);
            }
            catch (AwsServiceException e) when (attempt < MaxAttempts && retryable(e))
            {
                var delay = Backoff(attempt);
                host.WriteVerbose($"{label}: {e.ErrorCode}; retrying in {delay.TotalMilliseconds:0} ms");
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Signs and sends <paramref name="body"/>; returns the status code and the response text, whatever they are.</summary>
    public Task<(int Status, string Text)> SendAsync(string operation, byte[] body, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken) =>
        SendAsync(operation, HttpMethod.Post, "/", new Dictionary<string, string>(), body, headers, cancellationToken);

    /// <summary>
    /// The REST form (Route 53): any method, a resource path under the endpoint and query parameters; the body may be empty.
    /// </summary>
    public async Task<(int Status, string Text)> SendAsync(string operation, HttpMethod method, string path, IReadOnlyDictionary<string, string> query, byte[] body, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        var signed = new DefaultRequest(new UnmodelledRequest(), _service.EnvName)
        {
            HttpMethod = method.Method,
            ResourcePath = path,
            Endpoint = Endpoint,
            Content = body,
            AuthenticationRegion = _context.SigningRegionFor(_service),
            OverrideSigningServiceName = _service.SigningName,
            UseQueryString = query.Count > 0, // the signer then canonicalizes the parameters as the query string
        };
        foreach (var (name, value) in query)
        {
            signed.Parameters[name] = value;
        }

        foreach (var (name, value) in headers)
        {
            signed.Headers[name] = value;
        }

        var credentials = await _context.Credentials.GetCredentialsAsync().ConfigureAwait(false);
        new AWS4Signer().Sign(signed, _signingConfig, new RequestMetrics(), credentials.ToBasicCredentials());

        var url = new UriBuilder(Endpoint)
        {
            Path = Endpoint.AbsolutePath.TrimEnd('/') + path,
            Query = string.Join("&", query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")),
        }.Uri;
        using var message = new HttpRequestMessage(method, url) { Content = new ByteArrayContent(body) };
        foreach (var (name, value) in signed.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        try
        {
            using var response = await AwsContext.Http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (HttpRequestException e)
        {
            throw _context.Unreachable(_service, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CruddurException("AwsRequestTimeout", ErrorKind.OperationTimeout,
                $"{_service.EnvName} {operation} did not answer within {AwsContext.Http.Timeout.TotalSeconds:0} s. Check the endpoint and your network.", e);
        }
    }

    /// <summary>DefaultRequest needs some AmazonWebServiceRequest; ours are unmodelled.</summary>
    private sealed class UnmodelledRequest : AmazonWebServiceRequest
    {
    }
}
