using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Edge;

/// <summary>The application load balancer: internet-facing, IPv4, in every subnet of the default VPC, with its security group.</summary>
internal sealed class LoadBalancerStep : InfrastructureStep
{
    public const string Scheme = "internet-facing";

    private readonly IElbv2Client _elb;
    private readonly IEc2Client _ec2;
    private readonly EdgeState _state;

    public LoadBalancerStep(IElbv2Client elb, IEc2Client ec2, EdgeState state, string name)
        : base("LoadBalancer", name)
    {
        _elb = elb;
        _ec2 = ec2;
        _state = state;
    }

    public override string? CreatedDetail => _state.LoadBalancer?.DnsName;

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        var lb = await _elb.FindLoadBalancerAsync(Name, cancellationToken).ConfigureAwait(false);
        if (lb is null)
        {
            return null;
        }

        if (lb.Scheme != Scheme)
        {
            throw new CruddurException(ErrorIds.EdgeLoadBalancerSchemeMismatch, ErrorKind.ResourceExists,
                $"The load balancer '{Name}' exists but is {lb.Scheme}, not {Scheme}, and a scheme cannot be changed. Delete it ('aws elbv2 delete-load-balancer --load-balancer-arn {lb.Arn}') or use another name.",
                target: lb.Arn);
        }

        _state.LoadBalancer = lb;
        var group = _state.LoadBalancerSecurityGroupId;
        return group is not null && lb.SecurityGroups.Contains(group)
            ? new ObservedResource(lb.Arn, Detail: lb.DnsName)
            : new ObservedResource(lb.Arn, $"security group {group ?? "(not created yet)"} not attached", lb.DnsName);
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var vpc = await _ec2.DefaultVpcAsync(cancellationToken).ConfigureAwait(false);
        var subnets = await _ec2.SubnetIdsAsync(vpc, cancellationToken).ConfigureAwait(false);
        _state.LoadBalancer = await _elb.CreateLoadBalancerAsync(Name, Scheme, subnets, [SecurityGroup()], cancellationToken).ConfigureAwait(false);
        return _state.LoadBalancer.Arn;
    }

    internal override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) =>
        _elb.SetSecurityGroupsAsync(found.Id, [.. _state.LoadBalancer!.SecurityGroups, SecurityGroup()], cancellationToken);

    private string SecurityGroup() => _state.LoadBalancerSecurityGroupId ?? throw new InvalidOperationException("The load balancer's security group step runs first.");
}

/// <summary>A target group of type ip, HTTP, on the service's port, with the seed's health check path and healthy threshold 3.</summary>
internal sealed class TargetGroupStep : InfrastructureStep
{
    public const int HealthyThreshold = 3;

    private readonly IElbv2Client _elb;
    private readonly IEc2Client _ec2;
    private readonly EdgeState _state;
    private readonly int _port;
    private readonly string _healthCheckPath;

    public TargetGroupStep(IElbv2Client elb, IEc2Client ec2, EdgeState state, string name, int port, string healthCheckPath)
        : base("TargetGroup", name)
    {
        _elb = elb;
        _ec2 = ec2;
        _state = state;
        _port = port;
        _healthCheckPath = healthCheckPath;
    }

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        var group = await _elb.FindTargetGroupAsync(Name, cancellationToken).ConfigureAwait(false);
        if (group is null)
        {
            return null;
        }

        if (group.TargetType != "ip" || group.Protocol != "HTTP" || group.Port != _port)
        {
            throw new CruddurException(ErrorIds.EdgeTargetGroupMismatch, ErrorKind.ResourceExists,
                $"The target group '{Name}' exists as {group.Protocol}:{group.Port} of type {group.TargetType}, not HTTP:{_port} of type ip, which cannot be changed. Delete it ('aws elbv2 delete-target-group --target-group-arn {group.Arn}') and run again.",
                target: group.Arn);
        }

        _state.TargetGroupArns[Name] = group.Arn;
        var drift = new List<string>();
        if (group.HealthCheckPath != _healthCheckPath)
        {
            drift.Add($"health check path {group.HealthCheckPath} -> {_healthCheckPath}");
        }

        if (group.HealthyThreshold != HealthyThreshold)
        {
            drift.Add($"healthy threshold {group.HealthyThreshold} -> {HealthyThreshold}");
        }

        return new ObservedResource(group.Arn, drift.Count == 0 ? null : string.Join("; ", drift), $"HTTP:{_port} {_healthCheckPath}");
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var vpc = await _ec2.DefaultVpcAsync(cancellationToken).ConfigureAwait(false);
        var group = await _elb.CreateTargetGroupAsync(new TargetGroupSpec(Name, _port, vpc, _healthCheckPath, HealthyThreshold), cancellationToken).ConfigureAwait(false);
        _state.TargetGroupArns[Name] = group.Arn;
        return group.Arn;
    }

    internal override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) =>
        _elb.ModifyTargetGroupHealthCheckAsync(found.Id, _healthCheckPath, HealthyThreshold, cancellationToken);
}
