using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Edge;

/// <summary>
/// The domain's public hosted zone: the one given by id (which must exist in this account and be for the domain), else
/// the one named after the domain, created when missing. A new zone's name servers go to the registrar.
/// </summary>
internal sealed class HostedZoneStep : InfrastructureStep
{
    private readonly IRoute53Client _route53;
    private readonly EdgeState _state;
    private readonly string? _zoneId;
    private string? _createdDetail;

    public HostedZoneStep(IRoute53Client route53, EdgeState state, string domain, string? zoneId)
        : base("HostedZone", domain)
    {
        _route53 = route53;
        _state = state;
        _zoneId = zoneId;
    }

    public override string? CreatedDetail => _createdDetail;

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        HostedZone? zone;
        if (_zoneId is not null)
        {
            zone = await _route53.GetHostedZoneAsync(_zoneId, cancellationToken).ConfigureAwait(false)
                ?? throw new CruddurException(ErrorIds.EdgeHostedZoneNotFound, ErrorKind.ObjectNotFound,
                    $"This account has no hosted zone '{_zoneId}' (it may belong to another account). Nothing was changed for the domain; 'aws route53 list-hosted-zones' lists this account's zones.",
                    target: _zoneId);
            if (!string.Equals(zone.Name, Route53Client.Absolute(Name), StringComparison.OrdinalIgnoreCase))
            {
                throw new CruddurException(ErrorIds.EdgeHostedZoneMismatch, ErrorKind.InvalidArgument,
                    $"The hosted zone '{_zoneId}' is for {zone.Name.TrimEnd('.')}, not {Name}.", target: _zoneId);
            }
        }
        else
        {
            zone = await _route53.FindHostedZoneAsync(Name, cancellationToken).ConfigureAwait(false);
        }

        if (zone is null)
        {
            return null;
        }

        _state.Zone = zone;
        return new ObservedResource(zone.Id, Detail: "name servers " + string.Join(", ", zone.NameServers));
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var zone = await _route53.CreateHostedZoneAsync(Name, "cruddur-" + Guid.NewGuid().ToString("N"), cancellationToken).ConfigureAwait(false);
        _state.Zone = zone;
        _createdDetail = $"new zone: set these name servers at the registrar of {Name}: {string.Join(", ", zone.NameServers)}";
        return zone.Id;
    }
}
