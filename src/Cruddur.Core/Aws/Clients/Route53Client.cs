using System.Globalization;
using System.Xml.Linq;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;
using static Cruddur.Core.Aws.XmlFields;

namespace Cruddur.Core.Aws.Clients;

/// <summary>A hosted zone: its short id (without /hostedzone/), its name with the trailing dot, and its name servers when asked.</summary>
internal sealed record HostedZone(string Id, string Name, bool Private, IReadOnlyList<string> NameServers);

/// <summary>An alias target: another AWS resource's DNS name in its own hosted zone (an ALB's CanonicalHostedZoneId).</summary>
internal sealed record AliasTarget(string HostedZoneId, string DnsName, bool EvaluateTargetHealth);

/// <summary>A record set: either values with a TTL, or an alias.</summary>
internal sealed record RecordSet(string Name, string Type, long? Ttl, IReadOnlyList<string> Values, AliasTarget? Alias)
{
    public static RecordSet Cname(string name, string value) => new(name, "CNAME", 300, [value], null);

    public static RecordSet AliasA(string name, AliasTarget target) => new(name, "A", null, [], target);
}

/// <summary>The Route 53 calls the project makes.</summary>
internal interface IRoute53Client
{
    /// <summary>The public hosted zone named <paramref name="domainName"/> in this account, or null.</summary>
    Task<HostedZone?> FindHostedZoneAsync(string domainName, CancellationToken cancellationToken);

    /// <summary>The zone with its name servers, or null when this account has no zone with that id.</summary>
    Task<HostedZone?> GetHostedZoneAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every hosted zone of the account (without name servers).</summary>
    Task<IReadOnlyList<HostedZone>> ListHostedZonesAsync(CancellationToken cancellationToken);

    Task<HostedZone> CreateHostedZoneAsync(string domainName, string callerReference, CancellationToken cancellationToken);

    Task<IReadOnlyList<RecordSet>> ListRecordSetsAsync(string zoneId, CancellationToken cancellationToken);

    /// <summary>UPSERTs every record set in one change batch (all or nothing).</summary>
    Task UpsertRecordSetsAsync(string zoneId, IReadOnlyList<RecordSet> recordSets, CancellationToken cancellationToken);
}

/// <summary>Route 53 over REST-XML, API 2013-04-01 (its AWSSDK package is not available here). Global: signed for us-east-1.</summary>
internal sealed class Route53Client : IRoute53Client
{
    private const string Version = "/2013-04-01";
    private static readonly XNamespace Ns = "https://route53.amazonaws.com/doc/2013-04-01/";

    private readonly RestXmlProtocol _api;

    public Route53Client(AwsContext context, IOperationHost host) => _api = new RestXmlProtocol(context, AwsService.Route53, host);

    /// <summary>Route 53 compares names with the trailing dot; users write them without.</summary>
    public static string Absolute(string name) => name.EndsWith('.') ? name : name + ".";

