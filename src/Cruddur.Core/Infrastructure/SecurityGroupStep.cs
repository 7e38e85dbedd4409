using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Infrastructure;

/// <summary>
/// A security group in the default VPC with the TCP ingress it should have: the services' group (seed:
/// cruddur-ecs-security-group, backend port from anywhere; with the edge, 4567 and 3000 from the load balancer's group
/// only) and the load balancer's (80 and 443 from the allowed CIDRs). Missing rules are added; with
/// <c>exclusive</c>, other sources on the same ports are removed in the same update, after the new ones are in.
/// </summary>
internal sealed class SecurityGroupStep : InfrastructureStep
{
    private readonly IEc2Client _ec2;
    private readonly string _description;
    private readonly Func<IReadOnlyList<IngressRule>> _wanted;
    private readonly bool _exclusive;
    private readonly Action<string>? _found;

    /// <param name="wanted">Asked when the step runs: a source group's id may only be known then.</param>
    /// <param name="found">Told the group's id once it is found or created (later steps need it).</param>
    public SecurityGroupStep(IEc2Client ec2, string groupName, string description, Func<IReadOnlyList<IngressRule>> wanted, bool exclusive, Action<string>? found = null)
        : base("SecurityGroup", groupName)
    {
        _ec2 = ec2;
        _description = description;
        _wanted = wanted;
        _exclusive = exclusive;
        _found = found;
    }

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        var group = await _ec2.FindSecurityGroupAsync(await _ec2.DefaultVpcAsync(cancellationToken).ConfigureAwait(false), Name, cancellationToken).ConfigureAwait(false);
        if (group is null)
        {
            return null;
        }

        _found?.Invoke(group.GroupId);
        var (missing, extra) = Diff(group);
        var drift = string.Join("; ", missing.Select(r => r + " not allowed").Concat(extra.Select(r => r + " to be removed")));
        return new ObservedResource(group.GroupId, drift.Length == 0 ? null : drift, $"{group.VpcId}, {string.Join(", ", _wanted())}");
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var vpc = await _ec2.DefaultVpcAsync(cancellationToken).ConfigureAwait(false);
        var id = await _ec2.CreateSecurityGroupAsync(vpc, Name, _description, cancellationToken).ConfigureAwait(false);
        _found?.Invoke(id);
        await _ec2.AuthorizeIngressAsync(id, _wanted(), cancellationToken).ConfigureAwait(false);
        return id;
    }

    internal override async Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken)
    {
        var group = await _ec2.GetSecurityGroupAsync(found.Id, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"{Name} disappeared.");
        var (missing, extra) = Diff(group);
        // Add before removing, so the ports are never closed to every source in between.
        if (missing.Count > 0)
        {
            await _ec2.AuthorizeIngressAsync(found.Id, missing, cancellationToken).ConfigureAwait(false);
        }

        if (extra.Count > 0)
        {
            await _ec2.RevokeIngressAsync(found.Id, extra, cancellationToken).ConfigureAwait(false);
        }
    }

    private (List<IngressRule> Missing, List<IngressRule> Extra) Diff(SecurityGroupInfo group)
    {
        var wanted = _wanted();
        static bool Same(IngressRule a, IngressRule b) => a.Port == b.Port && a.Cidr == b.Cidr && a.SourceGroupId == b.SourceGroupId;
        var missing = wanted.Where(w => !group.Ingress.Any(i => Same(i, w))).ToList();
        var ports = wanted.Select(w => w.Port).ToHashSet();
        var extra = _exclusive ? group.Ingress.Where(i => ports.Contains(i.Port) && !wanted.Any(w => Same(i, w))).ToList() : [];
        return (missing, extra);
    }
}
