using Amazon;
using Amazon.Runtime.CredentialManagement;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>Names for tab completion, so the shell never touches AWSSDK types itself.</summary>
public static class AwsNames
{
    public static IEnumerable<string> Regions() => RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).Order(StringComparer.Ordinal);

    /// <summary>The known region closest to a mistyped one (at most two edits away), or null.</summary>
    public static string? Nearest(string region) =>
        Regions().Select(r => (Name: r, Distance: Distance(r, region))).Where(c => c.Distance <= 2).OrderBy(c => c.Distance).Select(c => c.Name).FirstOrDefault();

    public static IEnumerable<string> Profiles() => new CredentialProfileStoreChain().ListProfiles().Select(p => p.Name).Append("default").Distinct().Order(StringComparer.Ordinal);

    /// <summary>The names of the region's load balancers.</summary>
    public static async Task<IReadOnlyList<string>> LoadBalancersAsync(AwsContext aws, CancellationToken cancellationToken) =>
        (await new Elbv2Client(aws, SilentHost.Instance).ListLoadBalancersAsync(null, cancellationToken).ConfigureAwait(false)).Select(l => l.Name).ToList();

    /// <summary>The account's public hosted zones: id and domain name (without the trailing dot).</summary>
    public static async Task<IReadOnlyList<(string Id, string Name)>> PublicHostedZonesAsync(AwsContext aws, CancellationToken cancellationToken) =>
        (await new Route53Client(aws, SilentHost.Instance).ListHostedZonesAsync(cancellationToken).ConfigureAwait(false))
            .Where(z => !z.Private).Select(z => (z.Id, z.Name.TrimEnd('.'))).ToList();

    /// <summary>The region's security groups: id and name.</summary>
    public static async Task<IReadOnlyList<(string Id, string Name)>> SecurityGroupsAsync(AwsContext aws, CancellationToken cancellationToken) =>
        (await new Ec2Client(aws, SilentHost.Instance).ListSecurityGroupsAsync(cancellationToken).ConfigureAwait(false)).Select(g => (g.GroupId, g.GroupName)).ToList();

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }

        return row[b.Length];
    }
}
