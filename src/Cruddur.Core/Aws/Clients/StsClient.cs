using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws.Clients;

/// <summary>AWS STS as the module uses it.</summary>
internal interface IStsClient
{
    /// <summary>The caller's account id (GetCallerIdentity).</summary>
    Task<string> GetAccountIdAsync(CancellationToken cancellationToken);
}

/// <summary><see cref="IStsClient"/> through AWSSDK.SecurityToken, under the module's retry policy.</summary>
internal sealed class StsClient : IStsClient
{
    private readonly SdkProtocol<AmazonSecurityTokenServiceClient> _api;

    public StsClient(AwsContext context, IOperationHost host) =>
        _api = new(context, AwsService.Sts, host, (credentials, aws) => new AmazonSecurityTokenServiceClient(credentials, aws.ConfigureSdk(new AmazonSecurityTokenServiceConfig(), AwsService.Sts)));

    public Task<string> GetAccountIdAsync(CancellationToken cancellationToken) =>
        _api.CallAsync("GetCallerIdentity", idempotent: true, async (sts, token) =>
            (await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), token).ConfigureAwait(false)).Account
            ?? throw new FormatException("'Account' is missing"), cancellationToken);
}
