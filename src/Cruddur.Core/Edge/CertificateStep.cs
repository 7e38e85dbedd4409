using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Edge;

/// <summary>
/// The certificate for the domain and *.domain (or the one given by ARN): requested when missing, DNS-validated with its
/// CNAME records UPSERTed in the zone, and waited for until ISSUED (with progress and a timeout). An issued certificate
/// whose validation records are gone from the zone gets them back: ACM needs them to renew.
/// </summary>
internal sealed class CertificateStep : InfrastructureStep
{
    private const int ProgressId = 81;
    private const string Issued = "ISSUED";

    private readonly IAcmClient _acm;
    private readonly IRoute53Client _route53;
    private readonly EdgeState _state;
    private readonly IOperationHost _host;
    private readonly string? _arn;
    private readonly TimeSpan _timeout;
    private readonly string[] _names;

    public CertificateStep(IAcmClient acm, IRoute53Client route53, EdgeState state, IOperationHost host, string domain, string? arn, TimeSpan timeout)
        : base("Certificate", domain)
    {
        _acm = acm;
        _route53 = route53;
        _state = state;
        _host = host;
        _arn = arn;
        _timeout = timeout;
        _names = [domain, "*." + domain];
    }

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        var certificate = await FindCertificateAsync(cancellationToken).ConfigureAwait(false);
        if (certificate is null)
        {
            return null;
        }

        _state.CertificateArn = certificate.Arn;
        var missing = await MissingRecordsAsync(certificate, cancellationToken).ConfigureAwait(false);
        var drift = new List<string>();
        if (certificate.Status != Issued)
        {
            drift.Add(certificate.Status);
        }

        if (missing.Count > 0)
        {
            drift.Add($"{missing.Count} validation record(s) not in the zone");
        }

