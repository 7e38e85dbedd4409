using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>Transitional: the untyped JSON 1.1 seam the call sites still use until they move to the typed clients.</summary>
public interface IAwsJsonApi
{
    AwsService Service { get; }

    Task<JsonObject> InvokeAsync(string operation, JsonObject request, CancellationToken cancellationToken, bool retryServerErrors = true);
}

/// <summary>Transitional adapter onto <see cref="JsonProtocol"/>.</summary>
public sealed class AwsJsonClient : IAwsJsonApi
{
    private readonly JsonProtocol _api;

    public AwsJsonClient(AwsContext context, AwsService service, IOperationHost host)
    {
        Service = service;
        _api = new JsonProtocol(context, service, host);
    }

    public AwsService Service { get; }

    public Task<JsonObject> InvokeAsync(string operation, JsonObject request, CancellationToken cancellationToken, bool retryServerErrors = true) =>
        _api.CallAsync(operation, request, retryServerErrors, r => r, cancellationToken);
}
