using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Infrastructure;

/// <summary>
/// The services' security group in the default VPC (seed: cruddur-ecs-security-group), with TCP ingress on the backend's
/// port from anywhere. A missing ingress rule is added to an existing group.
/// </summary>
public sealed class SecurityGroupStep : InfrastructureStep
{
    private const string AnyWhere = "0.0.0.0/0";

    private readonly AwsContext _context;
    private readonly int _port;

    public SecurityGroupStep(AwsContext context, string groupName, int port)
        : base("SecurityGroup", groupName)
    {
        _context = context;
        _port = port;
    }

    public override Task<ObservedResource?> FindAsync(CancellationToken cancellationToken) => CallAsync("DescribeSecurityGroups", async ec2 =>
    {
        var group = await FindGroupAsync(ec2, await DefaultVpcAsync(ec2, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (group is null)
        {
            return null;
        }

        var open = (group.IpPermissions ?? []).Any(p => p.IpProtocol == "tcp" && p.FromPort <= _port && p.ToPort >= _port && (p.Ipv4Ranges ?? []).Any(r => r.CidrIp == AnyWhere));
        return new ObservedResource(group.GroupId, open ? null : $"tcp {_port} from {AnyWhere} not allowed", $"{group.VpcId}, tcp {_port} open");
    });

    public override Task<string> CreateAsync(CancellationToken cancellationToken) => CallAsync("CreateSecurityGroup", async ec2 =>
    {
        var vpc = await DefaultVpcAsync(ec2, cancellationToken).ConfigureAwait(false);
        var created = await ec2.CreateSecurityGroupAsync(
            new CreateSecurityGroupRequest { GroupName = Name, Description = "Security group for Cruddur services on ECS", VpcId = vpc },
            cancellationToken).ConfigureAwait(false);
        await AuthorizeAsync(ec2, created.GroupId, cancellationToken).ConfigureAwait(false);
        return created.GroupId;
    });

    public override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) =>
        CallAsync("AuthorizeSecurityGroupIngress", async ec2 =>
        {
            await AuthorizeAsync(ec2, found.Id, cancellationToken).ConfigureAwait(false);
            return found.Id;
        });

    private async Task<string> DefaultVpcAsync(AmazonEC2Client ec2, CancellationToken cancellationToken)
    {
        var vpcs = await ec2.DescribeVpcsAsync(
            new DescribeVpcsRequest { Filters = [new Filter("isDefault", ["true"])] }, cancellationToken).ConfigureAwait(false);
        return vpcs.Vpcs?.FirstOrDefault()?.VpcId
            ?? throw new CruddurException("DefaultVpcNotFound", ErrorKind.ObjectNotFound,
                $"The region {_context.Region} has no default VPC to put the security group in. Create one with 'aws ec2 create-default-vpc'.", target: _context.Region);
    }

    private async Task<SecurityGroup?> FindGroupAsync(AmazonEC2Client ec2, string vpcId, CancellationToken cancellationToken)
    {
        var groups = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
        {
            Filters = [new Filter("vpc-id", [vpcId]), new Filter("group-name", [Name])],
        }, cancellationToken).ConfigureAwait(false);
        return groups.SecurityGroups?.FirstOrDefault();
    }

    private Task AuthorizeAsync(AmazonEC2Client ec2, string groupId, CancellationToken cancellationToken) =>
        ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = _port, ToPort = _port, Ipv4Ranges = [new IpRange { CidrIp = AnyWhere }] }],
        }, cancellationToken);

    private async Task<T> CallAsync<T>(string operation, Func<AmazonEC2Client, Task<T>> call)
    {
        using var ec2 = new AmazonEC2Client(_context.Credentials, _context.ConfigureSdk(new AmazonEC2Config(), AwsService.Ec2));
        try
        {
            return await call(ec2).ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            throw AwsContext.FromSdk(e, "EC2", operation);
        }
        catch (HttpRequestException e)
        {
            throw _context.Unreachable(AwsService.Ec2, e);
        }
    }
}
