using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Edge;

/// <summary>
/// The seed's manual half as steps for the reconcile loop: "CREATE A LOADBALANCER", "ALLOW TRAFFIC IN ECS SECURITY GROUP"
/// and "SECURING THE DNS + DOMAIN CONFIGURATION". The certificate comes late: everything that does not need it is built
/// first, so a certificate still waiting for the registrar's name servers leaves a usable HTTP edge behind. For a strategy
/// that shifts traffic (blue/green, linear, canary) each service also gets its alternate target group, a production rule
/// on 443 and a test rule on the test listener, each forwarding to both groups by weight and tagged with its Name.
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
        var shifts = options.Strategy.ShiftsTraffic();
        int[] ports = shifts ? [80, 443, options.TestListenerPort] : [80, 443];
        // The services behind the edge: the target group, its health check, and the condition its rules match.
        EdgeService[] services =
        [
            new(SeedDefaults.BackendService, options.BackendTargetGroupName, BackendPort, SeedDefaults.HealthPath, RuleCondition.Host(options.ApiHost)),
            new(SeedDefaults.FrontendService, options.FrontendTargetGroupName, FrontendPort, SeedDefaults.FrontendHealthPath, RuleCondition.Path("/*")),
        ];
        var steps = new List<InfrastructureStep>
        {
            new HostedZoneStep(route53, state, options.Domain, options.HostedZoneId),
            new SecurityGroupStep(ec2, lbGroup, "Cruddur application load balancer: HTTP and HTTPS in",
                () => options.AllowedCidrs.SelectMany(c => ports.Select(p => new IngressRule(p, c, null))).ToList(),
                exclusive: true, found: id => state.LoadBalancerSecurityGroupId = id),
            new SecurityGroupStep(ec2, SeedDefaults.SecurityGroupName, SeedDefaults.SecurityGroupDescription,
                () => [new IngressRule(BackendPort, null, state.LoadBalancerSecurityGroupId ?? lbGroup), new IngressRule(FrontendPort, null, state.LoadBalancerSecurityGroupId ?? lbGroup)],
                exclusive: true),
            new LoadBalancerStep(elb, ec2, state, options.LoadBalancerName),
        };
        steps.AddRange(services.Select(s => new TargetGroupStep(elb, ec2, state, s.Group, s.Port, s.Health)));
        if (shifts)
        {
            steps.AddRange(services.Select(s => new TargetGroupStep(elb, ec2, state, SeedDefaults.AlternateTargetGroup(s.Group), s.Port, s.Health)));
        }

        steps.AddRange(
        [
            new ListenerStep(elb, state, "HTTP", 80, () => null, () => ListenerAction.Redirect("HTTPS", 443)),
            new AliasRecordStep(route53, state, options.Domain),
            new AliasRecordStep(route53, state, options.ApiHost),
            new CertificateStep(acm, route53, state, host, options.Domain, options.CertificateArn, options.CertificateTimeout),
        ]);
        // The HTTPS listeners forward what no rule takes to the frontend; on a blue/green edge the catch-all rule takes it all.
        ListenerStep Https(int port, string? name) => new(elb, state, "HTTPS", port, () => state.CertificateArn,
            () => Tg(options.FrontendTargetGroupName) is { } frontend ? ListenerAction.Forward(frontend) : null, name);
        steps.Add(Https(443, null));
        if (!shifts)
        {
            steps.Add(new ForwardRuleStep(elb, state, 443, services[0].Match, () => Tg(options.BackendTargetGroupName)));
        }
        else
        {
            ForwardRuleStep Rule(int port, EdgeService s, string name) => new(elb, state, port, s.Match, () => Tg(s.Group),
                () => Tg(SeedDefaults.AlternateTargetGroup(s.Group)), SeedDefaults.AlternateTargetGroup(s.Group), name);
            steps.AddRange(services.Select(s => Rule(443, s, SeedDefaults.ProductionRuleName(s.Service))));
            steps.Add(Https(options.TestListenerPort, SeedDefaults.TestListenerName));
            steps.AddRange(services.Select(s => Rule(options.TestListenerPort, s, SeedDefaults.TestRuleName(s.Service))));
        }

        steps.Add(new UnmanagedListenersStep(elb, state, ports.ToHashSet(), options.Force, keepTestListeners: !shifts));
        return steps;
    }

    /// <summary>A service behind the edge: its target group, the group's port and health check, and what its rules match.</summary>
    private sealed record EdgeService(string Service, string Group, int Port, string Health, RuleCondition Match);
}
