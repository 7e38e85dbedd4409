using Amazon;
using Amazon.Runtime.CredentialManagement;

namespace Cruddur.Core.Aws;

/// <summary>Names for tab completion, so the shell never touches AWSSDK types itself.</summary>
public static class AwsNames
{
    public static IEnumerable<string> Regions() => RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).Order(StringComparer.Ordinal);

    public static IEnumerable<string> Profiles() => new CredentialProfileStoreChain().ListProfiles().Select(p => p.Name).Distinct().Order(StringComparer.Ordinal);
}
