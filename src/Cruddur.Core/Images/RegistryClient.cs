using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Images;

/// <summary>What a registry said about one image: found (digest, platforms), unknown, refused, or not asked.</summary>
internal enum RegistryManifestState
{
    /// <summary>The manifest resolved: Digest and Architectures are set.</summary>
    Found,

    /// <summary>The registry does not know the repository (NAME_UNKNOWN).</summary>
    RepositoryMissing,

    /// <summary>The repository has no such tag or digest (MANIFEST_UNKNOWN, or 404).</summary>
    ImageMissing,

    /// <summary>The registry wants credentials and none were given (401 without credentials).</summary>
    NeedsCredentials,

    /// <summary>The registry refused the credentials given (401 or 403 with them).</summary>
    CredentialsRefused,

    /// <summary>No answer: the name does not resolve, the connection fails, or the request timed out.</summary>
    Unreachable,

    /// <summary>An answer the check cannot judge (5xx, 429, an unexpected challenge); Detail says which.</summary>
    Unanswered,
}

/// <summary>One registry answer; Detail is the registry's status (never a credential).</summary>
internal sealed record RegistryManifest(RegistryManifestState State, string? Digest = null, IReadOnlyList<string>? Architectures = null, string? Detail = null);

/// <summary>Asks a registry (Docker Registry HTTP API v2, as ECR, Docker Hub and docker-registry serve it) which manifest a tag points at.</summary>
internal static class RegistryClient
{
    /// <summary>How long one request to a registry (or its token service) may take before the registry counts as unreachable.</summary>
    internal static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    internal static readonly string[] ManifestTypes =
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ];

    /// <summary>The Docker-Content-Digest of repository:tag (HEAD /v2/&lt;repository&gt;/manifests/&lt;tag&gt;, basic auth).</summary>
    public static async Task<string> GetManifestDigestAsync(RegistryCredential credential, string repository, string tag, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"{Api(credential.Host)}/{repository}/manifests/{tag}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.UserName}:{credential.Password}")));
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        HttpResponseMessage response;
        try
        {
            response = await AwsContext.Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CruddurException(ErrorIds.ImageRegistryUnreachable, ErrorKind.ConnectionError,
                $"Could not reach the registry {credential.Host} to confirm the push: {e.Message}. Check the registry's name and your network.", e, credential.Host);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.OK && response.Headers.TryGetValues("Docker-Content-Digest", out var values))
            {
                return values.First();
            }

            throw new CruddurException(ErrorIds.ImagePushNotConfirmed, ErrorKind.InvalidOperation,
                $"The registry {credential.Host} answered HTTP {(int)response.StatusCode} for {repository}:{tag} right after the push. Publish again; if it persists, check the registry.",
                target: $"{repository}:{tag}");
        }
    }

    /// <summary>
    /// The manifest of repository:reference (GET /v2/&lt;repository&gt;/manifests/&lt;reference&gt;). A 401 is answered as
    /// its WWW-Authenticate challenge asks: Bearer gets a token from the realm (anonymous, or with the credential as basic
    /// auth), Basic gets the credential. Each request is bounded by <paramref name="requestTimeout"/> (default
    /// <see cref="RequestTimeout"/>), after which the registry counts as unreachable; cancellation stops it.
    /// </summary>
    public static async Task<RegistryManifest> ResolveAsync(string host, string repository, string reference, RegistryCredential? credential, CancellationToken cancellationToken, TimeSpan? requestTimeout = null)
    {
        var timeout = requestTimeout ?? RequestTimeout;
        if (!Uri.TryCreate($"{Api(host)}/{repository}/manifests/{reference}", UriKind.Absolute, out var url))
        {
            return new RegistryManifest(RegistryManifestState.Unanswered, Detail: "nothing: the image name is not a registry address");
        }

        try
        {
            var (status, headers, body) = await SendAsync(url, null, accept: true, timeout, cancellationToken).ConfigureAwait(false);
            if (status == HttpStatusCode.Unauthorized && Challenge.Parse(headers) is { } challenge)
            {
                AuthenticationHeaderValue? authorization = null;
                if (challenge.Scheme == "bearer" && challenge.Realm is not null)
                {
                    var (tokenStatus, token) = await TokenAsync(challenge, repository, credential, timeout, cancellationToken).ConfigureAwait(false);
                    if (token is null)
                    {
                        return Refused(credential, tokenStatus, "its token service");
                    }

                    authorization = new AuthenticationHeaderValue("Bearer", token);
                }
                else if (challenge.Scheme == "basic" && credential is not null)
                {
                    authorization = Basic(credential);
                }
                else if (challenge.Scheme != "basic")
                {
                    return new RegistryManifest(RegistryManifestState.Unanswered, Detail: $"HTTP 401 with a {challenge.Scheme} challenge this check does not answer");
                }

                if (authorization is not null)
                {
                    (status, headers, body) = await SendAsync(url, authorization, accept: true, timeout, cancellationToken).ConfigureAwait(false);
                }
            }

            return Read(status, headers, body, credential);
        }
        catch (HttpRequestException e)
        {
            return new RegistryManifest(RegistryManifestState.Unreachable, Detail: Unreached(e));
        }
        catch (UriFormatException)
        {
            return new RegistryManifest(RegistryManifestState.Unanswered, Detail: "a token realm that is not a URL");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RegistryManifest(RegistryManifestState.Unreachable, Detail: NoAnswer(timeout));
        }
    }

    /// <summary>
    /// Why the registry cannot be reached at all, or null when it answers GET /v2/ (the API's version check) with any status.
    /// Asked once per registry before its images: a name that does not resolve fails each of its images' requests alike,
    /// and many failing look-ups of one name at once take about 0.1 s each, one after the other.
    /// </summary>
    public static async Task<string?> UnreachableAsync(string host, CancellationToken cancellationToken, TimeSpan? requestTimeout = null)
    {
        var timeout = requestTimeout ?? RequestTimeout;
        if (!Uri.TryCreate($"{Api(host)}/", UriKind.Absolute, out var url))
        {
            return null; // ResolveAsync says what is wrong with the name
        }

        try
        {
            await SendAsync(url, null, accept: false, timeout, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (HttpRequestException e)
        {
            return Unreached(e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return NoAnswer(timeout);
        }
    }

    private static string Unreached(HttpRequestException e) => e.HttpRequestError == HttpRequestError.Unknown ? e.Message : $"{e.HttpRequestError}: {e.Message}";

    private static string NoAnswer(TimeSpan timeout) => $"no answer within {timeout.TotalSeconds:0.#} s";

    /// <summary>The platforms of a manifest list or OCI index ("amd64", "arm64"); none for a single image's manifest.</summary>
    internal static IReadOnlyList<string> Architectures(string? manifest)
    {
        try
        {
            return manifest is not null && JsonNode.Parse(manifest) is JsonObject m && m["manifests"] is JsonArray entries
                ? entries.OfType<JsonObject>().Select(e => e["platform"]?["architecture"]?.GetValue<string>()).OfType<string>().Where(a => a != "unknown").Distinct().ToList()
                : [];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return [];
        }
    }

    private static RegistryManifest Read(HttpStatusCode status, HttpResponseHeaders headers, byte[] content, RegistryCredential? credential)
    {
        var body = Encoding.UTF8.GetString(content);
        switch (status)
        {
            case HttpStatusCode.OK:
                var digest = headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : "sha256:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(content)).ToLowerInvariant();
                return new RegistryManifest(RegistryManifestState.Found, digest, Architectures(body));
            case HttpStatusCode.NotFound:
                return new RegistryManifest(ErrorCodes(body).Contains("NAME_UNKNOWN") ? RegistryManifestState.RepositoryMissing : RegistryManifestState.ImageMissing, Detail: Describe(status, body));
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                return Refused(credential, status, "the manifest");
            default:
                return new RegistryManifest(RegistryManifestState.Unanswered, Detail: Describe(status, body));
        }
    }

    private static RegistryManifest Refused(RegistryCredential? credential, HttpStatusCode status, string what) =>
        new(credential is null ? RegistryManifestState.NeedsCredentials : RegistryManifestState.CredentialsRefused, Detail: $"HTTP {(int)status} for {what}");

    /// <summary>A token from the challenge's realm for pulling the repository: anonymous, or with the credential as basic auth.</summary>
    private static async Task<(HttpStatusCode Status, string? Token)> TokenAsync(Challenge challenge, string repository, RegistryCredential? credential, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (challenge.Service is { } service)
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        query.Add("scope=" + Uri.EscapeDataString(challenge.Scope ?? $"repository:{repository}:pull"));
        var realm = new UriBuilder(challenge.Realm!) { Query = string.Join('&', query) }.Uri;
        var (status, _, body) = await SendAsync(realm, credential is null ? null : Basic(credential), accept: false, timeout, cancellationToken).ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            return (status, null);
        }

        try
        {
            var answer = JsonNode.Parse(body) as JsonObject;
            return (status, (answer?["token"] ?? answer?["access_token"])?.GetValue<string>());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return (status, null);
        }
    }

    private static async Task<(HttpStatusCode Status, HttpResponseHeaders Headers, byte[] Body)> SendAsync(Uri url, AuthenticationHeaderValue? authorization, bool accept, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = authorization;
        if (accept)
        {
            foreach (var type in ManifestTypes)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            }
        }

        using var response = await AwsContext.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bounded.Token).ConfigureAwait(false);
        return (response.StatusCode, response.Headers, await response.Content.ReadAsByteArrayAsync(bounded.Token).ConfigureAwait(false));
    }

    private static AuthenticationHeaderValue Basic(RegistryCredential credential) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.UserName}:{credential.Password}")));

    private static IReadOnlyList<string> ErrorCodes(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["errors"] is JsonArray errors ? errors.Select(e => e?["code"]?.GetValue<string>()).OfType<string>().ToList() : [];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return [];
        }
    }

    private static string Describe(HttpStatusCode status, string body) =>
        ErrorCodes(body) is { Count: > 0 } codes ? $"HTTP {(int)status} {string.Join(", ", codes)}" : $"HTTP {(int)status}";

    /// <summary>A WWW-Authenticate challenge: scheme (lower case) and the realm, service and scope of a Bearer one.</summary>
    internal sealed record Challenge(string Scheme, string? Realm, string? Service, string? Scope)
    {
        public static Challenge? Parse(HttpResponseHeaders headers)
        {
            var header = headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) ?? headers.WwwAuthenticate.FirstOrDefault();
            if (header is null)
            {
                return null;
            }

            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(header.Parameter ?? string.Empty, "(\\w+)=(?:\"([^\"]*)\"|([^,\\s]*))"))
            {
                parameters[m.Groups[1].Value] = m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value;
            }

            return new Challenge(header.Scheme.ToLowerInvariant(), parameters.GetValueOrDefault("realm"), parameters.GetValueOrDefault("service"), parameters.GetValueOrDefault("scope"));
        }
    }

    /// <summary>The registry's API root, /v2: plain HTTP on this machine, as docker itself allows, HTTPS elsewhere.</summary>
    private static string Api(string host) => $"{(IsLoopback(host) ? "http" : "https")}://{host}/v2";

    internal static bool IsLoopback(string host)
    {
        var name = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return name == "localhost" || (IPAddress.TryParse(name, out var ip) && IPAddress.IsLoopback(ip));
    }
}
