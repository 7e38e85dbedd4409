using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Transform;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>
/// The one translator from an AWS failure to <see cref="CruddurException"/>: a service's error answer (JSON, XML, or an
/// HTML/empty body) keeps the service's code as <see cref="AwsServiceException"/> (id by kind: AwsNotFound,
/// AwsThrottled, ...); everything else gets a fixed Aws… id of its own (unreachable, timeout, invalid or too large answer).
/// </summary>
internal static class AwsErrors
{
    /// <summary>Any exception raised while making <paramref name="call"/> (see <see cref="AwsRetryPolicy.RunAsync"/>).</summary>
    public static CruddurException Translate(AwsCall call, Exception e) => e switch
    {
        CruddurException known => known,
        _ when Find<ResponseTooLargeException>(e) is { } large => TooLarge(call, large.Cap),
        AmazonUnmarshallingException u when (int)u.StatusCode is >= 200 and < 300 => InvalidResponse(call, "the answer could not be read", u),
        AmazonServiceException s when (int)s.StatusCode == 0 && Unreachable(s) is { } cause => Unreachable(call, cause),
        AmazonServiceException s => new AwsServiceException(call.Service, call.Operation,
            string.IsNullOrEmpty(s.ErrorCode) ? DefaultCode((int)s.StatusCode) : s.ErrorCode, s.Message, (int)s.StatusCode, s),
        HttpRequestException or SocketException => Unreachable(call, e),
        AmazonClientException c when Unreachable(c) is { } cause => Unreachable(call, cause),
        JsonException or XmlException or FormatException or InvalidOperationException or InvalidCastException or AmazonClientException =>
            InvalidResponse(call, e.Message, e),
        _ => new CruddurException(ErrorIds.AwsCallFailed, ErrorKind.NotSpecified, $"{call} failed unexpectedly ({e.GetType().Name}): {e.Message}", e, call.Operation),
    };

    /// <summary>An error answer (status ≥ 300): AWS JSON (<c>__type</c>, <c>message</c>), AWS XML (<c>&lt;Error&gt;&lt;Code&gt;</c>), or anything else.</summary>
    public static AwsServiceException FromWire(AwsCall call, int status, string body)
    {
        string? code = null;
        string? message = null;
        var text = body.TrimStart();
        try
        {
            if (text.StartsWith('{') && JsonNode.Parse(text) is JsonObject error)
            {
                code = AwsJson.TextOrNull(error["__type"]) ?? AwsJson.TextOrNull(error["code"]) ?? AwsJson.TextOrNull(error["Code"]);
                message = AwsJson.TextOrNull(error["message"]) ?? AwsJson.TextOrNull(error["Message"]);
            }
            else if (text.StartsWith('<') && ParseXml(text).Descendants().FirstOrDefault(e => e.Name.LocalName == "Error") is { } xml)
            {
                code = xml.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
                message = xml.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
            }
        }
        catch (Exception e) when (e is JsonException or XmlException)
        {
            // An HTML page or a cut-off body: the status code is all there is.
        }

        if (!string.IsNullOrWhiteSpace(code))
        {
            code = code[(code.LastIndexOf('#') + 1)..];
            var colon = code.IndexOf(':', StringComparison.Ordinal);
            code = colon >= 0 ? code[..colon] : code;
        }

        return new AwsServiceException(call.Service, call.Operation, string.IsNullOrWhiteSpace(code) ? DefaultCode(status) : code,
            message ?? $"HTTP {status}", status);
    }

    /// <summary>A 2xx answer that is not what the API promises (HTML, garbage, wrong JSON types).</summary>
    public static CruddurException InvalidResponse(AwsCall call, string detail, Exception? inner = null) =>
        new(ErrorIds.AwsResponseInvalid, ErrorKind.InvalidData,
            $"{call} answered with something that is not a valid {call.Service} response ({detail}). Check that {call.Endpoint} is an AWS endpoint.",
            inner, call.Endpoint.ToString());

    public static CruddurException TooLarge(AwsCall call, int cap) =>
        new(ErrorIds.AwsResponseTooLarge, ErrorKind.InvalidData,
            $"{call} answered with more than {cap / 1024 / 1024} MiB, more than any answer the module expects. Check that {call.Endpoint} is an AWS endpoint.",
            target: call.Endpoint.ToString());

    public static CruddurException Unreachable(AwsCall call, Exception e) =>
        new(ErrorIds.AwsEndpointUnreachable, ErrorKind.ConnectionError,
            $"Could not reach the {call.Service} endpoint {call.Endpoint}: {e.Message}. Check the endpoint and your network.",
            e, call.Endpoint.ToString());

    public static CruddurException Timeout(AwsCall call, TimeSpan limit, bool wholeCall, Exception e) =>
        new(ErrorIds.AwsRequestTimeout, ErrorKind.OperationTimeout,
            wholeCall
                ? $"{call} did not succeed within {limit.TotalSeconds:0.#} s (with retries). Check the endpoint {call.Endpoint} and your network, then try again."
                : $"{call} did not answer within {limit.TotalSeconds:0.#} s. Check the endpoint {call.Endpoint} and your network.",
            e, call.Endpoint.ToString());

    /// <summary>AWS XML with DTDs refused: an endpoint's answer must not make the parser fetch or expand anything.</summary>
    public static XElement ParseXml(string text)
    {
        using var reader = XmlReader.Create(new StringReader(text), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        return XElement.Load(reader);
    }

    private static string DefaultCode(int status) => status >= 500 ? "InternalFailure" : "HttpError" + status;

    private static T? Find<T>(Exception e)
        where T : Exception
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static Exception? Unreachable(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException or SocketException)
            {
                return inner;
            }
        }

        return null;
    }
}
