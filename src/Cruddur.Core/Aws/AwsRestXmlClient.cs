using System.Xml;
using System.Xml.Linq;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>One call to an AWS REST-XML API (Route 53): the seam tests and other clients can replace.</summary>
public interface IAwsRestXmlApi
{
    AwsService Service { get; }

    /// <summary>
    /// Sends <paramref name="body"/> (or nothing) to <paramref name="path"/> and returns the answer's root element.
    /// Throttling is retried; 5xx only for reads (a GET), because a failed change may still have been applied.
    /// </summary>
    Task<XElement> InvokeAsync(string operation, HttpMethod method, string path, IReadOnlyDictionary<string, string>? query, XElement? body, CancellationToken cancellationToken);
}

/// <summary>AWS REST-XML protocol: the resource in the path, XML in and out. Used for Route 53 (no AWSSDK package here).</summary>
public sealed class AwsRestXmlClient : IAwsRestXmlApi
{
    private static readonly Dictionary<string, string> XmlHeaders = new() { ["Content-Type"] = "application/xml" };
    private static readonly Dictionary<string, string> NoQuery = [];

    private readonly AwsTransport _transport;
    private readonly IOperationHost _host;

    public AwsRestXmlClient(AwsContext context, AwsService service, IOperationHost host)
    {
        Service = service;
        _host = host;
        _transport = new AwsTransport(context, service);
    }

    public AwsService Service { get; }

    public Task<XElement> InvokeAsync(string operation, HttpMethod method, string path, IReadOnlyDictionary<string, string>? query, XElement? body, CancellationToken cancellationToken)
    {
        var content = body is null ? [] : System.Text.Encoding.UTF8.GetBytes(body.ToString(SaveOptions.DisableFormatting));
        var headers = body is null ? new Dictionary<string, string>() : XmlHeaders;
        return AwsTransport.WithRetriesAsync(
            $"{Service.EnvName} {operation}",
            async () =>
            {
                var (status, text) = await _transport.SendAsync(operation, method, path, query ?? NoQuery, content, headers, cancellationToken).ConfigureAwait(false);
                XElement? root = null;
                try
                {
                    root = string.IsNullOrWhiteSpace(text) ? null : XElement.Parse(text);
                }
                catch (XmlException)
                {
                    // Not XML (an HTML error page): the status code is all there is.
                }

                if (status is >= 200 and < 300)
                {
                    return root ?? new XElement(operation + "Response");
                }

                var error = root?.DescendantsAndSelf().FirstOrDefault(e => e.Name.LocalName == "Error");
                string? Field(string name) => error?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
                throw new AwsServiceException(Service.EnvName, operation, Field("Code") ?? (status >= 500 ? "InternalFailure" : "HttpError" + status), Field("Message") ?? $"HTTP {status}", status);
            },
            e => e.IsThrottling || (e.IsRetryable && method == HttpMethod.Get),
            _host,
            cancellationToken);
    }
}
