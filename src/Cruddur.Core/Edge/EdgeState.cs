using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Edge;

/// <summary>
/// What the edge steps learn as the run goes (ids that later steps need). Under -WhatIf a skipped creation leaves a value
/// null, and the steps that depend on it report their resource as missing.
/// </summary>
internal sealed class EdgeState
{
    public string? LoadBalancerSecurityGroupId { get; set; }

    public LoadBalancer? LoadBalancer { get; set; }

    public Dictionary<string, string> TargetGroupArns { get; } = new(StringComparer.Ordinal);

    public HostedZone? Zone { get; set; }

    public string? CertificateArn { get; set; }

    /// <summary>The ARNs of the listeners the plan owns, by port, as their steps find or create them.</summary>
    public Dictionary<int, string> ListenerArns { get; } = [];
}
