using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws.Clients;

/// <summary>A Parameter Store parameter: full name and (decrypted) value.</summary>
internal sealed record SsmParameter(string Name, string Value);

/// <summary>A parameter's metadata (DescribeParameters): type (String, StringList, SecureString) and, for a SecureString, its KMS key.</summary>
internal sealed record SsmParameterInfo(string Name, string Type, string? KeyId);

/// <summary>SSM Parameter Store as the module uses it.</summary>
internal interface ISsmClient
{
    /// <summary>Every parameter under <paramref name="path"/> (recursively), SecureStrings decrypted.</summary>
    Task<IReadOnlyList<SsmParameter>> GetParametersByPathAsync(string path, CancellationToken cancellationToken);

    /// <summary>The parameter's metadata (never its value), or null when there is no parameter of that exact name.</summary>
    Task<SsmParameterInfo?> DescribeParameterAsync(string name, CancellationToken cancellationToken);

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

    public Task<SsmParameterInfo?> DescribeParameterAsync(string name, CancellationToken cancellationToken) =>
        _api.CallAsync("DescribeParameters", idempotent: true, async (ssm, token) =>
        {
            var page = await ssm.DescribeParametersAsync(new DescribeParametersRequest
            {
                ParameterFilters = [new ParameterStringFilter { Key = "Name", Option = "Equals", Values = [name] }],
            }, token).ConfigureAwait(false);
            return (page.Parameters ?? []).Where(p => p.Name == name).Select(p => new SsmParameterInfo(p.Name, p.Type?.Value ?? "String", p.KeyId)).FirstOrDefault();
        }, cancellationToken);

    // Not idempotent: each write makes a new version. The SDK's error messages never carry the value.
    public Task<long> PutSecureStringAsync(string name, string value, CancellationToken cancellationToken) =>
        _api.CallAsync("PutParameter", idempotent: false, async (ssm, token) =>
            (await ssm.PutParameterAsync(new PutParameterRequest { Name = name, Value = value, Type = ParameterType.SecureString, Overwrite = true }, token).ConfigureAwait(false)).Version ?? 0,
            cancellationToken);
}
