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

    public string? HttpsListenerArn { get; set; }
}
