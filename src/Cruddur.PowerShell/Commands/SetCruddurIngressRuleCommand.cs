using System.Management.Automation;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Edge;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Points a security group's ingress rule, found by port and description, at a new CIDR: by default this machine's public IP (the seed's bin/rds/update-sg-rule).</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "CruddurIngressRule", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
[OutputType(typeof(InfrastructureResource))]
public sealed class SetCruddurIngressRuleCommand : AwsCmdlet
{
    private const string ByName = "ByName";
    private const string ById = "ById";

    /// <summary><para type="description">The security group's name, in the default VPC (such as cruddur-loadbalancer-security-group).</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = ByName, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string GroupName { get; set; } = null!;

    /// <summary><para type="description">The security group's id (sg-...), as the seed's DB_SG_ID.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = ById)]
    [ValidateNotNullOrEmpty]
    public string GroupId { get; set; } = null!;

    /// <summary><para type="description">The TCP port of the rule (5432 for the database, 443 for the load balancer).</para></summary>
    [Parameter(Mandatory = true)]
    public int Port { get; set; }

    /// <summary><para type="description">The rule's description, which names it (the seed's DB_SG_RULE_ID rule is described GITPOD). A rule with this description is created when there is none.</para></summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Description { get; set; } = null!;

    /// <summary><para type="description">The IPv4 CIDR to allow, such as 203.0.113.7/32. Default: this machine's public IP as -CheckIpUrl reports it, as a /32.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Cidr { get; set; }

    /// <summary><para type="description">A URL that answers with the caller's public IPv4 address alone (default https://checkip.amazonaws.com/, as the seed's curl ifconfig.me).</para></summary>
    [Parameter]
    public Uri CheckIpUrl { get; set; } = new(IngressRules.DefaultCheckIpUrl);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    protected override void EndProcessing()
    {
        var request = new IngressRuleRequest(ParameterSetName == ByName ? GroupName : null, ParameterSetName == ById ? GroupId : null, Port, Description, Cidr, CheckIpUrl);
        try
        {
            var result = Run((host, token) => new IngressRules(new Ec2Client(Aws, host), Http, host).SetAsync(request, token));
            if (result is not null)
            {
                WriteObject(result);
            }
        }
        catch (CruddurException e)
        {
            ThrowTerminating(e);
        }
    }
}
