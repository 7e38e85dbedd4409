using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>One TCP ingress permission on one port, from a CIDR or from another security group.</summary>
public sealed record IngressRule(int Port, string? Cidr, string? SourceGroupId, string? Description = null)
{
    public override string ToString() => $"tcp {Port} from {Cidr ?? SourceGroupId}";
}

/// <summary>A security group with its TCP ingress rules, one per port and source.</summary>
public sealed record SecurityGroupInfo(string GroupId, string GroupName, string VpcId, IReadOnlyList<IngressRule> Ingress);

/// <summary>The EC2 networking calls the project makes.</summary>
public interface IEc2Client
{
    /// <summary>The default VPC's id; an error when the region has none.</summary>
    Task<string> DefaultVpcAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> SubnetIdsAsync(string vpcId, CancellationToken cancellationToken);

    Task<SecurityGroupInfo?> FindSecurityGroupAsync(string vpcId, string groupName, CancellationToken cancellationToken);

    /// <summary>The group with that id, or null when there is none (InvalidGroup.NotFound).</summary>
    Task<SecurityGroupInfo?> GetSecurityGroupAsync(string groupId, CancellationToken cancellationToken);

    Task<string> CreateSecurityGroupAsync(string vpcId, string groupName, string description, CancellationToken cancellationToken);

    Task AuthorizeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken cancellationToken);

    Task RevokeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken cancellationToken);
}

/// <summary>EC2 through AWSSDK.EC2, with its errors turned into the project's.</summary>
public sealed class Ec2Client : IEc2Client
{
    private readonly AwsContext _context;

    public Ec2Client(AwsContext context) => _context = context;

    public Task<string> DefaultVpcAsync(CancellationToken cancellationToken) => CallAsync("DescribeVpcs", async ec2 =>
    {
        var vpcs = await ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = [new Filter("isDefault", ["true"])] }, cancellationToken).ConfigureAwait(false);
        return vpcs.Vpcs?.FirstOrDefault()?.VpcId
            ?? throw new CruddurException("DefaultVpcNotFound", ErrorKind.ObjectNotFound,
                $"The region {_context.Region} has no default VPC to put the Cruddur resources in. Create one with 'aws ec2 create-default-vpc'.", target: _context.Region);
    });

    public Task<IReadOnlyList<string>> SubnetIdsAsync(string vpcId, CancellationToken cancellationToken) => CallAsync<IReadOnlyList<string>>("DescribeSubnets", async ec2 =>
    {
        var subnets = await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [new Filter("vpc-id", [vpcId])] }, cancellationToken).ConfigureAwait(false);
        return (subnets.Subnets ?? []).OrderBy(s => s.AvailabilityZone, StringComparer.Ordinal).Select(s => s.SubnetId).ToList();
    });

    public Task<SecurityGroupInfo?> FindSecurityGroupAsync(string vpcId, string groupName, CancellationToken cancellationToken) =>
        DescribeAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("vpc-id", [vpcId]), new Filter("group-name", [groupName])] }, cancellationToken);

    public async Task<SecurityGroupInfo?> GetSecurityGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        try
        {
            return await DescribeAsync(new DescribeSecurityGroupsRequest { GroupIds = [groupId] }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode is "InvalidGroup.NotFound" or "InvalidGroupId.Malformed")
        {
            return null;
        }
    }

    public Task<string> CreateSecurityGroupAsync(string vpcId, string groupName, string description, CancellationToken cancellationToken) => CallAsync("CreateSecurityGroup", async ec2 =>
        (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = groupName, Description = description, VpcId = vpcId }, cancellationToken).ConfigureAwait(false)).GroupId);

    public Task AuthorizeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken cancellationToken) => CallAsync("AuthorizeSecurityGroupIngress", async ec2 =>
        await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = rules.Select(ToPermission).ToList() }, cancellationToken).ConfigureAwait(false));

    public Task RevokeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken cancellationToken) => CallAsync("RevokeSecurityGroupIngress", async ec2 =>
        await ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = rules.Select(ToPermission).ToList() }, cancellationToken).ConfigureAwait(false));

    private static IpPermission ToPermission(IngressRule rule) => new()
    {
        IpProtocol = "tcp",
        FromPort = rule.Port,
        ToPort = rule.Port,
        Ipv4Ranges = rule.Cidr is null ? null : [new IpRange { CidrIp = rule.Cidr, Description = rule.Description }],
        UserIdGroupPairs = rule.SourceGroupId is null ? null : [new UserIdGroupPair { GroupId = rule.SourceGroupId, Description = rule.Description }],
    };

    private Task<SecurityGroupInfo?> DescribeAsync(DescribeSecurityGroupsRequest request, CancellationToken cancellationToken) => CallAsync("DescribeSecurityGroups", async ec2 =>
    {
        var group = (await ec2.DescribeSecurityGroupsAsync(request, cancellationToken).ConfigureAwait(false)).SecurityGroups?.FirstOrDefault();
        if (group is null)
        {
            return null;
        }

        // One rule per port and source: that is how the project writes them and how a rule is addressed by its description.
        var ingress = (group.IpPermissions ?? []).Where(p => p.IpProtocol == "tcp" && p.FromPort == p.ToPort)
            .SelectMany(p => (p.Ipv4Ranges ?? []).Select(r => new IngressRule(p.FromPort ?? 0, r.CidrIp, null, r.Description))
                .Concat((p.UserIdGroupPairs ?? []).Select(g => new IngressRule(p.FromPort ?? 0, null, g.GroupId, g.Description))))
            .ToList();
        return new SecurityGroupInfo(group.GroupId, group.GroupName, group.VpcId, ingress);
    });

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
