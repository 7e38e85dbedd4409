using System.Text;
using System.Xml.Linq;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws.Protocols;

/// <summary>AWS Query (form-encoded POST, XML answer): IAM, ELBv2, ...</summary>
internal sealed class QueryProtocol
{
    private static readonly Dictionary<string, string> FormHeaders = new() { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" };

    private readonly AwsTransport _transport;
    private readonly string _version;
    private readonly IOperationHost _host;

    public QueryProtocol(AwsContext context, AwsService service, string apiVersion, IOperationHost host)
    {
        _transport = new AwsTransport(context, service);
        _version = apiVersion;
        _host = host;
    }

    /// <summary>
    /// Calls <paramref name="action"/> with form parameters (flattened as Query wants them: "Tags.member.1.Key") and reads
    /// the &lt;ActionResult&gt; element with <paramref name="read"/> inside the attempt.
    /// </summary>
    public Task<T> CallAsync<T>(string action, IReadOnlyDictionary<string, string> parameters, bool idempotent, Func<XElement, T> read, CancellationToken cancellationToken)
    {
        var call = _transport.Call(action, idempotent);
        var form = new Dictionary<string, string>(parameters) { ["Action"] = action, ["Version"] = _version };
        var body = Encoding.UTF8.GetBytes(string.Join("&", form.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
        return _transport.Policy.RunAsync(call, async token =>
        {
            var answer = await _transport.SendAsync(call, HttpMethod.Post, "/", body, FormHeaders, token).ConfigureAwait(false);
            if (!answer.IsSuccess)
            {
                throw AwsErrors.FromWire(call, answer.Status, answer.Text);
            }

            var root = AwsErrors.ParseXml(answer.Text);
            return read(root.Elements().FirstOrDefault(e => e.Name.LocalName == action + "Result") ?? new XElement(action + "Result"));
        }, _host, cancellationToken);
    }

    /// <summary>A call whose answer is not needed.</summary>
    public Task CallAsync(string action, IReadOnlyDictionary<string, string> parameters, bool idempotent, CancellationToken cancellationToken) =>
        CallAsync(action, parameters, idempotent, _ => true, cancellationToken);
}
