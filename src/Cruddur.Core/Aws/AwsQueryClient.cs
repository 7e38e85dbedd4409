using System.Xml;
using System.Xml.Linq;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>One call to an AWS Query API (IAM): the seam tests and other clients can replace.</summary>
public interface IAwsQueryApi
{
    AwsService Service { get; }

    /// <summary>
    /// Calls <paramref name="action"/> with form parameters (flattened as the Query protocol wants: "Tags.member.1.Key")
    /// and returns the &lt;ActionResult&gt; element. Throttling and 5xx are retried with jittered backoff.
    /// </summary>
    Task<XElement> InvokeAsync(string action, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken);
}

/// <summary>AWS Query protocol (form-encoded POST, XML answer). Used for IAM, whose AWSSDK package is not available here.</summary>
public sealed class AwsQueryClient : IAwsQueryApi
{
    private static readonly Dictionary<string, string> FormHeaders = new() { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" };

    private readonly AwsTransport _transport;
    private readonly IOperationHost _host;
    private readonly string _version;

    public AwsQueryClient(AwsContext context, AwsService service, string apiVersion, IOperationHost host)
    {
        Service = service;
        _host = host;
        _version = apiVersion;
        _transport = new AwsTransport(context, service);
    }

    public AwsService Service { get; }

    /// <summary>IAM, API version 2010-05-08.</summary>
    public static AwsQueryClient ForIam(AwsContext context, IOperationHost host) => new(context, AwsService.Iam, "2010-05-08", host);

    /// <summary>Elastic Load Balancing v2, API version 2015-12-01.</summary>
    public static AwsQueryClient ForElbv2(AwsContext context, IOperationHost host) => new(context, AwsService.Elbv2, "2015-12-01", host);

    public Task<XElement> InvokeAsync(string action, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>(parameters) { ["Action"] = action, ["Version"] = _version };
        var body = System.Text.Encoding.UTF8.GetBytes(string.Join("&", form.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
        return AwsTransport.WithRetriesAsync(
            $"{Service.EnvName} {action}",
            async () =>
            {
                var (status, text) = await _transport.SendAsync(action, body, FormHeaders, cancellationToken).ConfigureAwait(false);
                XElement? root = null;
                try
                {
                    root = XElement.Parse(text);
                }
                catch (XmlException)
                {
                    // Not XML (an HTML error page): the status code is all there is.
                }

                if (status is >= 200 and < 300 && root is not null)
                {
                    return root.Elements().FirstOrDefault(e => e.Name.LocalName == action + "Result") ?? new XElement(action + "Result");
                }

                var error = root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
                string? Field(string name) => error?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
                throw new AwsServiceException(Service.EnvName, action, Field("Code") ?? (status >= 500 ? "InternalFailure" : "HttpError" + status), Field("Message") ?? $"HTTP {status}", status);
            },
            e => e.IsRetryable,
            _host,
            cancellationToken);
    }
}
