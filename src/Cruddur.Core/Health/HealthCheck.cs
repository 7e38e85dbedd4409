using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Health;

/// <summary>The outcome of a health check: the last attempt's answer and how many attempts it took.</summary>
public sealed class HealthCheckResult
{
    internal HealthCheckResult(Uri url, bool healthy, int? statusCode, TimeSpan latency, int attempts, string? error)
    {
        Url = Redaction.Redact(url.ToString());
        Healthy = healthy;
        StatusCode = statusCode;
        Latency = latency;
        Attempts = attempts;
        Error = error;
    }

    public string Url { get; }

    /// <summary>True when the endpoint answered HTTP 200 with {"success": true}.</summary>
    public bool Healthy { get; }

    /// <summary>The last answer's HTTP status; null when there was no answer.</summary>
    public int? StatusCode { get; }

    /// <summary>The last attempt's time to a full answer.</summary>
    public TimeSpan Latency { get; }

    public int Attempts { get; }

    /// <summary>Why the last attempt was not healthy.</summary>
    public string? Error { get; }
}

/// <summary>What Test-CruddurHealth checks and how patiently.</summary>
public sealed record HealthCheckRequest(Uri Url, TimeSpan Timeout, int Retries, TimeSpan RetryInterval);

/// <summary>
/// The seed's bin/flask/health-check: GET /api/health-check must answer 200, and (as the Flask endpoint does)
/// {"success": true}. Unhealthy answers are retried up to <see cref="HealthCheckRequest.Retries"/> times.
/// </summary>
public static class HealthCheck
{
    private const int ProgressId = 7002;
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan, // per attempt instead, so a slow answer counts as an attempt
    };

    /// <summary>
    /// The health-check URL: the base URL with <paramref name="path"/> (default /api/health-check) as its path. Any
    /// user:password is dropped (HttpClient never sends it, and it must not reach the result or a message).
    /// </summary>
    public static Uri BuildUrl(string baseUrl, string path)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            throw new CruddurException(ErrorIds.HealthUrlInvalid, ErrorKind.InvalidArgument,
                $"'{baseUrl}' is not an absolute http or https URL such as {SeedDefaults.HealthUrl}.", target: baseUrl);
        }

        return new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty, Path = path.StartsWith('/') ? path : "/" + path, Query = string.Empty }.Uri;
    }

    public static async Task<HealthCheckResult> CheckAsync(HealthCheckRequest request, IOperationHost host, CancellationToken cancellationToken)
    {
        var attempts = 0;
        while (true)
        {
            attempts++;
            host.WriteProgress(new ProgressUpdate(ProgressId, $"Checking {request.Url}", $"Attempt {attempts} of {request.Retries + 1}"));
            var (status, error, latency) = await AttemptAsync(request, cancellationToken).ConfigureAwait(false);
            if (error is null || attempts > request.Retries)
            {
                host.WriteProgress(new ProgressUpdate(ProgressId, $"Checking {request.Url}", "Done", Completed: true));
                return new HealthCheckResult(request.Url, error is null, status, latency, attempts, error);
            }

            host.WriteVerbose($"Attempt {attempts}: {error}; trying again in {request.RetryInterval.TotalSeconds:0.##} s.");
            await Task.Delay(request.RetryInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<(int? Status, string? Error, TimeSpan Latency)> AttemptAsync(HealthCheckRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(request.Timeout);
        try
        {
            using var response = await Http.GetAsync(request.Url, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            var latency = Stopwatch.GetElapsedTime(started);
            var status = (int)response.StatusCode;
            if (status != 200)
            {
                return (status, $"HTTP {status} instead of 200", latency);
            }

            return (status, IsSuccess(body) ? null : "the answer is not {\"success\": true}", latency);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer within {request.Timeout.TotalSeconds:0.##} s", Stopwatch.GetElapsedTime(started));
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException is SocketException socket ? socket.Message : e.Message;
            return (null, $"could not connect: {reason}", Stopwatch.GetElapsedTime(started));
        }
    }

    private static bool IsSuccess(string body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject json && json["success"] is JsonValue value && value.TryGetValue<bool>(out var success) && success;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
