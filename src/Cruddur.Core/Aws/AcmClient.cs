using System.Text.Json.Nodes;

namespace Cruddur.Core.Aws;

/// <summary>A DNS validation record ACM asks for: a CNAME in the domain's zone.</summary>
public sealed record ValidationRecord(string Name, string Type, string Value);

/// <summary>An ACM certificate: status (PENDING_VALIDATION, ISSUED, FAILED, …), its names, and the validation records known so far.</summary>
public sealed record Certificate(string Arn, string DomainName, IReadOnlyList<string> SubjectAlternativeNames, string Status, IReadOnlyList<ValidationRecord> ValidationRecords, string? FailureReason);

/// <summary>The AWS Certificate Manager calls the project makes.</summary>
public interface IAcmClient
{
    /// <summary>The ARNs of the certificates for <paramref name="domainName"/> that are pending validation or issued, newest last.</summary>
    Task<IReadOnlyList<string>> FindCertificateArnsAsync(string domainName, CancellationToken cancellationToken);

    /// <summary>The certificate, or null when there is none with that ARN.</summary>
    Task<Certificate?> DescribeCertificateAsync(string arn, CancellationToken cancellationToken);

    /// <summary>Requests a DNS-validated certificate; the same <paramref name="idempotencyToken"/> within an hour gives the same ARN.</summary>
    Task<string> RequestCertificateAsync(string domainName, IReadOnlyList<string> subjectAlternativeNames, string idempotencyToken, CancellationToken cancellationToken);
}

/// <summary>ACM over JSON 1.1 (its AWSSDK package is not available here).</summary>
public sealed class AcmClient : IAcmClient
{
    private readonly IAwsJsonApi _api;

    public AcmClient(IAwsJsonApi api) => _api = api;

    public async Task<IReadOnlyList<string>> FindCertificateArnsAsync(string domainName, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        string? next = null;
        do
        {
            var request = new JsonObject { ["CertificateStatuses"] = new JsonArray("PENDING_VALIDATION", "ISSUED") };
            if (next is not null)
            {
                request["NextToken"] = next;
            }

            var response = await _api.InvokeAsync("ListCertificates", request, cancellationToken).ConfigureAwait(false);
            arns.AddRange((response["CertificateSummaryList"] as JsonArray ?? [])
                .Where(c => string.Equals((string?)c?["DomainName"], domainName, StringComparison.OrdinalIgnoreCase))
                .Select(c => (string)c!["CertificateArn"]!));
            next = (string?)response["NextToken"];
        }
        while (!string.IsNullOrEmpty(next));

        return arns;
    }

    public async Task<Certificate?> DescribeCertificateAsync(string arn, CancellationToken cancellationToken)
    {
        JsonObject response;
        try
        {
            response = await _api.InvokeAsync("DescribeCertificate", new JsonObject { ["CertificateArn"] = arn }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ResourceNotFoundException")
        {
            return null;
        }

        var c = response["Certificate"]!;
        var records = (c["DomainValidationOptions"] as JsonArray ?? [])
            .Select(o => o?["ResourceRecord"])
            .Where(r => r is not null)
            .Select(r => new ValidationRecord((string)r!["Name"]!, (string)r["Type"]!, (string)r["Value"]!))
            .Distinct() // the apex and *.apex share one record
            .ToList();
        return new Certificate((string)c["CertificateArn"]!, (string)c["DomainName"]!,
            (c["SubjectAlternativeNames"] as JsonArray ?? []).Select(n => (string)n!).ToList(), (string)c["Status"]!, records, (string?)c["FailureReason"]);
    }

    public async Task<string> RequestCertificateAsync(string domainName, IReadOnlyList<string> subjectAlternativeNames, string idempotencyToken, CancellationToken cancellationToken)
    {
        var response = await _api.InvokeAsync("RequestCertificate", new JsonObject
        {
            ["DomainName"] = domainName,
            ["SubjectAlternativeNames"] = new JsonArray(subjectAlternativeNames.Select(n => (JsonNode?)n).ToArray()),
            ["ValidationMethod"] = "DNS",
            ["IdempotencyToken"] = idempotencyToken,
        }, cancellationToken, retryServerErrors: false).ConfigureAwait(false);
        return (string)response["CertificateArn"]!;
    }
}
