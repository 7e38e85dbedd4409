using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Edge;

/// <summary>
/// The seed's manual half as steps for the reconcile loop: "CREATE A LOADBALANCER", "ALLOW TRAFFIC IN ECS SECURITY GROUP"
/// and "SECURING THE DNS + DOMAIN CONFIGURATION". The certificate comes late: everything that does not need it is built
/// first, so a certificate still waiting for the registrar's name servers leaves a usable HTTP edge behind.
/// </summary>
internal static class EdgePlan
{
    private const int BackendPort = SeedDefaults.BackendPort;
    private const int FrontendPort = SeedDefaults.FrontendPort;

    /// <summary>The edge's steps, the services' security group among them (it then accepts traffic from the load balancer only).</summary>
    public static IReadOnlyList<InfrastructureStep> CreateSteps(AwsContext context, IEc2Client ec2, EdgeOptions options, IOperationHost host) =>
        CreateSteps(new EdgeState(), ec2, new Elbv2Client(context, host), new AcmClient(context, host), new Route53Client(context, host), options, host);

    internal static IReadOnlyList<InfrastructureStep> CreateSteps(
        EdgeState state, IEc2Client ec2, IElbv2Client elb, IAcmClient acm, IRoute53Client route53, EdgeOptions options, IOperationHost host)
    {
        string? Tg(string name) => state.TargetGroupArns.GetValueOrDefault(name);
        var lbGroup = options.LoadBalancerSecurityGroupName;
        return
        [
            new HostedZoneStep(route53, state, options.Domain, options.HostedZoneId),
            new SecurityGroupStep(ec2, lbGroup, "Cruddur application load balancer: HTTP and HTTPS in",
                () => options.AllowedCidrs.SelectMany(c => new[] { new IngressRule(80, c, null), new IngressRule(443, c, null) }).ToList(),
                exclusive: true, found: id => state.LoadBalancerSecurityGroupId = id),
            new SecurityGroupStep(ec2, SeedDefaults.SecurityGroupName, SeedDefaults.SecurityGroupDescription,
                () => [new IngressRule(BackendPort, null, state.LoadBalancerSecurityGroupId ?? lbGroup), new IngressRule(FrontendPort, null, state.LoadBalancerSecurityGroupId ?? lbGroup)],
                exclusive: true),
            new LoadBalancerStep(elb, ec2, state, options.LoadBalancerName),
            new TargetGroupStep(elb, ec2, state, options.BackendTargetGroupName, BackendPort, SeedDefaults.HealthPath),
            new TargetGroupStep(elb, ec2, state, options.FrontendTargetGroupName, FrontendPort, SeedDefaults.FrontendHealthPath),
            new ListenerStep(elb, state, "HTTP", 80, () => null, () => ListenerAction.Redirect("HTTPS", 443)),
            new AliasRecordStep(route53, state, options.Domain),
            new AliasRecordStep(route53, state, options.ApiHost),
            new CertificateStep(acm, route53, state, host, options.Domain, options.CertificateArn, options.CertificateTimeout),
            new ListenerStep(elb, state, "HTTPS", 443, () => state.CertificateArn,
                () => Tg(options.FrontendTargetGroupName) is { } frontend ? ListenerAction.Forward(frontend) : null),
            new HostRuleStep(elb, state, options.ApiHost, () => Tg(options.BackendTargetGroupName)),
            new UnmanagedListenersStep(elb, state, new HashSet<int> { 80, 443 }, options.Force),
        ];
    }
}
