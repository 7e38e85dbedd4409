using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Edge;

/// <summary>
/// The seed's manual half as steps for the reconcile loop: "CREATE A LOADBALANCER", "ALLOW TRAFFIC IN ECS SECURITY GROUP"
/// and "SECURING THE DNS + DOMAIN CONFIGURATION". The certificate comes late: everything that does not need it is built
/// first, so a certificate still waiting for the registrar's name servers leaves a usable HTTP edge behind.
/// </summary>
public static class EdgePlan
{
    public const int BackendPort = InfrastructurePlan.BackendPort;
    public const int FrontendPort = 3000;
    public const string BackendHealthPath = "/api/health-check";
    public const string FrontendHealthPath = "/";

    /// <summary>The edge's steps, the services' security group among them (it then accepts traffic from the load balancer only).</summary>
    public static IReadOnlyList<InfrastructureStep> CreateSteps(AwsContext context, EdgeOptions options, string servicesSecurityGroup, IOperationHost host)
    {
        var state = new EdgeState();
        var ec2 = new Ec2Client(context);
        var elb = new Elbv2Client(AwsQueryClient.ForElbv2(context, host));
        var acm = new AcmClient(new AwsJsonClient(context, AwsService.Acm, host));
        var route53 = new Route53Client(new AwsRestXmlClient(context, AwsService.Route53, host));
        return CreateSteps(state, ec2, elb, acm, route53, options, servicesSecurityGroup, host);
    }

    internal static IReadOnlyList<InfrastructureStep> CreateSteps(
        EdgeState state, IEc2Client ec2, IElbv2Client elb, IAcmClient acm, IRoute53Client route53, EdgeOptions options, string servicesSecurityGroup, IOperationHost host)
    {
        string? Tg(string name) => state.TargetGroupArns.GetValueOrDefault(name);
        var lbGroup = options.LoadBalancerSecurityGroupName;
        return
        [
            new HostedZoneStep(route53, state, options.Domain, options.HostedZoneId),
            new SecurityGroupStep(ec2, lbGroup, "Cruddur application load balancer: HTTP and HTTPS in",
                () => options.AllowedCidrs.SelectMany(c => new[] { new IngressRule(80, c, null), new IngressRule(443, c, null) }).ToList(),
                exclusive: true, found: id => state.LoadBalancerSecurityGroupId = id),
            new SecurityGroupStep(ec2, servicesSecurityGroup, InfrastructurePlan.SecurityGroupDescription,
                () => [new IngressRule(BackendPort, null, state.LoadBalancerSecurityGroupId ?? lbGroup), new IngressRule(FrontendPort, null, state.LoadBalancerSecurityGroupId ?? lbGroup)],
                exclusive: true),
            new LoadBalancerStep(elb, ec2, state, options.LoadBalancerName),
            new TargetGroupStep(elb, ec2, state, options.BackendTargetGroupName, BackendPort, BackendHealthPath),
            new TargetGroupStep(elb, ec2, state, options.FrontendTargetGroupName, FrontendPort, FrontendHealthPath),
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
