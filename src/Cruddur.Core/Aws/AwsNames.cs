using Amazon;
using Amazon.Runtime.CredentialManagement;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>Names for tab completion, so the shell never touches AWSSDK types itself.</summary>
public static class AwsNames
{
    public static IEnumerable<string> Regions() => RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).Order(StringComparer.Ordinal);

    public static IEnumerable<string> Profiles() => new CredentialProfileStoreChain().ListProfiles().Select(p => p.Name).Distinct().Order(StringComparer.Ordinal);

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
}
