using System.Collections.Concurrent;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;
using Cruddur.Core.Images;

namespace Cruddur.Core.Deployments.Preflight;

/// <summary>The clients the deploy checks read through; nothing here changes anything.</summary>
internal sealed record PreflightClients(
    IEcrClient Ecr,
    IIamClient Iam,
    ISsmClient Ssm,
    ISecretsManagerClient Secrets,
    IEc2Client Ec2,
    IElbv2Client Elb,
    Func<string, ILogsClient> LogsIn,
    Func<CancellationToken, Task<string>> AccountId,
    string Region);

/// <summary>
/// What AWS says about each prerequisite, asked once per run: two services naming the same role, log group or subnet
/// share one answer (and one call in flight).
/// </summary>
internal sealed class PreflightFacts(PreflightClients clients, IOperationHost host)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<object?>>> _answers = new(StringComparer.Ordinal);

    public PreflightClients Clients => clients;

    public Task<string> AccountAsync(CancellationToken token) => Once("account", async () => await clients.AccountId(token).ConfigureAwait(false));

    public Task<TaskRoleFacts> RoleAsync(string roleArn, CancellationToken token) =>
        Once("role:" + TaskRoleFacts.NameFromArn(roleArn), () => RoleReader.ReadAsync(clients.Iam, host, roleArn, token));

    public Task<EcrImage> ImageAsync(string registryId, string repository, string reference, CancellationToken token) =>
        Once($"image:{registryId}/{repository}:{reference}", () => clients.Ecr.FindImageAsync(registryId, repository, reference, token));

    public Task<SsmParameterInfo?> ParameterAsync(string name, CancellationToken token) =>
        Once("ssm:" + name, () => clients.Ssm.DescribeParameterAsync(name, token));

    public Task<SecretInfo?> SecretAsync(string secretId, CancellationToken token) =>
        Once("secret:" + secretId, () => clients.Secrets.DescribeSecretAsync(secretId, token));

    public Task<IReadOnlyCollection<string>?> SecretKeysAsync(string secretId, string? stage, string? versionId, CancellationToken token) =>
        Once($"secret-keys:{secretId}:{stage}:{versionId}", () => clients.Secrets.JsonKeysAsync(secretId, stage, versionId, token));

    public Task<RegistryCredential?> RegistryCredentialAsync(string secretId, string registryHost, CancellationToken token) =>
        Once($"registry-credential:{secretId}:{registryHost}", () => clients.Secrets.RegistryCredentialAsync(secretId, registryHost, token));

    /// <summary>
    /// The manifest of an image outside ECR, asked of its registry with the credential of the named secret (or anonymously);
    /// a registry that cannot be reached is tried once for all its images.
    /// </summary>
    public Task<RegistryManifest> ManifestAsync(DeployPreflight.ImageReference image, RegistryCredential? credential, string? credentialSecret, CancellationToken token) =>
        Once($"manifest:{image.RegistryHost}/{image.RegistryRepository}:{image.Reference}:{credentialSecret}", async () =>
            await Once("registry:" + image.RegistryHost, () => RegistryClient.UnreachableAsync(image.RegistryHost, token)).ConfigureAwait(false) is { } reason
                ? new RegistryManifest(RegistryManifestState.Unreachable, Detail: reason)
                : await RegistryClient.ResolveAsync(image.RegistryHost, image.RegistryRepository, image.Reference, credential, token).ConfigureAwait(false));

    public Task<LogGroup?> LogGroupAsync(string region, string name, CancellationToken token) =>
        Once($"log-group:{region}:{name}", () => clients.LogsIn(region).FindLogGroupAsync(name, token));

    public Task<IReadOnlyList<SubnetInfo>> SubnetsAsync(IReadOnlyList<string> ids, CancellationToken token) =>
        Once("subnets:" + string.Join(',', ids.Order(StringComparer.Ordinal)), () => clients.Ec2.DescribeSubnetsAsync(ids, token));

    public Task<IReadOnlyList<SecurityGroupInfo>> SecurityGroupsAsync(IReadOnlyList<string> ids, CancellationToken token) =>
        Once("groups:" + string.Join(',', ids.Order(StringComparer.Ordinal)), () => clients.Ec2.DescribeSecurityGroupsAsync(ids, token));

    public Task<IReadOnlyList<RouteTableInfo>> RouteTablesAsync(string vpcId, CancellationToken token) =>
        Once("routes:" + vpcId, () => clients.Ec2.RouteTablesAsync(vpcId, token));

    public Task<IReadOnlyList<string>> EndpointsAsync(string vpcId, CancellationToken token) =>
        Once("endpoints:" + vpcId, () => clients.Ec2.VpcEndpointServicesAsync(vpcId, token));

    public Task<TargetGroup?> TargetGroupAsync(string arn, CancellationToken token) =>
        Once("target-group:" + arn, () => clients.Elb.GetTargetGroupAsync(arn, token));

    private async Task<T> Once<T>(string key, Func<Task<T>> read) =>
        (T)(await _answers.GetOrAdd(key, _ => new Lazy<Task<object?>>(async () => await read().ConfigureAwait(false))).Value.ConfigureAwait(false))!;
}
