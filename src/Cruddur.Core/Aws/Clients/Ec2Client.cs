using Amazon.EC2;
using Amazon.EC2.Model;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws.Clients;

/// <summary>One TCP ingress permission on one port, from a CIDR or from another security group.</summary>
internal sealed record IngressRule(int Port, string? Cidr, string? SourceGroupId, string? Description = null)
{
    public override string ToString() => $"tcp {Port} from {Cidr ?? SourceGroupId}";
}

/// <summary>A subnet: its VPC.</summary>
internal sealed record SubnetInfo(string SubnetId, string VpcId);

/// <summary>
/// A route table of a VPC: the subnets associated with it explicitly (a subnet with none uses the main table), and where
/// its default route (0.0.0.0/0) goes: an internet gateway (public), a NAT gateway or instance, or nowhere.
/// </summary>
internal sealed record RouteTableInfo(string RouteTableId, bool Main, IReadOnlyList<string> SubnetIds, bool DefaultRouteToInternetGateway, bool DefaultRouteToNat);

/// <summary>A security group with its TCP ingress rules, one per port and source.</summary>
internal sealed record SecurityGroupInfo(string GroupId, string GroupName, string VpcId, IReadOnlyList<IngressRule> Ingress);

/// <summary>Amazon EC2 as the module uses it: the default VPC, its subnets, and security groups with their TCP rules.</summary>
internal interface IEc2Client
{
    /// <summary>The default VPC's id; an error when the region has none.</summary>
    Task<string> DefaultVpcAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> SubnetIdsAsync(string vpcId, CancellationToken cancellationToken);

    Task<SecurityGroupInfo?> FindSecurityGroupAsync(string vpcId, string groupName, CancellationToken cancellationToken);

    /// <summary>The group with that id, or null when there is none (InvalidGroup.NotFound).</summary>
    Task<SecurityGroupInfo?> GetSecurityGroupAsync(string groupId, CancellationToken cancellationToken);

    /// <summary>Every security group of the region, in all VPCs.</summary>
    Task<IReadOnlyList<SecurityGroupInfo>> ListSecurityGroupsAsync(CancellationToken cancellationToken);

    /// <summary>The subnets of <paramref name="subnetIds"/> that exist (missing ones are left out).</summary>
    Task<IReadOnlyList<SubnetInfo>> DescribeSubnetsAsync(IReadOnlyList<string> subnetIds, CancellationToken cancellationToken);

    /// <summary>The security groups of <paramref name="groupIds"/> that exist (missing ones are left out).</summary>
    Task<IReadOnlyList<SecurityGroupInfo>> DescribeSecurityGroupsAsync(IReadOnlyList<string> groupIds, CancellationToken cancellationToken);

    /// <summary>The route tables of a VPC.</summary>
    Task<IReadOnlyList<RouteTableInfo>> RouteTablesAsync(string vpcId, CancellationToken cancellationToken);

    /// <summary>The service names of a VPC's endpoints (com.amazonaws.us-east-1.ecr.dkr, ...).</summary>
    Task<IReadOnlyList<string>> VpcEndpointServicesAsync(string vpcId, CancellationToken cancellationToken);

    Task<string> CreateSecurityGroupAsync(string vpcId, string groupName, string description, CancellationToken cancellationToken);

    Task AuthorizeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken cancellationToken);

    Task RevokeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken cancellationToken);
}

/// <summary><see cref="IEc2Client"/> through AWSSDK.EC2, under the module's retry policy.</summary>
internal sealed class Ec2Client : IEc2Client
{
    private readonly AwsContext _context;
    private readonly SdkProtocol<AmazonEC2Client> _api;

    public Ec2Client(AwsContext context, IOperationHost host)
    {
        _context = context;
        _api = new(context, AwsService.Ec2, host, (credentials, aws) => new AmazonEC2Client(credentials, aws.ConfigureSdk(new AmazonEC2Config(), AwsService.Ec2)));
    }

