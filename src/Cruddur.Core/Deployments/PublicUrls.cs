using System.Globalization;
using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// Where a service can be reached from outside: the URLs at which the internet-facing load balancers of its target groups
/// forward to them. A listener whose default action forwards to the group serves it at the load balancer's name; a
/// rule serves it at each of its host headers (or that name) and the fixed start of each path pattern. The load
/// balancer's name is the Route 53 alias that points at it (a zone's apex first, as Initialize-CruddurInfrastructure
/// makes the domain), else its DNS name. An HTTPS URL is offered only for a host the listener's certificates cover, so
/// never at the load balancer's own amazonaws.com name. Listeners that only redirect (the seed's 80 → 443) or answer
/// themselves serve nothing, nor does the blue/green test listener; HTTPS comes before HTTP.
/// </summary>
internal sealed class PublicUrls
{
    /// <summary>ELBv2's documented limit of ARNs in one DescribeLoadBalancers or DescribeTags call, used for target groups too.</summary>
    private const int ArnsPerCall = 20;

    private readonly IElbv2Client _elb;
    private readonly IRoute53Client _route53;
    private readonly IAcmClient _acm;
    private readonly IOperationHost _host;

    internal PublicUrls(IElbv2Client elb, IRoute53Client route53, IAcmClient acm, IOperationHost host)
    {
        _elb = elb;
        _route53 = route53;
        _acm = acm;
        _host = host;
    }

    public static PublicUrls For(AwsContext aws, IOperationHost host) =>
        new(new Elbv2Client(aws, host), new Route53Client(aws, host), new AcmClient(aws, host), host);

