using Amazon.Runtime;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws.Protocols;

/// <summary>
/// An AWSSDK service client (SSM, STS, EC2: the packages that are served) behind the same policy as the own protocols:
/// its retries are off and its timeout bounded (<see cref="AwsContext.ConfigureSdk"/>), every call runs under
/// <see cref="AwsRetryPolicy"/> and its failures go through <see cref="AwsErrors"/>.
/// </summary>
internal sealed class SdkProtocol<TClient>
    where TClient : AmazonServiceClient
{
    private readonly AwsContext _context;
    private readonly AwsService _service;
    private readonly IOperationHost _host;
    private readonly Lazy<TClient> _client;

    /// <param name="create">Builds the SDK client from the credentials and a configuration made by <see cref="AwsContext.ConfigureSdk"/>.</param>
    public SdkProtocol(AwsContext context, AwsService service, IOperationHost host, Func<AWSCredentials, AwsContext, TClient> create)
    {
        _context = context;
        _service = service;
        _host = host;
        _client = new Lazy<TClient>(() => create(context.Credentials, context));
    }

    public Task<T> CallAsync<T>(string operation, bool idempotent, Func<TClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var aws = new AwsCall(_service.EnvName, operation, idempotent, _context.EndpointFor(_service));
        return _context.Policy.RunAsync(aws, token =>
        {
            _context.Calls.Add(aws);
            return call(_client.Value, token);
        }, _host, cancellationToken);
    }
}
