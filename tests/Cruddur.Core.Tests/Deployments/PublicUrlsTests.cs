using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;

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

    // The seed's certificate: the domain and its one-label wildcard.
    private static readonly Dictionary<string, IReadOnlyList<string>> Certificates = new() { ["arn:cert"] = ["cruddur.example", "*.cruddur.example"] };

    private static readonly PublicUrls.HostNames NoAliases = new([], Certificates);

    // What Initialize-CruddurInfrastructure makes: the domain (its zone's apex) and api.<domain> as aliases of the load balancer.
    private static readonly PublicUrls.HostNames SeedAliases = new([("api.cruddur.example", false), ("cruddur.example", true)], Certificates);

    private static List<string> Urls((Listener, IReadOnlyList<ListenerRule>)[] listeners, string targetGroup, LoadBalancer? lb = null, PublicUrls.HostNames? names = null) =>
        PublicUrls.Derive(lb ?? Alb, listeners, [targetGroup], names ?? NoAliases).ToList();

    [Fact]
    public void AHostRuleNamesItsHostOverHttps()
    {
        Assert.Equal(["https://api.cruddur.example"], Urls(SeedEdge, Backend));
    }

    [Fact]
    public void TheDefaultActionNamesTheApexAliasOfTheLoadBalancer_AndTheRedirectingListenerNothing()
    {
        Assert.Equal(["https://cruddur.example"], Urls(SeedEdge, Frontend, names: SeedAliases));
    }

    [Fact]
    public void WithoutAnAliasNoHttpsUrlIsOffered_TheCertificateCannotNameTheLoadBalancersOwnDnsName()
    {
        Assert.Empty(Urls(SeedEdge, Frontend));
    }

    [Fact]
    public void AnAliasTheCertificateDoesNotCoverGivesNoHttpsUrl_ButPlainHttpStillUsesIt()
    {
        (Listener, IReadOnlyList<ListenerRule>)[] both =
        [
            (new Listener("l80", "HTTP", 80, [], [ListenerAction.Forward(Frontend)]), []),
            (new Listener("l443", "HTTPS", 443, ["arn:cert"], [ListenerAction.Forward(Frontend)]), []),
        ];
        var names = new PublicUrls.HostNames([("shop.other.example", true), ("deep.api.cruddur.example", false)], Certificates);

        Assert.Equal(["http://shop.other.example"], Urls(both, Frontend, names: names));
    }

    [Fact]
    public void TheDefaultActionSkipsAnAliasAHostRuleTakes_AndPrefersTheApexOverLongerNames()
    {
        var names = new PublicUrls.HostNames([("api.cruddur.example", false), ("www.cruddur.example", false), ("cruddur.example", true)], Certificates);
        Assert.Equal(["https://cruddur.example"], Urls(SeedEdge, Frontend, names: names));

        var noApex = new PublicUrls.HostNames([("www.cruddur.example", false), ("api.cruddur.example", false)], Certificates);
        Assert.Equal(["https://www.cruddur.example"], Urls(SeedEdge, Frontend, names: noApex));
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
            ["https://cruddur.example", "https://api.cruddur.example/api/", "https://api.cruddur.example/health-check"],
            Urls(paths, Backend, names: SeedAliases));
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

        Assert.Equal(["https://cruddur.example", "http://cruddur.example"], Urls(both, Backend, names: SeedAliases));
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

    /// <summary>A reader over <paramref name="elb"/>, with the seed's zone (the domain and api.&lt;domain&gt; aliases of the load balancer unless <paramref name="aliases"/> is false, and an unrelated alias) and certificate.</summary>
    internal static PublicUrls Reader(IElbv2Client elb, IOperationHost? host = null, bool aliases = true) => new(elb, new SeedZone(aliases), new SeedCertificate(), host ?? new RecordingHost());

    private sealed class SeedZone(bool aliases) : IRoute53Client
    {
        public Task<IReadOnlyList<HostedZone>> ListHostedZonesAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<HostedZone>>([new HostedZone("Z1", "cruddur.example.", false, []), new HostedZone("Z2", "cruddur.example.", true, [])]);

        public Task<IReadOnlyList<RecordSet>> ListRecordSetsAsync(string zoneId, CancellationToken cancellationToken)
        {
            var other = RecordSet.AliasA("www.cruddur.example.", new AliasTarget("Z9", "other-alb.us-east-1.elb.amazonaws.com.", true));
            var lb = new AliasTarget("Z35SXDOTRQ7X7K", "dualstack.cruddur-alb-1.us-east-1.elb.amazonaws.com.", true);
            // The private zone's apex would be preferred, were private zones read.
            return Task.FromResult<IReadOnlyList<RecordSet>>(zoneId == "Z2" ? [RecordSet.AliasA("cruddur.example.", lb)]
                : aliases ? [other, RecordSet.AliasA("api.cruddur.example.", lb), RecordSet.AliasA("cruddur.example.", lb)] : [other]);
        }

        public Task<HostedZone?> FindHostedZoneAsync(string domainName, CancellationToken cancellationToken) => throw new InvalidOperationException("not expected");

        public Task<HostedZone?> GetHostedZoneAsync(string id, CancellationToken cancellationToken) => throw new InvalidOperationException("not expected");

        public Task<HostedZone> CreateHostedZoneAsync(string domainName, string callerReference, CancellationToken cancellationToken) => throw new InvalidOperationException("not expected");

        public Task UpsertRecordSetsAsync(string zoneId, IReadOnlyList<RecordSet> recordSets, CancellationToken cancellationToken) => throw new InvalidOperationException("not expected");
    }

    private sealed class SeedCertificate : IAcmClient
    {
        public Task<Certificate?> DescribeCertificateAsync(string arn, CancellationToken cancellationToken) =>
            Task.FromResult(arn == "arn:cert" ? new Certificate(arn, "cruddur.example", ["cruddur.example", "*.cruddur.example"], "ISSUED", [], null) : null);

        public Task<IReadOnlyList<string>> FindCertificateArnsAsync(string domainName, CancellationToken cancellationToken) => throw new InvalidOperationException("not expected");

        public Task<string> RequestCertificateAsync(string domainName, IReadOnlyList<string> subjectAlternativeNames, string idempotencyToken, CancellationToken cancellationToken) => throw new InvalidOperationException("not expected");
    }
}