        return new ObservedResource(certificate.Arn, drift.Count == 0 ? null : string.Join("; ", drift), certificate.Status);
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        // The same token within an hour returns the same certificate, so a retried run does not request a second one.
        var token = "cruddur" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Name)))[..24];
        var arn = await _acm.RequestCertificateAsync(Name, _names, token, cancellationToken).ConfigureAwait(false);
        _state.CertificateArn = arn;
        await ValidateAsync(arn, cancellationToken).ConfigureAwait(false);
        return arn;
    }

    internal override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) => ValidateAsync(found.Id, cancellationToken);

    private async Task<Certificate?> FindCertificateAsync(CancellationToken cancellationToken)
    {
        if (_arn is not null)
        {
            var given = await _acm.DescribeCertificateAsync(_arn, cancellationToken).ConfigureAwait(false)
                ?? throw new CruddurException(ErrorIds.EdgeCertificateNotFound, ErrorKind.ObjectNotFound,
                    $"ACM has no certificate '{_arn}' in this account and region. ('aws acm list-certificates' lists them).", target: _arn);
            if (!Covers(given))
            {
                throw new CruddurException(ErrorIds.EdgeCertificateMismatch, ErrorKind.InvalidArgument,
                    $"The certificate '{_arn}' is for {string.Join(", ", given.SubjectAlternativeNames)}, which does not cover {Name} and api.{Name}. A certificate for {Name} and *.{Name} would.", target: _arn);
            }

            return given;
        }

        Certificate? best = null;
        foreach (var arn in await _acm.FindCertificateArnsAsync(Name, cancellationToken).ConfigureAwait(false))
        {
            var candidate = await _acm.DescribeCertificateAsync(arn, cancellationToken).ConfigureAwait(false);
            if (candidate is not null && Covers(candidate) && (best is null || (best.Status != Issued && candidate.Status == Issued)))
            {
                best = candidate;
            }
        }

        return best;
    }

    private bool Covers(Certificate certificate) =>
        _names.All(n => certificate.SubjectAlternativeNames.Contains(n, StringComparer.OrdinalIgnoreCase))
        || (certificate.SubjectAlternativeNames.Contains(Name, StringComparer.OrdinalIgnoreCase) && certificate.SubjectAlternativeNames.Contains("api." + Name, StringComparer.OrdinalIgnoreCase));

    private async Task<List<ValidationRecord>> MissingRecordsAsync(Certificate certificate, CancellationToken cancellationToken)
    {
        if (_state.Zone is null)
        {
            return [.. certificate.ValidationRecords];
        }

        var present = await _route53.ListRecordSetsAsync(_state.Zone.Id, cancellationToken).ConfigureAwait(false);
        return certificate.ValidationRecords.Where(r => !present.Any(p =>
            p.Type == r.Type && SameName(p.Name, r.Name) && p.Values.Any(v => SameName(v, r.Value)))).ToList();
    }

    private static bool SameName(string a, string b) => string.Equals(a.TrimEnd('.'), b.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

    /// <summary>UPSERTs the validation records as soon as ACM names them, then polls until ISSUED, a failure, or the timeout.</summary>
    private async Task ValidateAsync(string arn, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var interval = TimeSpan.FromMilliseconds(Math.Clamp(_timeout.TotalMilliseconds / 20, 250, 5000));
        var written = false;
        var status = "requested";
        try
        {
            while (true)
            {
                var certificate = await _acm.DescribeCertificateAsync(arn, cancellationToken).ConfigureAwait(false)
                    ?? throw new CruddurException(ErrorIds.EdgeCertificateNotFound, ErrorKind.ObjectNotFound, $"The certificate '{arn}' disappeared while waiting for it. Run again to request a new one.", target: arn);
                if (!written && certificate.ValidationRecords.Count > 0 && _state.Zone is not null)
                {
                    var missing = await MissingRecordsAsync(certificate, cancellationToken).ConfigureAwait(false);
                    if (missing.Count > 0)
                    {
                        await _route53.UpsertRecordSetsAsync(_state.Zone.Id, missing.Select(r => RecordSet.Cname(r.Name, r.Value)).ToList(), cancellationToken).ConfigureAwait(false);
                        _host.WriteVerbose($"Wrote {missing.Count} validation record(s) for {Name} in zone {_state.Zone.Id}.");
                    }

                    written = true;
                }

                status = certificate.Status;
                if (certificate.Status == Issued)
                {
                    return;
                }

                if (certificate.Status is "FAILED" or "VALIDATION_TIMED_OUT" or "REVOKED" or "EXPIRED" or "INACTIVE")
                {
                    throw new CruddurException(ErrorIds.EdgeCertificateFailed, ErrorKind.InvalidOperation,
                        $"The certificate for {Name} is {certificate.Status}{(certificate.FailureReason is null ? "" : " (" + certificate.FailureReason + ")")}. Delete it ('aws acm delete-certificate --certificate-arn {arn}') and run again to request a new one.", target: arn);
                }

                if (clock.Elapsed >= _timeout)
                {
                    var records = certificate.ValidationRecords.Count == 0
                        ? "ACM has not named its validation records yet"
                        : "pending records: " + string.Join(", ", certificate.ValidationRecords.Select(r => $"{r.Type} {r.Name} -> {r.Value}"));
                    throw new CruddurException(ErrorIds.EdgeCertificateNotIssued, ErrorKind.OperationTimeout,
                        $"The certificate for {Name} is still {certificate.Status} after {_timeout.TotalSeconds:0} s ({records}). ACM validates once these records resolve publicly: check that the zone's name servers are set at the domain's registrar, then run again.",
                        target: arn);
                }

                _host.WriteProgress(new ProgressUpdate(ProgressId, $"Waiting for the certificate of {Name}", $"{certificate.Status}, {clock.Elapsed.TotalSeconds:0} s of {_timeout.TotalSeconds:0} s",
                    (int)Math.Min(99, clock.Elapsed.TotalMilliseconds * 100 / _timeout.TotalMilliseconds), ParentId: 80));
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationStoppedException(
                $"the certificate {arn} exists{(written ? " and its validation records are in the zone" : string.Empty)}; it was {status} when the wait stopped, and a re-run waits for it instead of requesting another.",
                e, cancellationToken);
        }
        finally
        {
            _host.WriteProgress(new ProgressUpdate(ProgressId, $"Waiting for the certificate of {Name}", "Done", Completed: true, ParentId: 80));
        }
    }
}