    public async Task<HostedZone?> FindHostedZoneAsync(string domainName, CancellationToken cancellationToken)
    {
        // Zones come sorted by name, so the first page that starts at the name holds it if it exists.
        var zone = await _api.CallAsync("ListHostedZonesByName", HttpMethod.Get, $"{Version}/hostedzonesbyname?dnsname={Uri.EscapeDataString(domainName)}&maxitems=100", null, idempotent: true,
            root => Children(Child(root, "HostedZones"), "HostedZone").Select(z => ToZone(z, null))
                .FirstOrDefault(z => !z.Private && string.Equals(z.Name, Absolute(domainName), StringComparison.OrdinalIgnoreCase)), cancellationToken).ConfigureAwait(false);
        return zone is null ? null : await GetHostedZoneAsync(zone.Id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<HostedZone?> GetHostedZoneAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.CallAsync("GetHostedZone", HttpMethod.Get, $"{Version}/hostedzone/{Uri.EscapeDataString(ShortId(id))}", null, idempotent: true,
                root => ToZone(Required(root, "HostedZone"), Child(root, "DelegationSet")), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode is "NoSuchHostedZone" or "InvalidInput")
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<HostedZone>> ListHostedZonesAsync(CancellationToken cancellationToken) =>
        await AwsPaginator.AllAsync(marker =>
            _api.CallAsync("ListHostedZones", HttpMethod.Get, $"{Version}/hostedzone{(marker is null ? "" : "?marker=" + Uri.EscapeDataString(marker))}", null, idempotent: true,
                root => new AwsPage<HostedZone>(
                    Children(Child(root, "HostedZones"), "HostedZone").Select(z => ToZone(z, null)).ToList(),
                    Field(root, "IsTruncated") == "true" ? Field(root, "NextMarker") : null),
                cancellationToken),
            "Route 53 ListHostedZones").ConfigureAwait(false);

    public async Task<HostedZone> CreateHostedZoneAsync(string domainName, string callerReference, CancellationToken cancellationToken)
    {
        var body = new XElement(Ns + "CreateHostedZoneRequest", new XElement(Ns + "Name", domainName), new XElement(Ns + "CallerReference", callerReference));
        // Not idempotent: a repeat with the same caller reference fails with HostedZoneAlreadyExists.
        return await _api.CallAsync("CreateHostedZone", HttpMethod.Post, Version + "/hostedzone", body, idempotent: false,
            root => ToZone(Required(root, "HostedZone"), Child(root, "DelegationSet")), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RecordSet>> ListRecordSetsAsync(string zoneId, CancellationToken cancellationToken) =>
        await AwsPaginator.AllAsync(next =>
            _api.CallAsync("ListResourceRecordSets", HttpMethod.Get, $"{Version}/hostedzone/{Uri.EscapeDataString(ShortId(zoneId))}/rrset{next}", null, idempotent: true,
                root => new AwsPage<RecordSet>(
                    Children(Child(root, "ResourceRecordSets"), "ResourceRecordSet").Select(ToRecordSet).ToList(),
                    // The next page starts at a name and type; both travel as one query-string token.
                    Field(root, "IsTruncated") == "true" ? $"?name={Uri.EscapeDataString(Field(root, "NextRecordName") ?? "")}&type={Uri.EscapeDataString(Field(root, "NextRecordType") ?? "")}" : null),
                cancellationToken),
            "Route 53 ListResourceRecordSets").ConfigureAwait(false);

    public Task UpsertRecordSetsAsync(string zoneId, IReadOnlyList<RecordSet> recordSets, CancellationToken cancellationToken)
    {
        var changes = recordSets.Select(r => new XElement(Ns + "Change", new XElement(Ns + "Action", "UPSERT"), ToXml(r)));
        var body = new XElement(Ns + "ChangeResourceRecordSetsRequest", new XElement(Ns + "ChangeBatch", new XElement(Ns + "Changes", changes)));
        // Idempotent: an UPSERT sets the same records again.
        return _api.CallAsync("ChangeResourceRecordSets", HttpMethod.Post, $"{Version}/hostedzone/{Uri.EscapeDataString(ShortId(zoneId))}/rrset/", body, idempotent: true, _ => true, cancellationToken);
    }

    /// <summary>"/hostedzone/Z123" → "Z123".</summary>
    public static string ShortId(string id) => id[(id.LastIndexOf('/') + 1)..];

    private static XElement ToXml(RecordSet r)
    {
        var set = new XElement(Ns + "ResourceRecordSet", new XElement(Ns + "Name", r.Name), new XElement(Ns + "Type", r.Type));
        if (r.Alias is { } alias)
        {
            set.Add(new XElement(Ns + "AliasTarget",
                new XElement(Ns + "HostedZoneId", alias.HostedZoneId),
                new XElement(Ns + "DNSName", alias.DnsName),
                new XElement(Ns + "EvaluateTargetHealth", alias.EvaluateTargetHealth ? "true" : "false")));
        }
        else
        {
            set.Add(new XElement(Ns + "TTL", (r.Ttl ?? 300).ToString(CultureInfo.InvariantCulture)),
                new XElement(Ns + "ResourceRecords", r.Values.Select(v => new XElement(Ns + "ResourceRecord", new XElement(Ns + "Value", v)))));
        }

        return set;
    }

    private static XElement Required(XElement? parent, string name) => Child(parent, name) ?? throw new FormatException($"<{name}> is missing");

    private static HostedZone ToZone(XElement zone, XElement? delegation) => new(
        ShortId(Field(zone, "Id")!), Field(zone, "Name")!, Field(Child(zone, "Config"), "PrivateZone") == "true",
        Children(Child(delegation, "NameServers"), "NameServer").Select(n => n.Value).ToList());

    private static RecordSet ToRecordSet(XElement e)
    {
        var alias = Child(e, "AliasTarget");
        return new RecordSet(Field(e, "Name")!, Field(e, "Type")!, long.TryParse(Field(e, "TTL"), CultureInfo.InvariantCulture, out var ttl) ? ttl : null,
            Children(Child(e, "ResourceRecords"), "ResourceRecord").Select(r => Field(r, "Value") ?? "").ToList(),
            alias is null ? null : new AliasTarget(Field(alias, "HostedZoneId")!, Field(alias, "DNSName")!, Field(alias, "EvaluateTargetHealth") == "true"));
    }
}
