using Amazon.EC2;
using Amazon.EC2.Model;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws.Clients;

/// <summary>A security group and the TCP port ranges it lets in from anywhere (0.0.0.0/0).</summary>
public sealed record SecurityGroupInfo(string GroupId, string VpcId, IReadOnlyList<(int From, int To)> OpenTcpRanges)
{
    public bool OpensTcp(int port) => OpenTcpRanges.Any(r => r.From <= port && r.To >= port);
}

/// <summary>Amazon EC2 as the module uses it: the default VPC and a security group in it.</summary>
public interface IEc2Client
{
    /// <summary>The id of the region's default VPC, or null.</summary>
    Task<string?> FindDefaultVpcAsync(CancellationToken cancellationToken);

    Task<SecurityGroupInfo?> FindSecurityGroupAsync(string vpcId, string groupName, CancellationToken cancellationToken);

    /// <summary>Creates the group; returns its id.</summary>
    Task<string> CreateSecurityGroupAsync(string vpcId, string groupName, string description, CancellationToken cancellationToken);

    /// <summary>Lets TCP <paramref name="port"/> in from anywhere.</summary>
    Task AuthorizeTcpFromAnywhereAsync(string groupId, int port, CancellationToken cancellationToken);
}

/// <summary><see cref="IEc2Client"/> through AWSSDK.EC2, under the module's retry policy.</summary>
public sealed class Ec2Client : IEc2Client
{
    private const string Anywhere = "0.0.0.0/0";

    private readonly SdkProtocol<AmazonEC2Client> _api;

    public Ec2Client(AwsContext context, IOperationHost host) =>
        _api = new(context, AwsService.Ec2, host, (credentials, aws) => new AmazonEC2Client(credentials, aws.ConfigureSdk(new AmazonEC2Config(), AwsService.Ec2)));

    public Task<string?> FindDefaultVpcAsync(CancellationToken cancellationToken) =>
        _api.CallAsync("DescribeVpcs", idempotent: true, async (ec2, token) =>
            (await ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = [new Filter("isDefault", ["true"])] }, token).ConfigureAwait(false)).Vpcs?.FirstOrDefault()?.VpcId,
            cancellationToken);

    public Task<SecurityGroupInfo?> FindSecurityGroupAsync(string vpcId, string groupName, CancellationToken cancellationToken) =>
        _api.CallAsync("DescribeSecurityGroups", idempotent: true, async (ec2, token) =>
        {
            var groups = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
            {
                Filters = [new Filter("vpc-id", [vpcId]), new Filter("group-name", [groupName])],
            }, token).ConfigureAwait(false);
            return groups.SecurityGroups?.FirstOrDefault() is { } g
                ? new SecurityGroupInfo(g.GroupId, g.VpcId, (g.IpPermissions ?? [])
                    .Where(p => p.IpProtocol == "tcp" && (p.Ipv4Ranges ?? []).Any(r => r.CidrIp == Anywhere))
                    .Select(p => (p.FromPort ?? 0, p.ToPort ?? 0)).ToList())
                : null;
        }, cancellationToken);

    public Task<string> CreateSecurityGroupAsync(string vpcId, string groupName, string description, CancellationToken cancellationToken) =>
        _api.CallAsync("CreateSecurityGroup", idempotent: false, async (ec2, token) =>
            (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = groupName, Description = description, VpcId = vpcId }, token).ConfigureAwait(false)).GroupId,
            cancellationToken);

    public Task AuthorizeTcpFromAnywhereAsync(string groupId, int port, CancellationToken cancellationToken) =>
        _api.CallAsync("AuthorizeSecurityGroupIngress", idempotent: false, (ec2, token) => ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = port, ToPort = port, Ipv4Ranges = [new IpRange { CidrIp = Anywhere }] }],
        }, token), cancellationToken);
}
