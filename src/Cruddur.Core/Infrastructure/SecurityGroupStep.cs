using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Infrastructure;

/// <summary>
/// The services' security group in the default VPC (seed: cruddur-ecs-security-group), with TCP ingress on the backend's
/// port from anywhere. A missing ingress rule is added to an existing group.
/// </summary>
public sealed class SecurityGroupStep : InfrastructureStep
{
    private readonly IEc2Client _ec2;
    private readonly string _region;
    private readonly int _port;

    public SecurityGroupStep(IEc2Client ec2, string region, string groupName, int port)
        : base("SecurityGroup", groupName)
    {
        _ec2 = ec2;
        _region = region;
        _port = port;
    }

    public override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        var group = await _ec2.FindSecurityGroupAsync(await DefaultVpcAsync(cancellationToken).ConfigureAwait(false), Name, cancellationToken).ConfigureAwait(false);
        return group is null
            ? null
            : new ObservedResource(group.GroupId, group.OpensTcp(_port) ? null : $"tcp {_port} from 0.0.0.0/0 not allowed", $"{group.VpcId}, tcp {_port} open");
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var vpc = await DefaultVpcAsync(cancellationToken).ConfigureAwait(false);
        var groupId = await _ec2.CreateSecurityGroupAsync(vpc, Name, "Security group for Cruddur services on ECS", cancellationToken).ConfigureAwait(false);
        await _ec2.AuthorizeTcpFromAnywhereAsync(groupId, _port, cancellationToken).ConfigureAwait(false);
        return groupId;
    }

    public override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) =>
        _ec2.AuthorizeTcpFromAnywhereAsync(found.Id, _port, cancellationToken);

    private async Task<string> DefaultVpcAsync(CancellationToken cancellationToken) =>
        await _ec2.FindDefaultVpcAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new CruddurException("DefaultVpcNotFound", ErrorKind.ObjectNotFound,
                $"The region {_region} has no default VPC to put the security group in. Create one with 'aws ec2 create-default-vpc'.", target: _region);
}