    /// <summary>
    /// Reads the listeners, rules, aliases and certificates behind the services' target groups, once for all of them: the
    /// calls grow with load balancers and listeners, not with services. The URLs only inform, so a failed read is one
    /// warning and no URLs.
    /// </summary>
    /// <param name="services">Each service's cluster/service name (for the warning) and its loadBalancers as DescribeServices or a service file gives them: its target groups and blue/green test listener rules.</param>
    /// <returns>The URLs of each service, in the order given.</returns>
    internal async Task<IReadOnlyList<IReadOnlyList<string>>> ReadAsync(IReadOnlyList<(string Name, JsonArray? LoadBalancers)> services, CancellationToken cancellationToken)
    {
        var groupsOf = services.Select(s => TargetGroupReferences.ArnsOf(s.LoadBalancers)).ToList();
        var none = services.Select(_ => (IReadOnlyList<string>)[]).ToList();
        var allGroups = groupsOf.SelectMany(g => g).Distinct(StringComparer.Ordinal).ToList();
        if (allGroups.Count == 0)
        {
            return none;
        }

        try
        {
            var loadBalancersOf = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var batch in allGroups.Chunk(ArnsPerCall))
            {
                foreach (var group in await _elb.ListTargetGroupsAsync(batch, cancellationToken).ConfigureAwait(false))
                {
                    loadBalancersOf[group.Arn] = group.LoadBalancerArns;
                }
            }

            var loadBalancerArns = loadBalancersOf.Values.SelectMany(a => a).Distinct(StringComparer.Ordinal).ToList();
            if (loadBalancerArns.Count == 0)
            {
                return none;
            }

            var aliases = await AliasesAsync(cancellationToken).ConfigureAwait(false);
            var edges = new List<Edge>();
            foreach (var batch in loadBalancerArns.Chunk(ArnsPerCall))
            {
                foreach (var loadBalancer in await _elb.ListLoadBalancersAsync(batch, cancellationToken).ConfigureAwait(false))
                {
                    edges.Add(await ReadEdgeAsync(loadBalancer, aliases, cancellationToken).ConfigureAwait(false));
                }
            }

            return services.Select((s, i) => (IReadOnlyList<string>)UrlsOf(s.LoadBalancers, groupsOf[i], loadBalancersOf, edges)).ToList();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var named = services.Where((_, i) => groupsOf[i].Count > 0).Select(s => s.Name).ToList();
            _host.WriteWarning($"{string.Join(", ", named)}: {(named.Count == 1 ? "its" : "their")} public URLs could not be read from ELBv2, Route 53 and ACM: {(e as CruddurException ?? CruddurException.Unexpected(e)).Message}");
            return none;
        }
    }

    /// <summary>One load balancer as the URLs need it: its listeners (not the one named as the blue/green test listener) with their rules, and the names it answers to.</summary>
    private sealed record Edge(LoadBalancer LoadBalancer, IReadOnlyList<(Listener Listener, IReadOnlyList<ListenerRule> Rules)> Listeners, HostNames Names);

    private async Task<Edge> ReadEdgeAsync(LoadBalancer loadBalancer, IReadOnlyList<(string Name, string Target, bool IsApex)> aliases, CancellationToken cancellationToken)
    {
        var all = await _elb.ListListenersAsync(loadBalancer.Arn, cancellationToken).ConfigureAwait(false);
        var tags = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var batch in all.Select(l => l.Arn).Chunk(ArnsPerCall))
        {
            foreach (var (arn, listenerTags) in await _elb.DescribeTagsAsync(batch, cancellationToken).ConfigureAwait(false))
            {
                tags[arn] = listenerTags;
            }
        }

        var certificates = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var listeners = new List<(Listener, IReadOnlyList<ListenerRule>)>();
        foreach (var listener in all.Where(l => tags.GetValueOrDefault(l.Arn)?.GetValueOrDefault("Name") != SeedDefaults.TestListenerName))
        {
            listeners.Add((listener, await _elb.ListRulesAsync(listener.Arn, cancellationToken).ConfigureAwait(false)));
            foreach (var arn in listener.CertificateArns.Where(a => !certificates.ContainsKey(a)))
            {
                var certificate = await _acm.DescribeCertificateAsync(arn, cancellationToken).ConfigureAwait(false);
                certificates[arn] = certificate is null ? [] : [certificate.DomainName, .. certificate.SubjectAlternativeNames];
            }
        }

        return new Edge(loadBalancer, listeners, new HostNames(aliases.Where(a => SameHost(a.Target, loadBalancer.DnsName)).Select(a => (a.Name, a.IsApex)).ToList(), certificates));
    }

    /// <summary>A service's URLs from the edges its groups are in, leaving out the listeners its blue/green configuration tests through.</summary>
    private static List<string> UrlsOf(JsonArray? entries, IReadOnlyList<string> groups, Dictionary<string, IReadOnlyList<string>> loadBalancersOf, List<Edge> edges)
    {
        var testRules = TestListenerRules(entries);
        var loadBalancers = groups.SelectMany(g => loadBalancersOf.GetValueOrDefault(g) ?? []).ToHashSet(StringComparer.Ordinal);
        return edges.Where(e => loadBalancers.Contains(e.LoadBalancer.Arn))
            .SelectMany(e => Derive(e.LoadBalancer, e.Listeners.Where(l => !testRules.Contains(l.Listener.Arn) && !l.Rules.Any(r => testRules.Contains(r.Arn))), groups, e.Names))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>The names of the account's public zones that are aliases (or CNAMEs) of some DNS name, and whether each is its zone's apex.</summary>
    private async Task<List<(string Name, string Target, bool IsApex)>> AliasesAsync(CancellationToken cancellationToken)
    {
        var aliases = new List<(string, string, bool)>();
        foreach (var zone in (await _route53.ListHostedZonesAsync(cancellationToken).ConfigureAwait(false)).Where(z => !z.Private))
        {
            foreach (var record in await _route53.ListRecordSetsAsync(zone.Id, cancellationToken).ConfigureAwait(false))
            {
                var target = record.Alias?.DnsName ?? (record.Type == "CNAME" && record.Values is [var value] ? value : null);
                if (target is not null && record.Type is "A" or "AAAA" or "CNAME")
                {
                    aliases.Add((Host(record.Name), target, SameHost(record.Name, zone.Name)));
                }
            }
        }

        return aliases;
    }

    /// <summary>The listener rules (or listeners) the service's blue/green configuration sends test traffic through.</summary>
    private static HashSet<string> TestListenerRules(JsonArray? loadBalancers) =>
        (loadBalancers ?? []).Select(l => (string?)l?[BlueGreenReferences.Section]?["testListenerRule"]).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>The names a load balancer answers to: its Route 53 aliases, and the names each certificate covers.</summary>
    internal sealed record HostNames(IReadOnlyList<(string Name, bool IsApex)> Aliases, IReadOnlyDictionary<string, IReadOnlyList<string>> Certificates);

    /// <summary>The URLs one load balancer serves the target groups at, HTTPS listeners first, rules in priority order before the default action.</summary>
    internal static IEnumerable<string> Derive(LoadBalancer loadBalancer, IEnumerable<(Listener Listener, IReadOnlyList<ListenerRule> Rules)> listeners, IReadOnlyCollection<string> targetGroupArns, HostNames names)
    {
        if (loadBalancer.Scheme == "internal")
        {
            yield break;
        }

        foreach (var (listener, rules) in listeners.OrderBy(l => l.Listener.Protocol != "HTTPS").ThenBy(l => l.Listener.Port))
        {
            if (listener.Protocol is not ("HTTP" or "HTTPS"))
            {
                continue;
            }

            var scheme = listener.Protocol.ToLowerInvariant();
            var port = listener.Port == (scheme == "https" ? 443 : 80) ? string.Empty : ":" + listener.Port.ToString(CultureInfo.InvariantCulture);
            var certificateNames = listener.CertificateArns.SelectMany(a => names.Certificates.GetValueOrDefault(a) ?? []).ToList();
            bool Serves(string host) => scheme == "http" || certificateNames.Any(n => Covers(n, host));

            // The name the load balancer itself is reached at on this listener: an alias no host rule takes, the apex first.
            var ruleHosts = rules.Where(r => !r.IsDefault).SelectMany(r => r.HostHeaders).ToList();
            var ownName = names.Aliases.Where(a => !ruleHosts.Any(h => Covers(h, a.Name))).OrderBy(a => !a.IsApex).ThenBy(a => a.Name.Length).ThenBy(a => a.Name, StringComparer.Ordinal)
                .Select(a => a.Name).Append(Host(loadBalancer.DnsName)).FirstOrDefault(Serves);

            foreach (var rule in rules.Where(r => !r.IsDefault && Forwards(r.Actions, targetGroupArns)).OrderBy(r => int.TryParse(r.Priority, CultureInfo.InvariantCulture, out var p) ? p : int.MaxValue))
            {
                // A wildcard host or path names no single URL; the fixed part before a path's first wildcard does.
                var hosts = rule.HostHeaders.Count == 0 ? (ownName is null ? [] : [ownName]) : rule.HostHeaders.Where(h => h.IndexOfAny(['*', '?']) < 0).Select(Host).Where(Serves).ToList();
                var paths = rule.PathPatterns.Count == 0 ? [string.Empty] : rule.PathPatterns.Select(FixedPath);
                foreach (var host in hosts)
                {
                    foreach (var path in paths.Distinct())
                    {
                        yield return $"{scheme}://{host}{port}{path}";
                    }
                }
            }

            if (ownName is not null && Forwards(listener.DefaultActions, targetGroupArns))
            {
                yield return $"{scheme}://{ownName}{port}";
            }
        }
    }

    /// <summary>Whether a certificate (or host header) name covers a host: the same name, or a wildcard for exactly one label more.</summary>
    private static bool Covers(string pattern, string host)
    {
        pattern = Host(pattern);
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            var dot = host.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && host[(dot + 1)..] == pattern[2..];
        }

        return pattern == host;
    }

    /// <summary>A DNS name as a URL shows it: lower case, no trailing dot; an ALB's dualstack. prefix names the same load balancer.</summary>
    private static string Host(string name) => name.TrimEnd('.').ToLowerInvariant();

    private static bool SameHost(string a, string b) => StripDualstack(Host(a)) == StripDualstack(Host(b));

    private static string StripDualstack(string host) => host.StartsWith("dualstack.", StringComparison.Ordinal) ? host["dualstack.".Length..] : host;

    private static string FixedPath(string pattern)
    {
        var wildcard = pattern.IndexOfAny(['*', '?']);
        var path = wildcard < 0 ? pattern : pattern[..wildcard];
        return path == "/" ? string.Empty : path;
    }

    private static bool Forwards(IReadOnlyList<ListenerAction> actions, IReadOnlyCollection<string> targetGroupArns) =>
        actions.Any(a => a.Type == "forward" && a.TargetGroupArn is { } arn && targetGroupArns.Contains(arn));
}
