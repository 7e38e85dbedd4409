using Amazon;
using Amazon.Runtime.CredentialManagement;

namespace Cruddur.Core.Aws;

/// <summary>Names for tab completion, so the shell never touches AWSSDK types itself.</summary>
public static class AwsNames
{
    public static IEnumerable<string> Regions() => RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).Order(StringComparer.Ordinal);

    /// <summary>The known region closest to a mistyped one (at most two edits away), or null.</summary>
    public static string? Nearest(string region) =>
        Regions().Select(r => (Name: r, Distance: Distance(r, region))).Where(c => c.Distance <= 2).OrderBy(c => c.Distance).Select(c => c.Name).FirstOrDefault();

    public static IEnumerable<string> Profiles() => new CredentialProfileStoreChain().ListProfiles().Select(p => p.Name).Append("default").Distinct().Order(StringComparer.Ordinal);

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
