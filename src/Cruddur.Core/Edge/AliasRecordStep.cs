using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Edge;

/// <summary>An A record in the domain's zone aliasing the load balancer (the seed's apex and api records).</summary>
internal sealed class AliasRecordStep : InfrastructureStep
{
    private readonly IRoute53Client _route53;
    private readonly EdgeState _state;
    private readonly string _recordName;

    public AliasRecordStep(IRoute53Client route53, EdgeState state, string recordName)
        : base("DnsRecord", recordName + " A")
    {
        _route53 = route53;
        _state = state;
        _recordName = recordName;
    }

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        if (_state.Zone is null)
        {
            return null;
        }

        var record = (await _route53.ListRecordSetsAsync(_state.Zone.Id, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(r => r.Type == "A" && Same(r.Name, _recordName));
        if (record is null)
        {
            return null;
        }

        var lb = _state.LoadBalancer;
        var pointsAtLb = lb is not null && record.Alias is { } alias && Same(alias.DnsName, lb.DnsName) && alias.HostedZoneId == lb.CanonicalHostedZoneId;
        var now = record.Alias is { } a ? "alias " + a.DnsName.TrimEnd('.') : string.Join(", ", record.Values);
        return new ObservedResource(Route53Client.Absolute(_recordName), pointsAtLb ? null : $"{now} -> alias {lb?.DnsName ?? "(load balancer not created yet)"}", "alias " + lb?.DnsName);
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        await UpsertAsync(cancellationToken).ConfigureAwait(false);
        return Route53Client.Absolute(_recordName);
    }

    internal override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) => UpsertAsync(cancellationToken);

    public override string? CreatedDetail => "alias " + _state.LoadBalancer?.DnsName;

    private Task UpsertAsync(CancellationToken cancellationToken)
    {
        var lb = _state.LoadBalancer ?? throw new InvalidOperationException("The load balancer step runs first.");
        return _route53.UpsertRecordSetsAsync(_state.Zone!.Id, [RecordSet.AliasA(_recordName, new AliasTarget(lb.CanonicalHostedZoneId, lb.DnsName, true))], cancellationToken);
    }

    /// <summary>Route 53 answers with a trailing dot and may prefix an ALB's name with dualstack.</summary>
    private static bool Same(string a, string b)
    {
        static string Norm(string s)
        {
            s = s.TrimEnd('.').ToLowerInvariant();
            return s.StartsWith("dualstack.", StringComparison.Ordinal) ? s["dualstack.".Length..] : s;
        }

        return Norm(a) == Norm(b);
    }
}
