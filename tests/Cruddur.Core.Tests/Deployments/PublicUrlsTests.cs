using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;

namespace Cruddur.Core.Tests.Deployments;

public class PublicUrlsTests
{
    private const string Backend = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cruddur-backend-flask-tg/1";
    private const string Frontend = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cruddur-frontend-react-js-tg/2";
    private const string Dns = "Cruddur-ALB-1.us-east-1.elb.amazonaws.com";

    private static readonly LoadBalancer Alb = new("arn:lb", "cruddur-alb", "internet-facing", Dns, "Z35SXDOTRQ7X7K", "vpc-1", []);

    // The seed's edge: 80 redirects to 443; 443 forwards to the frontend by default and api.<domain> to the backend.
    private static readonly (Listener, IReadOnlyList<ListenerRule>)[] SeedEdge =
    [
        (new Listener("l80", "HTTP", 80, [], [ListenerAction.Redirect("HTTPS", 443)]), [Default(ListenerAction.Redirect("HTTPS", 443))]),
        (new Listener("l443", "HTTPS", 443, ["arn:cert"], [ListenerAction.Forward(Frontend)]),
            [new ListenerRule("r1", "1", false, ["api.cruddur.example"], [ListenerAction.Forward(Backend)]), Default(ListenerAction.Forward(Frontend))]),
    ];

    private static ListenerRule Default(ListenerAction action) => new("default", "default", true, [], [action]);

    private static List<string> Urls((Listener, IReadOnlyList<ListenerRule>)[] listeners, string targetGroup, LoadBalancer? lb = null) =>
        PublicUrls.Derive(lb ?? Alb, listeners, [targetGroup]).ToList();

    [Fact]
    public void AHostRuleNamesItsHostOverHttps()
    {
        Assert.Equal(["https://api.cruddur.example"], Urls(SeedEdge, Backend));
    }

    [Fact]
    public void TheDefaultActionNamesTheLoadBalancersDnsName_AndTheRedirectingListenerNothing()
    {
        Assert.Equal(["https://cruddur-alb-1.us-east-1.elb.amazonaws.com"], Urls(SeedEdge, Frontend));
    }

    [Fact]
    public void OnlyAnHttpListenerForwarding_GivesHttpWithItsPortWhenNot80()
    {
        (Listener, IReadOnlyList<ListenerRule>)[] temporary =
        [
            (new Listener("l4567", "HTTP", 4567, [], [ListenerAction.Forward(Backend)]), []),
            (new Listener("l80", "HTTP", 80, [], [new ListenerAction("fixed-response")]), [new ListenerRule("r", "5", false, [], [ListenerAction.Forward(Backend)])]),
        ];

        Assert.Equal([$"http://{Dns.ToLowerInvariant()}", $"http://{Dns.ToLowerInvariant()}:4567"], Urls(temporary, Backend));
    }

    [Fact]
    public void PathRulesGiveTheFixedPartOfEachPattern_InPriorityOrder_AndWildcardHostsNone()
    {
        (Listener, IReadOnlyList<ListenerRule>)[] paths =
        [
            (new Listener("l443", "HTTPS", 443, ["arn:cert"], [ListenerAction.Forward(Frontend)]),
            [
                new ListenerRule("r20", "20", false, ["*.cruddur.example"], [ListenerAction.Forward(Backend)]),
                new ListenerRule("r10", "10", false, ["api.cruddur.example"], [ListenerAction.Forward(Backend)]) { PathPatterns = ["/api/*", "/health-check"] },
                new ListenerRule("r2", "2", false, [], [ListenerAction.Forward(Backend)]) { PathPatterns = ["/*"] },
            ]),
        ];

        Assert.Equal(
            [$"https://{Dns.ToLowerInvariant()}", "https://api.cruddur.example/api/", "https://api.cruddur.example/health-check"],
            Urls(paths, Backend));
    }

    [Fact]
    public void AnInternalLoadBalancerIsNotPublic()
    {
        Assert.Empty(Urls(SeedEdge, Backend, Alb with { Scheme = "internal" }));
    }

    [Fact]
    public void AGroupNoListenerForwardsToHasNoUrl()
    {
        Assert.Empty(Urls(SeedEdge, "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/other/3"));
    }

    [Fact]
    public void HttpsListenersComeBeforeHttpOnes()
    {
        (Listener, IReadOnlyList<ListenerRule>)[] both =
        [
            (new Listener("l80", "HTTP", 80, [], [ListenerAction.Forward(Backend)]), []),
            (new Listener("l443", "HTTPS", 443, ["arn:cert"], [ListenerAction.Forward(Backend)]), []),
        ];

        Assert.Equal([$"https://{Dns.ToLowerInvariant()}", $"http://{Dns.ToLowerInvariant()}"], Urls(both, Backend));
    }

    [Fact]
    public void ATcpListenerHasNoUrl()
    {
        Assert.Empty(Urls([(new Listener("l5432", "TCP", 5432, [], [ListenerAction.Forward(Backend)]), [])], Backend));
    }

    [Fact]
    public void ARuleThatAuthenticatesBeforeForwardingNamesItsHost()
    {
        (Listener, IReadOnlyList<ListenerRule>)[] auth =
        [
            (new Listener("l443", "HTTPS", 443, ["arn:cert"], [new ListenerAction("fixed-response")]),
                [new ListenerRule("r1", "1", false, ["api.cruddur.example"], [new ListenerAction("authenticate-cognito"), ListenerAction.Forward(Backend)])]),
        ];

        Assert.Equal(["https://api.cruddur.example"], Urls(auth, Backend));
    }

    [Fact]
    public void APathPatternStartingWithAWildcardNamesTheHostAlone()
    {
        (Listener, IReadOnlyList<ListenerRule>)[] wildcard =
        [
            (new Listener("l443", "HTTPS", 443, ["arn:cert"], [new ListenerAction("fixed-response")]),
                [new ListenerRule("r1", "1", false, ["api.cruddur.example"], [ListenerAction.Forward(Backend)]) { PathPatterns = ["*.json"] }]),
        ];

        Assert.Equal(["https://api.cruddur.example"], Urls(wildcard, Backend));
    }
}
