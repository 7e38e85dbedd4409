using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws.Clients;

/// <summary>A Parameter Store parameter: full name and (decrypted) value.</summary>
public sealed record SsmParameter(string Name, string Value);

/// <summary>SSM Parameter Store as the module uses it.</summary>
public interface ISsmClient
{
    /// <summary>Every parameter under <paramref name="path"/> (recursively), SecureStrings decrypted.</summary>
    Task<IReadOnlyList<SsmParameter>> GetParametersByPathAsync(string path, CancellationToken cancellationToken);

    /// <summary>Writes a SecureString, overwriting any current value; returns the new version.</summary>
    Task<long> PutSecureStringAsync(string name, string value, CancellationToken cancellationToken);
}

/// <summary><see cref="ISsmClient"/> through AWSSDK.SimpleSystemsManagement, under the module's retry policy.</summary>
internal sealed class SsmClient : ISsmClient
{
    private readonly SdkProtocol<AmazonSimpleSystemsManagementClient> _api;

    public SsmClient(AwsContext context, IOperationHost host) =>
        _api = new(context, AwsService.Ssm, host, (credentials, aws) => new AmazonSimpleSystemsManagementClient(credentials, aws.ConfigureSdk(new AmazonSimpleSystemsManagementConfig(), AwsService.Ssm)));

    public async Task<IReadOnlyList<SsmParameter>> GetParametersByPathAsync(string path, CancellationToken cancellationToken) =>
        await AwsPaginator.AllAsync(token => _api.CallAsync("GetParametersByPath", idempotent: true, async (ssm, t) =>
        {
            var page = await ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = path, Recursive = true, WithDecryption = true, NextToken = token }, t).ConfigureAwait(false);
            return new AwsPage<SsmParameter>((page.Parameters ?? []).Select(p => new SsmParameter(p.Name, p.Value)).ToList(), page.NextToken);
        }, cancellationToken), "SSM GetParametersByPath").ConfigureAwait(false);

    // Not idempotent: each write makes a new version. The SDK's error messages never carry the value.
    public Task<long> PutSecureStringAsync(string name, string value, CancellationToken cancellationToken) =>
        _api.CallAsync("PutParameter", idempotent: false, async (ssm, token) =>
            (await ssm.PutParameterAsync(new PutParameterRequest { Name = name, Value = value, Type = ParameterType.SecureString, Overwrite = true }, token).ConfigureAwait(false)).Version ?? 0,
            cancellationToken);
}
