using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>The blue/green resources a service file names by name: what reaches ECS is its own members, ARNs only.</summary>
public sealed class BlueGreenReferencesTests
{
    private const string Blue = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cruddur-backend-flask-tg/0123abcd";
    private const string Green = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cruddur-backend-flask-tg-alt/4567ef01";
    private const string Lb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/cruddur-alb/1";
    private const string Production = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/cruddur-alb/1/443/aa";
    private const string Test = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/cruddur-alb/1/8443/bb";
    private const string Role = "arn:aws:iam::123456789012:role/ecs/CruddurEcsInfrastructureRoleForLoadBalancers";
    private const string Source = "service-backend-flask.json";

    private const string Named = """
        { "targetGroupName": "cruddur-backend-flask-tg", "containerName": "backend-flask", "containerPort": 4567,
          "advancedConfiguration": {
            "alternateTargetGroupName": "cruddur-backend-flask-tg-alt",
            "productionListenerRuleName": "cruddur-backend-flask-production",
            "testListenerRuleName": "cruddur-backend-flask-test",
            "roleName": "CruddurEcsInfrastructureRoleForLoadBalancers" } }
        """;

    private static JsonObject Definition(string entry) => JsonNode.Parse($$"""{ "loadBalancers": [ {{entry}} ] }""")!.AsObject();

    private static Task ResolveAsync(JsonObject definition, Elb? elb = null, Iam? iam = null) =>
        TargetGroupReferences.ResolveAsync(definition, elb ?? new Elb(), iam ?? new Iam(), Source, CancellationToken.None);

    [Fact]
    public async Task EveryNameBecomesTheEcsMemberWithItsArnAndNothingElseIsLeft()
    {
        var definition = Definition(Named);

        await ResolveAsync(definition);

        Assert.Equal(
            $$"""{"containerName":"backend-flask","containerPort":4567,"advancedConfiguration":{"alternateTargetGroupArn":"{{Green}}","roleArn":"{{Role}}","productionListenerRule":"{{Production}}","testListenerRule":"{{Test}}"},"targetGroupArn":"{{Blue}}"}""",
            definition["loadBalancers"]![0]!.ToJsonString());
    }

    [Fact]
    public async Task ArnsPassAsTheyAreAndNamesMixWithThem()
    {
        var definition = Definition($$"""
            { "targetGroupArn": "{{Blue}}", "advancedConfiguration": { "alternateTargetGroupArn": "{{Green}}", "productionListenerRuleName": "cruddur-backend-flask-production", "roleArn": "{{Role}}" } }
            """);

        await ResolveAsync(definition);

        Assert.Equal(
            $$"""{"alternateTargetGroupArn":"{{Green}}","roleArn":"{{Role}}","productionListenerRule":"{{Production}}"}""",
            definition["loadBalancers"]![0]!["advancedConfiguration"]!.ToJsonString());
    }

    [Theory]
    [InlineData("alternateTargetGroupName", "\"x\"", "alternateTargetGroupArn")]
    [InlineData("productionListenerRuleName", "\" \"", "")]
    [InlineData("testListenerRuleName", "7", "")]
    [InlineData("roleName", "\"CruddurEcsInfrastructureRoleForLoadBalancers\"", "roleArn")]
    public async Task ANameNeedsToBeTextAndAloneWithItsMember(string field, string value, string member)
    {
        var extra = member.Length == 0 ? string.Empty : $", \"{member}\": \"arn:x\"";
        var definition = Definition($$"""{ "targetGroupArn": "{{Blue}}", "advancedConfiguration": { "{{field}}": {{value}}{{extra}} } }""");

        var e = await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync(definition, new Elb { NoCalls = true }, new Iam { NoCalls = true }));

        Assert.Equal(("DeployBlueGreenReferenceInvalid", ErrorKind.InvalidData), (e.ErrorId, e.Kind));
        Assert.Contains($"{Source}: advancedConfiguration needs either", e.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{field}\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownAlternateGroupIsNamedWithHowToCreateIt()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync(Definition(Named.Replace("tg-alt\"", "tg-green\"", StringComparison.Ordinal))));

