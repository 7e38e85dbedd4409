using System.Net;
using System.Text.RegularExpressions;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Edge;

/// <summary>The public edge Initialize-CruddurInfrastructure -Domain builds; the names are the seed's.</summary>
public sealed partial record EdgeOptions
{
    public const string Anywhere = "0.0.0.0/0";

    /// <summary>The apex domain: the hosted zone, the certificate (apex and *.apex) and the alias records are for it.</summary>
    public required string Domain { get; init; }

    /// <summary>Who may reach the load balancer on 80 and 443 (the seed starts open, later limits it to the developer's IP).</summary>
    public IReadOnlyList<string> AllowedCidrs { get; init; } = [Anywhere];

    /// <summary>A certificate to use instead of requesting one.</summary>
    public string? CertificateArn { get; init; }

    /// <summary>The hosted zone to use instead of finding (or creating) the one named after the domain.</summary>
    public string? HostedZoneId { get; init; }

    public string LoadBalancerName { get; init; } = SeedDefaults.LoadBalancerName;

    public string LoadBalancerSecurityGroupName { get; init; } = SeedDefaults.LoadBalancerSecurityGroupName;

    public string BackendTargetGroupName { get; init; } = SeedDefaults.BackendTargetGroup;

    public string FrontendTargetGroupName { get; init; } = SeedDefaults.FrontendTargetGroup;

    /// <summary>How long to wait for the certificate to be ISSUED.</summary>
    public TimeSpan CertificateTimeout { get; init; } = SeedDefaults.CertificateTimeout;

    /// <summary>Remove the load balancer's listeners the plan does not own (the seed's temporary 4567 and 3000 ones).</summary>
    public bool Force { get; init; }

    /// <summary>
    /// The deployment strategy the edge is for. Every strategy but Rolling adds what ECS shifts traffic with: per service an
    /// alternate target group, a production rule and a test rule forwarding to both groups by weight, the test listener,
    /// and the infrastructure role ECS assumes to change the rules.
    /// </summary>
    public DeploymentStrategy Strategy { get; init; } = DeploymentStrategy.Rolling;

    /// <summary>The test listener's port (HTTPS); used when <see cref="Strategy"/> shifts traffic.</summary>
    public int TestListenerPort { get; init; } = SeedDefaults.TestListenerPort;

    /// <summary>The backend's host name: api.&lt;domain&gt;.</summary>
    public string ApiHost => "api." + Domain;

    /// <summary>Checks every value before anything is looked up; returns the options with the domain in lower case.</summary>
    public EdgeOptions Validate()
    {
        var domain = Domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (domain.Length > 253 || !DomainName().IsMatch(domain))
        {
            throw new CruddurException(ErrorIds.EdgeDomainInvalid, ErrorKind.InvalidArgument,
                $"'{Domain}' is not a domain name. Pass the apex domain you own, such as cruddur.example or example.com (letters, digits and '-', labels separated by dots, no scheme or path).",
                target: Domain);
        }

        foreach (var cidr in AllowedCidrs)
        {
            ValidateCidr(cidr);
        }

        if (CertificateArn is not null && !CertificateArnPattern().IsMatch(CertificateArn))
        {
            throw new CruddurException(ErrorIds.EdgeCertificateArnInvalid, ErrorKind.InvalidArgument,
                $"'{CertificateArn}' is not an ACM certificate ARN. Pass one like arn:aws:acm:us-east-1:123456789012:certificate/<id> ('aws acm list-certificates').",
                target: CertificateArn);
        }

        if (LoadBalancerName.Length > 32 || !ElbName().IsMatch(LoadBalancerName))
        {
            throw new CruddurException(ErrorIds.EdgeLoadBalancerNameInvalid, ErrorKind.InvalidArgument,
                $"'{LoadBalancerName}' is not a load balancer name. Use up to 32 letters, digits and '-', not starting or ending with '-'.", target: LoadBalancerName);
        }

        ValidateTestListenerPort(TestListenerPort);
        return this with { Domain = domain, HostedZoneId = HostedZoneId?.Trim() };
    }

    /// <summary>A port the test listener can take: a TCP port that is not the edge's 80 or 443.</summary>
    private static void ValidateTestListenerPort(int port)
    {
        if (port is < 1 or > 65535)
        {
            throw new CruddurException(ErrorIds.EdgePortInvalid, ErrorKind.InvalidArgument,
                $"{port} is not a TCP port. Pass a test listener port from 1 to 65535 other than 80 and 443, such as {SeedDefaults.TestListenerPort}.", target: port);
        }

        if (port is 80 or 443)
        {
            throw new CruddurException(ErrorIds.EdgeTestListenerPortConflict, ErrorKind.InvalidArgument,
                $"Port {port} is the edge's {(port == 80 ? "HTTP redirect" : "production HTTPS")} listener; test traffic needs a listener of its own. Pass another port, such as {SeedDefaults.TestListenerPort}.", target: port);
        }
    }

    /// <summary>An IPv4 CIDR such as 203.0.113.7/32; a clear error otherwise. Shared with Set-CruddurIngressRule.</summary>
    public static string ValidateCidr(string cidr)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || parts[0].Count(c => c == '.') != 3 || !int.TryParse(parts[1], out var bits) || bits is < 0 or > 32)
        {
            throw new CruddurException(ErrorIds.EdgeCidrInvalid, ErrorKind.InvalidArgument,
                $"'{cidr}' is not an IPv4 CIDR. Write an address and a prefix length, such as 203.0.113.7/32 for one address or 0.0.0.0/0 for anywhere.", target: cidr);
        }

        return cidr;
    }

    [GeneratedRegex("^(?=.{1,253}\\z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?\\z")]
    private static partial Regex DomainName();

    [GeneratedRegex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[A-Za-z0-9-]+\\z")]
    private static partial Regex CertificateArnPattern();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\z")]
    private static partial Regex ElbName();
}
