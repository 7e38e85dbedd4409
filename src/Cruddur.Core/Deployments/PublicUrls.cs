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
public sealed class PublicUrls
{
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

    /// <summary>Reads the listeners, rules, aliases and certificates behind the service's target groups. The URLs only inform, so a failed read is a warning and no URLs.</summary>
    /// <param name="name">cluster/service, for the warning.</param>
    /// <param name="loadBalancers">The service's loadBalancers as DescribeServices or a service file gives them: its target groups and blue/green test listener rules.</param>
    internal async Task<IReadOnlyList<string>> ReadAsync(string name, JsonArray? loadBalancers, CancellationToken cancellationToken)
    {
        var targetGroupArns = TargetGroupReferences.ArnsOf(loadBalancers);
        if (targetGroupArns.Count == 0)
        {
            return [];
        }

        try
        {
            var groups = await _elb.ListTargetGroupsAsync(targetGroupArns, cancellationToken).ConfigureAwait(false);
            var loadBalancerArns = groups.SelectMany(g => g.LoadBalancerArns).Distinct().ToList();
            if (loadBalancerArns.Count == 0)
            {
                return [];
            }

            var aliases = await AliasesAsync(cancellationToken).ConfigureAwait(false);
            var testRules = TestListenerRules(loadBalancers);
            var certificates = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            var urls = new List<string>();
            foreach (var loadBalancer in await _elb.ListLoadBalancersAsync(loadBalancerArns, cancellationToken).ConfigureAwait(false))
            {
                var all = await _elb.ListListenersAsync(loadBalancer.Arn, cancellationToken).ConfigureAwait(false);
                var tags = all.Count == 0 ? new Dictionary<string, IReadOnlyDictionary<string, string>>() : await _elb.DescribeTagsAsync(all.Select(l => l.Arn).ToList(), cancellationToken).ConfigureAwait(false);
                var listeners = new List<(Listener, IReadOnlyList<ListenerRule>)>();
                foreach (var listener in all.Where(l => tags.GetValueOrDefault(l.Arn)?.GetValueOrDefault("Name") != SeedDefaults.TestListenerName && !testRules.Contains(l.Arn)))
                {
                    var rules = await _elb.ListRulesAsync(listener.Arn, cancellationToken).ConfigureAwait(false);
                    if (rules.Any(r => testRules.Contains(r.Arn)))
                    {
                        continue;
                    }

                    listeners.Add((listener, rules));
                    foreach (var arn in listener.CertificateArns.Where(a => !certificates.ContainsKey(a)))
                    {
                        var certificate = await _acm.DescribeCertificateAsync(arn, cancellationToken).ConfigureAwait(false);
                        certificates[arn] = certificate is null ? [] : [certificate.DomainName, .. certificate.SubjectAlternativeNames];
                    }
                }

                var names = new HostNames(aliases.Where(a => SameHost(a.Target, loadBalancer.DnsName)).Select(a => (a.Name, a.IsApex)).ToList(), certificates);
                urls.AddRange(Derive(loadBalancer, listeners, targetGroupArns, names));
            }

            return urls.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _host.WriteWarning($"{name}: its public URLs could not be read from ELBv2, Route 53 and ACM: {(e as CruddurException ?? CruddurException.Unexpected(e)).Message}");
            return [];
        }
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
