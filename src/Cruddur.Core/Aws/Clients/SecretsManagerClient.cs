using System.Text.Json;
using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;
using Cruddur.Core.Images;
using static Cruddur.Core.Aws.AwsJson;

namespace Cruddur.Core.Aws.Clients;

/// <summary>What DescribeSecret says about a secret: its ARN, its customer KMS key (null: aws/secretsmanager) and its versions with their stages.</summary>
internal sealed record SecretInfo(string Arn, string? KmsKeyId, IReadOnlyDictionary<string, IReadOnlyList<string>> Versions);

/// <summary>
/// AWS Secrets Manager as the deploy checks use it. Secret values never leave this client, but for a private registry's
/// credentials (repositoryCredentials), which go only to that registry.
/// </summary>
internal interface ISecretsManagerClient
{
    /// <summary>The secret (by name or ARN), or null when there is none.</summary>
    Task<SecretInfo?> DescribeSecretAsync(string secretId, CancellationToken cancellationToken);

    /// <summary>
    /// The top-level keys of the secret's JSON value in the given version (stage or id; null: AWSCURRENT), or null when
    /// the value is not a JSON object. The value itself is read and dropped here.
    /// </summary>
    Task<IReadOnlyCollection<string>?> JsonKeysAsync(string secretId, string? versionStage, string? versionId, CancellationToken cancellationToken);

    /// <summary>
    /// The registry credential in the secret's current value, as ECS reads a repositoryCredentials.credentialsParameter
    /// (a JSON object with non-empty "username" and "password"), or null when the value is not such an object.
    /// </summary>
    Task<RegistryCredential?> RegistryCredentialAsync(string secretId, string registryHost, CancellationToken cancellationToken);
}

/// <summary><see cref="ISecretsManagerClient"/> over AWS JSON 1.1.</summary>
internal sealed class SecretsManagerClient : ISecretsManagerClient
{
    private readonly JsonProtocol _api;

    public SecretsManagerClient(AwsContext context, IOperationHost host) => _api = new JsonProtocol(context, AwsService.SecretsManager, host);

    public async Task<SecretInfo?> DescribeSecretAsync(string secretId, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.CallAsync("DescribeSecret", new JsonObject { ["SecretId"] = secretId }, idempotent: true, r => new SecretInfo(
                Text(r, "ARN"),
                OptionalText(r, "KmsKeyId"),
                (OptionalObject(r, "VersionIdsToStages") ?? []).ToDictionary(p => p.Key, p => (IReadOnlyList<string>)Texts(OptionalObject(r, "VersionIdsToStages"), p.Key), StringComparer.Ordinal)),
                cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ResourceNotFoundException")
        {
            return null;
        }
    }

    public Task<IReadOnlyCollection<string>?> JsonKeysAsync(string secretId, string? versionStage, string? versionId, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["SecretId"] = secretId };
        if (versionStage is not null)
        {
            request["VersionStage"] = versionStage;
        }

        if (versionId is not null)
        {
            request["VersionId"] = versionId;
        }

        return _api.CallAsync("GetSecretValue", request, idempotent: true, r => Keys(OptionalText(r, "SecretString")), cancellationToken);
    }

    public Task<RegistryCredential?> RegistryCredentialAsync(string secretId, string registryHost, CancellationToken cancellationToken) =>
        _api.CallAsync("GetSecretValue", new JsonObject { ["SecretId"] = secretId }, idempotent: true, r => Credential(OptionalText(r, "SecretString"), registryHost), cancellationToken);

    private static RegistryCredential? Credential(string? value, string registryHost)
    {
        try
        {
            return value is not null && JsonNode.Parse(value) is JsonObject map
                && map["username"] is JsonValue user && user.TryGetValue<string>(out var name) && name.Length > 0
                && map["password"] is JsonValue secret && secret.TryGetValue<string>(out var password) && password.Length > 0
                ? new RegistryCredential(registryHost, name, password, DateTimeOffset.MaxValue)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IReadOnlyCollection<string>? Keys(string? value)
    {
        try
        {
            return value is not null && JsonNode.Parse(value) is JsonObject map ? map.Select(p => p.Key).ToList() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
