using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Images;

/// <summary>Asks a registry (Docker Registry HTTP API v2, as ECR serves it) which manifest a tag points at.</summary>
internal static class RegistryClient
{
    private static readonly string[] ManifestTypes =
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ];

    /// <summary>The Docker-Content-Digest of repository:tag (HEAD /v2/&lt;repository&gt;/manifests/&lt;tag&gt;, basic auth).</summary>
    public static async Task<string> GetManifestDigestAsync(RegistryCredential credential, string repository, string tag, CancellationToken cancellationToken)
    {
        // Loopback registries speak plain HTTP, as docker itself allows them to.
        var scheme = IsLoopback(credential.Host) ? "http" : "https";
        using var request = new HttpRequestMessage(HttpMethod.Head, $"{scheme}://{credential.Host}/v2/{repository}/manifests/{tag}");
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

    internal static bool IsLoopback(string host)
    {
        var name = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return name == "localhost" || (IPAddress.TryParse(name, out var ip) && IPAddress.IsLoopback(ip));
    }
}
