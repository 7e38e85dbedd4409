namespace Cruddur.Core.Aws;

/// <summary>
/// The one place ARNs are built and taken apart (arn:partition:service:region:account:resource). The methods that read
/// a name accept a bare name too, so a parameter that may be either needs no check first.
/// </summary>
internal static class AwsArn
{
    /// <summary>arn:<paramref name="partition"/>:<paramref name="service"/>:<paramref name="region"/>:<paramref name="account"/>:<paramref name="resource"/>.</summary>
    public static string Build(string partition, string service, string region, string account, string resource) =>
        $"arn:{partition}:{service}:{region}:{account}:{resource}";

    /// <summary>The ARN of an AWS-managed IAM policy (arn:&lt;partition&gt;:iam::aws:policy/&lt;name&gt;).</summary>
    public static string ManagedPolicy(string partition, string name) => Build(partition, "iam", string.Empty, "aws", "policy/" + name);

    /// <summary>The ARN partition of a region: aws, aws-cn or aws-us-gov.</summary>
    public static string PartitionOf(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn" : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";

    /// <summary>The part after the last '/': a cluster, service, task id, role or repository name; the input when there is no '/'.</summary>
    public static string LastSegment(string arnOrName) => arnOrName[(arnOrName.LastIndexOf('/') + 1)..];

    /// <summary>The name of a target group ARN (…:targetgroup/&lt;name&gt;/&lt;id&gt;); the input when it is not one.</summary>
    public static string TargetGroupName(string arnOrName)
    {
        var parts = arnOrName.Split('/');
        return parts.Length == 3 && parts[0].EndsWith(":targetgroup", StringComparison.Ordinal) ? parts[1] : arnOrName;
    }

    /// <summary><c>family:revision</c> of a task definition ARN (or the input when it is already that, or a family).</summary>
    public static string TaskDefinitionName(string arnOrName) => LastSegment(arnOrName);

    /// <summary>The family of a task definition ARN, <c>family:revision</c> or family.</summary>
    public static string Family(string arnOrName)
    {
        var name = TaskDefinitionName(arnOrName);
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? name[..colon] : name;
    }

    /// <summary>The revision number of a task definition ARN or <c>family:revision</c>; 0 when there is none.</summary>
    public static int Revision(string? arnOrName) =>
        arnOrName is not null && int.TryParse(arnOrName[(arnOrName.LastIndexOf(':') + 1)..], out var revision) ? revision : 0;

    /// <summary>The account of an ARN, or null when the text is not an ARN.</summary>
    public static string? Account(string text) => Parts(text) is { } p ? p[4] : null;

    /// <summary>The partition (aws, aws-cn, aws-us-gov) of an ARN, or null when the text is not an ARN.</summary>
    public static string? Partition(string text) => Parts(text) is { } p ? p[1] : null;

    /// <summary>The service (iam, ssm, ecs …) of an ARN, or null when the text is not an ARN.</summary>
    public static string? Service(string text) => Parts(text) is { } p ? p[2] : null;

    /// <summary>The region of an ARN (empty for a global resource such as an IAM role), or null when the text is not an ARN.</summary>
    public static string? Region(string text) => Parts(text) is { } p ? p[3] : null;

    /// <summary>The resource part of an ARN (everything after the account, colons included); null when it is not one.</summary>
    public static string? Resource(string text) => Parts(text) is { } p ? p[5] : null;

    /// <summary>Whether <paramref name="text"/> has the six parts of an ARN.</summary>
    public static bool IsArn(string text) => Parts(text) is not null;

    private static string[]? Parts(string text)
    {
        var parts = text.Split(':', 6);
        return parts.Length == 6 && parts[0] == "arn" && parts[1].Length > 0 && parts[2].Length > 0 ? parts : null;
    }
}
