using System.Buffers;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.Runtime.Internal.Util;
using Amazon.SecurityToken;

namespace Cruddur.Core.Aws;

/// <summary>One answer from an AWS endpoint, whatever its status.</summary>
internal readonly record struct AwsAnswer(int Status, string Text)
{
    public bool IsSuccess => Status is >= 200 and < 300;
}

/// <summary>
/// Sends one SigV4-signed request (AWSSDK.Core's own signer) and reads the answer up to the policy's size cap. The
/// protocols (JSON 1.1, Query, REST-XML) only differ in what they put in and how they read the answer.
/// </summary>
internal sealed class AwsTransport
{
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

    public AwsRetryPolicy Policy => _context.Policy;

    public AwsCall Call(string operation, bool idempotent) => new(_service.EnvName, operation, idempotent, Endpoint);

    /// <summary>Signs and sends one request; <paramref name="path"/> is relative to the endpoint's path and may carry a query.</summary>
    public async Task<AwsAnswer> SendAsync(AwsCall call, HttpMethod method, string path, byte[] body, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        var query = path.IndexOf('?', StringComparison.Ordinal);
        var signed = new DefaultRequest(new UnmodelledRequest(), _service.EnvName)
        {
            HttpMethod = method.Method,
            ResourcePath = query >= 0 ? path[..query] : path,
            Endpoint = Endpoint,
            Content = body,
            AuthenticationRegion = _context.SigningRegionFor(_service),
            OverrideSigningServiceName = _service.SigningName,
        };
        if (query >= 0)
        {
            foreach (var pair in path[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                signed.Parameters[Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals])] = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            }
        }

        foreach (var (name, value) in headers)
        {
            signed.Headers[name] = value;
        }

        var credentials = await _context.Credentials.GetCredentialsAsync().ConfigureAwait(false);
        new AWS4Signer().Sign(signed, _signingConfig, new RequestMetrics(), credentials.ToBasicCredentials());

        using var message = new HttpRequestMessage(method, new Uri(Endpoint, path.TrimStart('/'))) { Content = new ByteArrayContent(body) };
        message.Headers.TryAddWithoutValidation("User-Agent", _context.UserAgent); // not signed, as the SDKs do
        foreach (var (name, value) in signed.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        _context.Calls.Add(call);
        using var response = await AwsContext.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var answer = await ReadCappedAsync(response.Content, Policy.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
        return new AwsAnswer((int)response.StatusCode, System.Text.Encoding.UTF8.GetString(answer));
    }

    /// <summary>The body, refusing (before and while reading) anything over <paramref name="cap"/> bytes with <see cref="ResponseTooLargeException"/>.</summary>
    internal static async Task<byte[]> ReadCappedAsync(HttpContent content, int cap, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > cap)
        {
            throw new ResponseTooLargeException(cap);
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > cap)
                {
                    throw new ResponseTooLargeException(cap);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    /// <summary>DefaultRequest needs some AmazonWebServiceRequest; ours are unmodelled.</summary>
    private sealed class UnmodelledRequest : AmazonWebServiceRequest
    {
    }
}

/// <summary>An answer over the policy's size cap; <see cref="AwsErrors.Translate"/> makes it AwsResponseTooLarge.</summary>
internal sealed class ResponseTooLargeException(int cap) : IOException($"The answer is larger than {cap} bytes.")
{
    public int Cap { get; } = cap;
}

/// <summary>
/// The HttpClient the AWSSDK clients use: one shared connection pool, and answers read up to the policy's size cap
/// before the SDK parses them. Time is bounded by the policy's cancellation tokens, which the SDK passes down.
/// </summary>
internal sealed class CappedSdkHttpClientFactory : Amazon.Runtime.HttpClientFactory
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, HttpClient> Clients = new();

    private readonly int _cap;

    public CappedSdkHttpClientFactory(int cap) => _cap = cap;

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        Clients.GetOrAdd(_cap, cap => new HttpClient(new CapHandler(cap) { InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) } })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        });

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    private sealed class CapHandler(int cap) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var original = response.Content;
            var body = await AwsTransport.ReadCappedAsync(original, cap, cancellationToken).ConfigureAwait(false);
            var content = new ByteArrayContent(body);
            foreach (var (name, values) in original.Headers.Where(h => h.Key != "Content-Length"))
            {
                content.Headers.TryAddWithoutValidation(name, values);
            }

            response.Content = content;
            original.Dispose();
            return response;
        }
    }
}
