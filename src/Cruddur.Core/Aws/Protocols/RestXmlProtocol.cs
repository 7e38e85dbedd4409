using System.Text;
using System.Xml.Linq;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws.Protocols;

/// <summary>AWS REST-XML (method + path, XML body and answer, errors as &lt;ErrorResponse&gt;&lt;Error&gt;&lt;Code&gt;): Route53, ...</summary>
internal sealed class RestXmlProtocol
{
    private static readonly Dictionary<string, string> XmlHeaders = new() { ["Content-Type"] = "application/xml" };

    private readonly AwsTransport _transport;
    private readonly IOperationHost _host;

    public RestXmlProtocol(AwsContext context, AwsService service, IOperationHost host)
    {
        _transport = new AwsTransport(context, service);
        _host = host;
    }

    /// <summary>
    /// Sends <paramref name="body"/> (none for GET/DELETE) to <paramref name="path"/> (with its query, values escaped by the
    /// caller) and reads the answer's root element (null for an empty answer) with <paramref name="read"/> inside the attempt.
    /// <paramref name="operation"/> names the call in messages and errors.
    /// </summary>
    public Task<T> CallAsync<T>(string operation, HttpMethod method, string path, XElement? body, bool idempotent, Func<XElement?, T> read, CancellationToken cancellationToken)
    {
        var call = _transport.Call(operation, idempotent);
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body.ToString(SaveOptions.DisableFormatting));
        return _transport.Policy.RunAsync(call, async token =>
        {
            var answer = await _transport.SendAsync(call, method, path, bytes, XmlHeaders, token).ConfigureAwait(false);
            if (!answer.IsSuccess)
            {
                throw AwsErrors.FromWire(call, answer.Status, answer.Text);
            }

            return read(string.IsNullOrWhiteSpace(answer.Text) ? null : AwsErrors.ParseXml(answer.Text));
        }, _host, cancellationToken);
    }
}
