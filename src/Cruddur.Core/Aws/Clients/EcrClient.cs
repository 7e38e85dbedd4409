using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;
using static Cruddur.Core.Aws.AwsJson;

namespace Cruddur.Core.Aws.Clients;

/// <summary>An ECR repository as the module needs it: name, ARN and URI (registry/name).</summary>
internal sealed record EcrRepository(string Name, string Arn, string Uri)
{
    public string Registry => Uri[..Uri.IndexOf('/', StringComparison.Ordinal)];
}

/// <summary>What GetAuthorizationToken gave: the base64 "user:password" token (a secret), the registry URL and the expiry.</summary>
internal sealed record EcrAuthorization(string? Token, string? ProxyEndpoint, DateTimeOffset? ExpiresAt)
{
    public override string ToString() => $"{ProxyEndpoint} (expires {ExpiresAt:u})";
}

/// <summary>What BatchGetImage found for one image reference.</summary>
internal enum EcrImageState
{
    Found,
    RepositoryMissing,
    ImageMissing,
}

/// <summary>
/// One image in ECR: whether it is there, its digest, and the architectures its manifest names (empty when the manifest is
/// a single image's, whose architecture is only in its config blob).
/// </summary>
internal sealed record EcrImage(EcrImageState State, string? Digest = null, IReadOnlyList<string>? Architectures = null);

/// <summary>Amazon ECR as the module uses it.</summary>
internal interface IEcrClient
{
    /// <summary>The repository, or null when it does not exist.</summary>
    Task<EcrRepository?> FindRepositoryAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates the repository (MUTABLE tags, scan on push, as the seed does); null when it already exists.</summary>
    Task<EcrRepository?> CreateRepositoryAsync(string name, CancellationToken cancellationToken);

    /// <summary>A registry token for the caller's default registry.</summary>
    Task<EcrAuthorization> GetAuthorizationTokenAsync(CancellationToken cancellationToken);

    /// <summary>The image <paramref name="reference"/> (a tag, or a digest sha256:...) of a repository in registry (account) <paramref name="registryId"/>.</summary>
    Task<EcrImage> FindImageAsync(string registryId, string repository, string reference, CancellationToken cancellationToken);
}

/// <summary><see cref="IEcrClient"/> over AWS JSON 1.1.</summary>
internal sealed class EcrClient : IEcrClient
{
    private readonly JsonProtocol _api;

    public EcrClient(AwsContext context, IOperationHost host) => _api = new JsonProtocol(context, AwsService.Ecr, host);

    public async Task<EcrRepository?> FindRepositoryAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.CallAsync("DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray(name) }, idempotent: true,
                r => Objects(r, "repositories").Select(Read).FirstOrDefault(), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "RepositoryNotFoundException")
        {
            return null;
        }
    }

    public async Task<EcrRepository?> CreateRepositoryAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.CallAsync("CreateRepository", new JsonObject
            {
                ["repositoryName"] = name,
                ["imageTagMutability"] = "MUTABLE",
                ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = true },
            }, idempotent: false, r => Read(OptionalObject(r, "repository") ?? throw new FormatException("'repository' is missing")), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "RepositoryAlreadyExistsException")
        {
            return null;
        }
    }

    public Task<EcrAuthorization> GetAuthorizationTokenAsync(CancellationToken cancellationToken) =>
        _api.CallAsync("GetAuthorizationToken", new JsonObject(), idempotent: true, r =>
        {
            var data = Objects(r, "authorizationData").FirstOrDefault();
            return new EcrAuthorization(OptionalText(data, "authorizationToken"), OptionalText(data, "proxyEndpoint"), AwsTime.Parse(data?["expiresAt"]));
        }, cancellationToken);

    public async Task<EcrImage> FindImageAsync(string registryId, string repository, string reference, CancellationToken cancellationToken)
    {
        var id = reference.StartsWith("sha256:", StringComparison.Ordinal) ? new JsonObject { ["imageDigest"] = reference } : new JsonObject { ["imageTag"] = reference };
        try
        {
            return await _api.CallAsync("BatchGetImage", new JsonObject
            {
                ["registryId"] = registryId,
                ["repositoryName"] = repository,
                ["imageIds"] = new JsonArray(id),
                ["acceptedMediaTypes"] = new JsonArray(Images.RegistryClient.ManifestTypes.Select(t => (JsonNode)t).ToArray()),
            }, idempotent: true, r => Objects(r, "images").FirstOrDefault() is { } image
                ? new EcrImage(EcrImageState.Found, OptionalText(OptionalObject(image, "imageId"), "imageDigest"), Images.RegistryClient.Architectures(OptionalText(image, "imageManifest")))
                : new EcrImage(EcrImageState.ImageMissing), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "RepositoryNotFoundException")
        {
            return new EcrImage(EcrImageState.RepositoryMissing);
        }
    }

    private static EcrRepository Read(JsonObject repository) =>
        new(Text(repository, "repositoryName"), Text(repository, "repositoryArn"), Text(repository, "repositoryUri"));
}
