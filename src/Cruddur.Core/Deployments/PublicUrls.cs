using System.Globalization;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// Where a service can be reached from outside: the URLs at which the internet-facing load balancers of its target groups
/// forward to them. A listener whose default action forwards to the group serves it at the load balancer's DNS name; a
/// rule serves it at each of its host headers (or that DNS name) and the fixed start of each path pattern. Listeners that
/// only redirect (the seed's 80 → 443) or answer themselves serve nothing; HTTPS comes before HTTP.
/// </summary>
internal static class PublicUrls
{
    /// <summary>Reads the listeners and rules behind the target groups. The URLs only inform, so a failed read is a warning and no URLs.</summary>
    public static async Task<IReadOnlyList<string>> ReadAsync(IElbv2Client elb, IOperationHost host, string name, IReadOnlyList<string> targetGroupArns, CancellationToken cancellationToken)
    {
        if (targetGroupArns.Count == 0)
        {
            return [];
        }

        try
        {
            var groups = await elb.ListTargetGroupsAsync(targetGroupArns, cancellationToken).ConfigureAwait(false);
            var loadBalancerArns = groups.SelectMany(g => g.LoadBalancerArns).Distinct().ToList();
            var urls = new List<string>();
            foreach (var loadBalancer in loadBalancerArns.Count == 0 ? [] : await elb.ListLoadBalancersAsync(loadBalancerArns, cancellationToken).ConfigureAwait(false))
            {
                var listeners = new List<(Listener, IReadOnlyList<ListenerRule>)>();
                foreach (var listener in await elb.ListListenersAsync(loadBalancer.Arn, cancellationToken).ConfigureAwait(false))
                {
                    listeners.Add((listener, await elb.ListRulesAsync(listener.Arn, cancellationToken).ConfigureAwait(false)));
                }

                urls.AddRange(Derive(loadBalancer, listeners, targetGroupArns));
            }

            return urls.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.WriteWarning($"{name}: its public URLs could not be read from ELBv2: {(e as CruddurException ?? CruddurException.Unexpected(e)).Message}");
            return [];
        }
    }

    /// <summary>The URLs one load balancer serves the target groups at, HTTPS listeners first, rules in priority order before the default action.</summary>
    internal static IEnumerable<string> Derive(LoadBalancer loadBalancer, IEnumerable<(Listener Listener, IReadOnlyList<ListenerRule> Rules)> listeners, IReadOnlyCollection<string> targetGroupArns)
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
            foreach (var rule in rules.Where(r => !r.IsDefault && Forwards(r.Actions, targetGroupArns)).OrderBy(r => int.TryParse(r.Priority, CultureInfo.InvariantCulture, out var p) ? p : int.MaxValue))
            {
                // A wildcard host or path names no single URL; the fixed part before a path's first wildcard does.
                var hosts = rule.HostHeaders.Count == 0 ? [loadBalancer.DnsName] : rule.HostHeaders.Where(h => h.IndexOfAny(['*', '?']) < 0).ToList();
                var paths = rule.PathPatterns.Count == 0 ? [string.Empty] : rule.PathPatterns.Select(FixedPath);
                foreach (var host in hosts)
                {
                    foreach (var path in paths.Distinct())
                    {
                        yield return $"{scheme}://{host.ToLowerInvariant()}{port}{path}";
                    }
                }
            }

            if (Forwards(listener.DefaultActions, targetGroupArns))
            {
                yield return $"{scheme}://{loadBalancer.DnsName.ToLowerInvariant()}{port}";
            }
        }
    }

    private static string FixedPath(string pattern)
    {
        var wildcard = pattern.IndexOfAny(['*', '?']);
        var path = wildcard < 0 ? pattern : pattern[..wildcard];
        return path == "/" ? string.Empty : path;
    }

    private static bool Forwards(IReadOnlyList<ListenerAction> actions, IReadOnlyCollection<string> targetGroupArns) =>
        actions.Any(a => a.Type == "forward" && a.TargetGroupArn is { } arn && targetGroupArns.Contains(arn));
}