        Assert.Equal(("DeployTargetGroupNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains("the alternate target group 'cruddur-backend-flask-tg-green'", e.Message, StringComparison.Ordinal);
        Assert.Contains("-Strategy BlueGreen", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownRoleIsNamedWithHowToCreateIt()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync(Definition(Named.Replace("\"CruddurEcs", "\"Typo", StringComparison.Ordinal))));

        Assert.Equal(("DeployInfrastructureRoleNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains("the role 'TypoInfrastructureRoleForLoadBalancers'", e.Message, StringComparison.Ordinal);
        Assert.Contains("CruddurEcsInfrastructureRoleForLoadBalancers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARuleNoRuleIsTaggedWithIsNamedWithHowToTagOne()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync(Definition(Named.Replace("flask-test\"", "flask-tset\"", StringComparison.Ordinal))));

        Assert.Equal(("DeployListenerRuleNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains("no rule tagged Name=cruddur-backend-flask-tset forwards on the load balancers behind cruddur-backend-flask-tg, cruddur-backend-flask-tg-alt", e.Message, StringComparison.Ordinal);
        Assert.Contains("aws elbv2 add-tags --resource-arns <rule ARN> --tags Key=Name,Value=cruddur-backend-flask-tset", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GroupsBehindNoLoadBalancerHaveNoRules()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync(Definition(Named), new Elb { Detached = true }));

        Assert.Equal("DeployListenerRuleNotFound", e.ErrorId);
    }

    [Fact]
    public async Task TwoRulesOfOneNameAreNamedWithTheirArns()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync(Definition(Named), new Elb { Twin = true }));

        Assert.Equal(("DeployListenerRuleAmbiguous", ErrorKind.InvalidData), (e.ErrorId, e.Kind));
        Assert.Contains($"2 rules carry that Name tag: {Production}, {Production}-twin", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"productionListenerRule\"", e.Message, StringComparison.Ordinal);
    }

    private sealed class Elb : ScriptedElbv2Client
    {
        public bool NoCalls { get; init; }

        public bool Detached { get; init; }

        public bool Twin { get; init; }

        public override Task<TargetGroup?> FindTargetGroupAsync(string name, CancellationToken cancellationToken)
        {
            Assert.False(NoCalls);
            var arn = name switch { "cruddur-backend-flask-tg" => Blue, "cruddur-backend-flask-tg-alt" => Green, _ => null };
            return System.Threading.Tasks.Task.FromResult(arn is null ? null : new TargetGroup(arn, name, "HTTP", 4567, "ip", "/", 3, []));
        }

        public override Task<IReadOnlyList<TargetGroup>> ListTargetGroupsAsync(IReadOnlyList<string>? arns, CancellationToken cancellationToken)
        {
            Assert.Equal([Blue, Green], arns);
            return System.Threading.Tasks.Task.FromResult<IReadOnlyList<TargetGroup>>(arns!.Select(a => new TargetGroup(a, "tg", "HTTP", 4567, "ip", "/", 3, Detached ? [] : [Lb])).ToList());
        }

        public override Task<IReadOnlyList<Listener>> ListListenersAsync(string loadBalancerArn, CancellationToken cancellationToken) =>
            System.Threading.Tasks.Task.FromResult<IReadOnlyList<Listener>>([new Listener("l443", "HTTPS", 443, [], []), new Listener("l8443", "HTTPS", 8443, [], [])]);

        public override Task<IReadOnlyList<ListenerRule>> ListRulesAsync(string listenerArn, CancellationToken cancellationToken) =>
            System.Threading.Tasks.Task.FromResult<IReadOnlyList<ListenerRule>>(listenerArn == "l443"
                ? [new ListenerRule(Production, "10", false, [], []), new ListenerRule(Production + "-twin", "11", false, [], []), new ListenerRule("default-443", "default", true, [], [])]
                : [new ListenerRule(Test, "10", false, [], [])]);

        public override Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> DescribeTagsAsync(IReadOnlyList<string> arns, CancellationToken cancellationToken)
        {
            Assert.Equal([Production, Production + "-twin", Test], arns);
            var tags = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                [Production] = new Dictionary<string, string> { ["Name"] = "cruddur-backend-flask-production", ["team"] = "x" },
                [Production + "-twin"] = Twin ? new Dictionary<string, string> { ["Name"] = "cruddur-backend-flask-production" } : new Dictionary<string, string>(),
                [Test] = new Dictionary<string, string> { ["Name"] = "cruddur-backend-flask-test" },
            };
            return System.Threading.Tasks.Task.FromResult<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>>(tags);
        }
    }

    private sealed class Iam : ScriptedIamClient
    {
        public bool NoCalls { get; init; }

        public override Task<(string Arn, string TrustPolicy)?> GetRoleTrustAsync(string roleName, CancellationToken cancellationToken)
        {
            Assert.False(NoCalls);
            return System.Threading.Tasks.Task.FromResult<(string, string)?>(roleName == "CruddurEcsInfrastructureRoleForLoadBalancers" ? (Role, "{}") : null);
        }
    }
}
