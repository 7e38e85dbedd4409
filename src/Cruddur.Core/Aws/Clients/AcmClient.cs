using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;
using static Cruddur.Core.Aws.AwsJson;

namespace Cruddur.Core.Aws.Clients;

/// <summary>A DNS validation record ACM asks for: a CNAME in the domain's zone.</summary>
internal sealed record ValidationRecord(string Name, string Type, string Value);

/// <summary>An ACM certificate: status (PENDING_VALIDATION, ISSUED, FAILED, …), its names, and the validation records known so far.</summary>
internal sealed record Certificate(string Arn, string DomainName, IReadOnlyList<string> SubjectAlternativeNames, string Status, IReadOnlyList<ValidationRecord> ValidationRecords, string? FailureReason);

/// <summary>The AWS Certificate Manager calls the project makes.</summary>
internal interface IAcmClient
{
    /// <summary>The ARNs of the certificates for <paramref name="domainName"/> that are pending validation or issued, newest last.</summary>
    Task<IReadOnlyList<string>> FindCertificateArnsAsync(string domainName, CancellationToken cancellationToken);

    /// <summary>The certificate, or null when there is none with that ARN.</summary>
    Task<Certificate?> DescribeCertificateAsync(string arn, CancellationToken cancellationToken);

    /// <summary>Requests a DNS-validated certificate; the same <paramref name="idempotencyToken"/> within an hour gives the same ARN.</summary>
    Task<string> RequestCertificateAsync(string domainName, IReadOnlyList<string> subjectAlternativeNames, string idempotencyToken, CancellationToken cancellationToken);
}

/// <summary>ACM over JSON 1.1 (its AWSSDK package is not available here).</summary>
internal sealed class AcmClient : IAcmClient
{
    private readonly JsonProtocol _api;

    public AcmClient(AwsContext context, IOperationHost host) => _api = new JsonProtocol(context, AwsService.Acm, host);

    public async Task<IReadOnlyList<string>> FindCertificateArnsAsync(string domainName, CancellationToken cancellationToken) =>
        await AwsPaginator.AllAsync(next =>
        {
            var request = new JsonObject { ["CertificateStatuses"] = new JsonArray("PENDING_VALIDATION", "ISSUED") };
            if (next is not null)
            {
                request["NextToken"] = next;
            }

            return _api.CallAsync("ListCertificates", request, idempotent: true, r => new AwsPage<string>(
                Objects(r, "CertificateSummaryList").Where(c => string.Equals(OptionalText(c, "DomainName"), domainName, StringComparison.OrdinalIgnoreCase))
                    .Select(c => Text(c, "CertificateArn")).ToList(),
                OptionalText(r, "NextToken")), cancellationToken);
        }, "ACM ListCertificates").ConfigureAwait(false);

    public async Task<Certificate?> DescribeCertificateAsync(string arn, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.CallAsync("DescribeCertificate", new JsonObject { ["CertificateArn"] = arn }, idempotent: true, r =>
            {
                var c = OptionalObject(r, "Certificate") ?? throw new FormatException("'Certificate' is missing");
                var records = Objects(c, "DomainValidationOptions")
                    .Select(o => OptionalObject(o, "ResourceRecord")).OfType<JsonObject>()
                    .Select(x => new ValidationRecord(Text(x, "Name"), Text(x, "Type"), Text(x, "Value")))
                    .Distinct() // the apex and *.apex share one record
                    .ToList();
                return new Certificate(Text(c, "CertificateArn"), Text(c, "DomainName"), Texts(c, "SubjectAlternativeNames"), Text(c, "Status"), records, OptionalText(c, "FailureReason"));
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ResourceNotFoundException")
        {
            return null;
        }
    }

    // Idempotent: the token makes a repeat within the hour return the same certificate.
    public Task<string> RequestCertificateAsync(string domainName, IReadOnlyList<string> subjectAlternativeNames, string idempotencyToken, CancellationToken cancellationToken) =>
        _api.CallAsync("RequestCertificate", new JsonObject
        {
            ["DomainName"] = domainName,
            ["SubjectAlternativeNames"] = new JsonArray(subjectAlternativeNames.Select(n => (JsonNode?)n).ToArray()),
            ["ValidationMethod"] = "DNS",
            ["IdempotencyToken"] = idempotencyToken,
        }, idempotent: true, r => Text(r, "CertificateArn"), cancellationToken);
}