    public async Task<string> DefaultVpcAsync(CancellationToken cancellationToken) =>
        await _api.CallAsync("DescribeVpcs", idempotent: true, async (ec2, token) =>
            (await ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = [new Filter("isDefault", ["true"])] }, token).ConfigureAwait(false)).Vpcs?.FirstOrDefault()?.VpcId,
            cancellationToken).ConfigureAwait(false)
        ?? throw new CruddurException(ErrorIds.InfraDefaultVpcNotFound, ErrorKind.ObjectNotFound,
            $"The region {_context.Region} has no default VPC to put the Cruddur resources in. Create one with 'aws ec2 create-default-vpc'.", target: _context.Region);

    public Task<IReadOnlyList<string>> SubnetIdsAsync(string vpcId, CancellationToken cancellationToken) =>
        _api.CallAsync<IReadOnlyList<string>>("DescribeSubnets", idempotent: true, async (ec2, token) =>
            ((await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [new Filter("vpc-id", [vpcId])] }, token).ConfigureAwait(false)).Subnets ?? [])
                .OrderBy(s => s.AvailabilityZone, StringComparer.Ordinal).Select(s => s.SubnetId).ToList(),
            cancellationToken);

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

    // Without MaxResults, DescribeSecurityGroups answers every group at once.
    public Task<IReadOnlyList<SecurityGroupInfo>> ListSecurityGroupsAsync(CancellationToken cancellationToken) =>
        _api.CallAsync<IReadOnlyList<SecurityGroupInfo>>("DescribeSecurityGroups", idempotent: true, async (ec2, token) =>
            ((await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest(), token).ConfigureAwait(false)).SecurityGroups ?? []).Select(ToInfo).ToList(),
            cancellationToken);

    // Filters rather than ids: a missing id is left out of the answer instead of failing the whole call.
    public Task<IReadOnlyList<SubnetInfo>> DescribeSubnetsAsync(IReadOnlyList<string> subnetIds, CancellationToken cancellationToken) =>
        _api.CallAsync<IReadOnlyList<SubnetInfo>>("DescribeSubnets", idempotent: true, async (ec2, token) =>
            ((await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [new Filter("subnet-id", subnetIds.ToList())] }, token).ConfigureAwait(false)).Subnets ?? [])
                .Select(s => new SubnetInfo(s.SubnetId, s.VpcId)).ToList(),
            cancellationToken);

    public Task<IReadOnlyList<SecurityGroupInfo>> DescribeSecurityGroupsAsync(IReadOnlyList<string> groupIds, CancellationToken cancellationToken) =>
        _api.CallAsync<IReadOnlyList<SecurityGroupInfo>>("DescribeSecurityGroups", idempotent: true, async (ec2, token) =>
            ((await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-id", groupIds.ToList())] }, token).ConfigureAwait(false)).SecurityGroups ?? [])
                .Select(ToInfo).ToList(),
            cancellationToken);

    public Task<IReadOnlyList<RouteTableInfo>> RouteTablesAsync(string vpcId, CancellationToken cancellationToken) =>
        _api.CallAsync<IReadOnlyList<RouteTableInfo>>("DescribeRouteTables", idempotent: true, async (ec2, token) =>
            ((await ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = [new Filter("vpc-id", [vpcId])] }, token).ConfigureAwait(false)).RouteTables ?? [])
                .Select(t =>
                {
                    var defaults = (t.Routes ?? []).Where(r => r.DestinationCidrBlock == "0.0.0.0/0" && r.State?.Value != "blackhole").ToList();
                    return new RouteTableInfo(
                        t.RouteTableId,
                        (t.Associations ?? []).Any(a => a.Main == true),
                        (t.Associations ?? []).Where(a => a.SubnetId is not null).Select(a => a.SubnetId).ToList(),
                        defaults.Any(r => r.GatewayId?.StartsWith("igw-", StringComparison.Ordinal) == true),
                        defaults.Any(r => r.NatGatewayId is not null || r.InstanceId is not null));
                }).ToList(),
            cancellationToken);

    public Task<IReadOnlyList<string>> VpcEndpointServicesAsync(string vpcId, CancellationToken cancellationToken) =>
        _api.CallAsync<IReadOnlyList<string>>("DescribeVpcEndpoints", idempotent: true, async (ec2, token) =>
            ((await ec2.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest { Filters = [new Filter("vpc-id", [vpcId])] }, token).ConfigureAwait(false)).VpcEndpoints ?? [])
                .Select(e => e.ServiceName).ToList(),
            cancellationToken);

    public Task<string> CreateSecurityGroupAsync(string vpcId, string groupName, string description, CancellationToken cancellationToken) =>
        _api.CallAsync("CreateSecurityGroup", idempotent: false, async (ec2, token) =>
            (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = groupName, Description = description, VpcId = vpcId }, token).ConfigureAwait(false)).GroupId,
            cancellationToken);

    // Not idempotent: after a 5xx the rules may be in, and a repeat fails with InvalidPermission.Duplicate (or NotFound).
    public Task AuthorizeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken cancellationToken) =>
        _api.CallAsync("AuthorizeSecurityGroupIngress", idempotent: false, (ec2, token) =>
            ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = rules.Select(ToPermission).ToList() }, token),
            cancellationToken);

    public Task RevokeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken cancellationToken) =>
        _api.CallAsync("RevokeSecurityGroupIngress", idempotent: false, (ec2, token) =>
            ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = rules.Select(ToPermission).ToList() }, token),
            cancellationToken);

    private static IpPermission ToPermission(IngressRule rule) => new()
    {
        IpProtocol = "tcp",
        FromPort = rule.Port,
        ToPort = rule.Port,
        Ipv4Ranges = rule.Cidr is null ? null : [new IpRange { CidrIp = rule.Cidr, Description = rule.Description }],
        UserIdGroupPairs = rule.SourceGroupId is null ? null : [new UserIdGroupPair { GroupId = rule.SourceGroupId, Description = rule.Description }],
    };

    private Task<SecurityGroupInfo?> DescribeAsync(DescribeSecurityGroupsRequest request, CancellationToken cancellationToken) => _api.CallAsync("DescribeSecurityGroups", idempotent: true, async (ec2, token) =>
        (await ec2.DescribeSecurityGroupsAsync(request, token).ConfigureAwait(false)).SecurityGroups?.FirstOrDefault() is { } group ? ToInfo(group) : null,
        cancellationToken);

    private static SecurityGroupInfo ToInfo(SecurityGroup group)
    {
        // One rule per port and source: that is how the project writes them and how a rule is addressed by its description.
        var ingress = (group.IpPermissions ?? []).Where(p => p.IpProtocol == "tcp" && p.FromPort == p.ToPort)
            .SelectMany(p => (p.Ipv4Ranges ?? []).Select(r => new IngressRule(p.FromPort ?? 0, r.CidrIp, null, r.Description))
                .Concat((p.UserIdGroupPairs ?? []).Select(g => new IngressRule(p.FromPort ?? 0, null, g.GroupId, g.Description))))
            .ToList();
        return new SecurityGroupInfo(group.GroupId, group.GroupName, group.VpcId, ingress);
    }
}
