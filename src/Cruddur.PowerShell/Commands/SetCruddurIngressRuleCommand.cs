using System.Management.Automation;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;
using Cruddur.Core.Edge;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// Points a security group's ingress rule, found by port and description, at a new CIDR: by default this machine's public IP
/// (the seed's bin/rds/update-sg-rule).
/// </summary>
[Cmdlet(VerbsCommon.Set, "CruddurIngressRule", SupportsShouldProcess = true, DefaultParameterSetName = ByName, HelpUri = OnlineHelp.Docs + "Set-CruddurIngressRule.md")]
[OutputType(typeof(InfrastructureResource))]
[ErrorHint(ErrorIds.EdgeCallerIpUnavailable, "Pass -Cidr <your address>/32 instead.")]
public sealed class SetCruddurIngressRuleCommand : AwsCmdlet
{
    private const string ByName = "ByName";
    private const string ById = "ById";

    [Parameter(Mandatory = true, ParameterSetName = ByName, Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SecurityGroupNameCompleter))]
    public string GroupName { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = ById)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SecurityGroupIdCompleter))]
    public string GroupId { get; set; } = null!;

    [Parameter(Mandatory = true)]
    public int Port { get; set; }

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Description { get; set; } = null!;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Cidr { get; set; }

    [Parameter]
    public Uri CheckIpUrl { get; set; } = new(IngressRules.DefaultCheckIpUrl);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    protected override void EndProcessing()
    {
        var request = new IngressRuleRequest(ParameterSetName == ByName ? GroupName : null, ParameterSetName == ById ? GroupId : null, Port, Description, Cidr, CheckIpUrl);
        try
        {
            var result = Run((host, token) => App(host).IngressRules(Http).SetAsync(request, token));
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
