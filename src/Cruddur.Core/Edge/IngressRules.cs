using System.Net;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Edge;

/// <summary>Which security group rule to point at a new CIDR (the seed's bin/rds/update-sg-rule): found by port and description.</summary>
public sealed record IngressRuleRequest(string? GroupName, string? GroupId, int Port, string Description, string? Cidr, Uri CheckIpUrl);

/// <summary>
/// Points the TCP ingress rule with a given description at a new CIDR, by default the caller's public IP as a checkip
/// service sees it. The old rule is revoked, then the new one authorized; should that fail, the old one is put back, so
/// the port is never open to both and never closed by accident.
/// </summary>
public sealed class IngressRules
{
    public const string DefaultCheckIpUrl = "https://checkip.amazonaws.com/";

    private readonly IEc2Client _ec2;
    private readonly HttpClient _http;
    private readonly IOperationHost _host;

    internal IngressRules(IEc2Client ec2, HttpClient http, IOperationHost host)
    {
        _ec2 = ec2;
        _http = http;
        _host = host;
    }

    public async Task<InfrastructureResource?> SetAsync(IngressRuleRequest request, CancellationToken cancellationToken)
    {
        if (request.Port is < 1 or > 65535)
        {
            throw new CruddurException(ErrorIds.EdgePortInvalid, ErrorKind.InvalidArgument, $"{request.Port} is not a TCP port. Pass a port from 1 to 65535, such as 5432.", target: request.Port);
        }

        var cidr = request.Cidr is null ? await CallerCidrAsync(request.CheckIpUrl, cancellationToken).ConfigureAwait(false) : EdgeOptions.ValidateCidr(request.Cidr);
        var group = await FindGroupAsync(request, cancellationToken).ConfigureAwait(false);
        var name = $"{group.GroupId} tcp {request.Port} '{request.Description}'";
        var matches = group.Ingress.Where(r => r.Port == request.Port && r.Cidr is not null && r.Description == request.Description).ToList();
        if (matches.Count > 1)
        {
            throw new CruddurException(ErrorIds.EdgeIngressRuleAmbiguous, ErrorKind.InvalidOperation,
                $"{matches.Count} rules of {group.GroupName} ({group.GroupId}) on tcp {request.Port} have the description '{request.Description}' ({string.Join(", ", matches.Select(m => m.Cidr))}). Give each rule its own description ('aws ec2 update-security-group-rule-descriptions-ingress') and run again; nothing was changed.",
                target: group.GroupId);
        }

        var wanted = new IngressRule(request.Port, cidr, null, request.Description);
        var old = matches.SingleOrDefault();
        if (old?.Cidr == cidr)
        {
            return new InfrastructureResource("IngressRule", name, group.GroupId, ResourceStatus.Exists, cidr);
        }

        var change = old is null ? $"Allow tcp {request.Port} from {cidr}" : $"Replace tcp {request.Port} from {old.Cidr} with {cidr}";
        if (!_host.ShouldProcess($"IngressRule {name}", change))
        {
            return null;
        }

        if (old is not null)
        {
            await _ec2.RevokeIngressAsync(group.GroupId, [old], cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await _ec2.AuthorizeIngressAsync(group.GroupId, [wanted], CancellationToken.None).ConfigureAwait(false);
        }
        catch (CruddurException) when (old is not null)
        {
            await _ec2.AuthorizeIngressAsync(group.GroupId, [old], CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return new InfrastructureResource("IngressRule", name, group.GroupId, old is null ? ResourceStatus.Created : ResourceStatus.Updated,
            old is null ? cidr : $"{old.Cidr} -> {cidr}");
    }

    private async Task<SecurityGroupInfo> FindGroupAsync(IngressRuleRequest request, CancellationToken cancellationToken)
    {
        var group = request.GroupId is not null
            ? await _ec2.GetSecurityGroupAsync(request.GroupId, cancellationToken).ConfigureAwait(false)
            : await _ec2.FindSecurityGroupAsync(await _ec2.DefaultVpcAsync(cancellationToken).ConfigureAwait(false), request.GroupName!, cancellationToken).ConfigureAwait(false);
        return group ?? throw new CruddurException(ErrorIds.EdgeSecurityGroupNotFound, ErrorKind.ObjectNotFound,
            $"There is no security group {(request.GroupId is not null ? "with the id " + request.GroupId : $"named '{request.GroupName}' in the default VPC")}. Check the name or id ('aws ec2 describe-security-groups').",
            target: request.GroupId ?? request.GroupName);
    }

    /// <summary>The caller's public IPv4 address as a /32, from a service that answers with the address alone.</summary>
    private async Task<string> CallerCidrAsync(Uri checkIpUrl, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = (await _http.GetStringAsync(checkIpUrl, cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (HttpRequestException e)
        {
            throw new CruddurException(ErrorIds.EdgeCallerIpUnavailable, ErrorKind.ConnectionError,
                $"Could not learn this machine's public IP from {checkIpUrl}: {e.Message}.", e, checkIpUrl.ToString());
        }

        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new CruddurException(ErrorIds.EdgeCallerIpUnavailable, ErrorKind.InvalidData,
                $"{checkIpUrl} did not answer with an IPv4 address.", target: checkIpUrl.ToString());
        }

        _host.WriteVerbose($"{checkIpUrl} says this machine's public IP is {address}.");
        return address + "/32";
    }
}
