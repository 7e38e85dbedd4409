using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Edge;
using Cruddur.Core.Tests.Aws;
using static Cruddur.Core.Tests.Edge.TrafficRulesTests;

namespace Cruddur.Core.Tests.Edge;

/// <summary>What a blue/green (linear, canary) deploy needs of the edge: each failure named, with its fix.</summary>
public sealed class BlueGreenPreflightTests
{
    private const string RoleArn = "arn:aws:iam::123456789012:role/CruddurEcsInfrastructureRoleForLoadBalancers";
    private const string Policy = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers";
    private const string Production = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/cruddur-alb/1/443/aa";
    private const string Test = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/cruddur-alb/1/8443/bb";
    private const string EcsTrust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    private static readonly InfrastructureRoleFacts GoodRole = new(RoleArn, true, EcsTrust, [Policy]);

    private static BlueGreenFacts Facts(ListenerRule? production = null, ListenerRule? test = null, InfrastructureRoleFacts? role = null, string? testArn = Test) =>
        new("backend-flask", Blue, Green, Production, production ?? Rule(Weighted(100, 0)), testArn, test ?? Rule(Weighted(100, 0)), role ?? GoodRole);

    private static string Row(BlueGreenCheck c) => $"{c.Check} {c.Status}";

    [Fact]
    public void AnEdgeInShapePassesEveryCheck()
    {
        var checks = BlueGreenPreflight.Evaluate(Facts());

        Assert.Equal(["AlternateTargetGroup Pass", "ProductionListenerRule Pass", "TestListenerRule Pass", "InfrastructureRole Pass"], checks.Select(Row));
        Assert.All(checks, c => Assert.Equal("backend-flask", c.Service));
        Assert.Contains("forwards to cruddur-backend-flask-tg 100, cruddur-backend-flask-tg-alt 0", checks[1].Detail, StringComparison.Ordinal);
        Assert.Null(BlueGreenPreflight.Refusal(checks));
    }

    [Fact]
    public void ARuleThatMixesActionsFailsWithTheWeightedForwardAsFix()
    {
        var check = BlueGreenPreflight.Evaluate(Facts(production: Rule(new ListenerAction("authenticate-cognito"), Weighted(100, 0))))[1];

        Assert.Equal("ProductionListenerRule Fail", Row(check));
        Assert.Contains("it has 2 actions (authenticate-cognito, forward), not one forward", check.Detail, StringComparison.Ordinal);
        Assert.Equal(
            $"Make its only action the weighted forward: aws elbv2 modify-rule --rule-arn {Production} --actions 'Type=forward,ForwardConfig={{TargetGroups=[{{TargetGroupArn={Blue},Weight=100}},{{TargetGroupArn={Green},Weight=0}}]}}' (on the edge Initialize-CruddurInfrastructure built, its -Strategy BlueGreen run does this).",
            check.Fix);
    }

    [Fact]
    public void ARuleThatMissesAGroupFails()
    {
        var check = BlueGreenPreflight.Evaluate(Facts(test: Rule(ListenerAction.Forward(Blue))))[2];

        Assert.Equal("TestListenerRule Fail", Row(check));
        Assert.Contains("does not forward to the alternate target group cruddur-backend-flask-tg-alt", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void WeightsNotInPercentFail()
    {
        var check = BlueGreenPreflight.Evaluate(Facts(production: Rule(Weighted(1, 1))))[1];

        Assert.Equal("ProductionListenerRule Fail", Row(check));
        Assert.Contains("weights add up to 2, not 100", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ADefaultRuleFailsAndTheFixSaysToGiveTheServiceItsOwn()
    {
        var check = BlueGreenPreflight.Evaluate(Facts(production: Rule(Weighted(100, 0)) with { IsDefault = true }))[1];

        Assert.Equal("ProductionListenerRule Fail", Row(check));
        Assert.StartsWith("Give the service a rule of its own", check.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingRuleFailsNamingTheRuleInitializeCreates()
    {
        var check = BlueGreenPreflight.Evaluate(Facts() with { ProductionRule = null })[1];

        Assert.Equal("ProductionListenerRule Fail", Row(check));
        Assert.Equal($"ELBv2 has no listener rule {Production}.", check.Detail);
        Assert.Contains("(cruddur-backend-flask-production)", check.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void ASplitRuleWarnsAndTheDeployGoesOn()
    {
        var checks = BlueGreenPreflight.Evaluate(Facts(production: Rule(Weighted(70, 30))));

        Assert.Equal("ProductionListenerRule Warn", Row(checks[1]));
        Assert.Null(BlueGreenPreflight.Refusal(checks));
    }

    [Fact]
    public void TheTestRuleIsOptionalButNotTheProductionRuleAgain()
    {
        Assert.Equal("TestListenerRule Pass", Row(BlueGreenPreflight.Evaluate(Facts(testArn: null))[2]));
        var same = BlueGreenPreflight.Evaluate(Facts(testArn: Production))[2];
        Assert.Equal("TestListenerRule Fail", Row(same));
        Assert.Contains("ECS needs two rules", same.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TheAlternateMustBeAnotherGroup()
    {
        var check = BlueGreenPreflight.Evaluate(Facts() with { AlternateTargetGroupArn = Blue })[0];

        Assert.Equal("AlternateTargetGroup Fail", Row(check));
        Assert.Contains("cruddur-backend-flask-tg-alt", check.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingRoleFailsWithHowToCreateIt()
    {
        var check = BlueGreenPreflight.Role("backend-flask", new InfrastructureRoleFacts(RoleArn, false, null, []));

        Assert.Equal("InfrastructureRole Fail", Row(check));
        Assert.Equal($"The role {RoleArn} does not exist.", check.Detail);
        Assert.Contains("aws iam create-role --role-name CruddurEcsInfrastructureRoleForLoadBalancers", check.Fix, StringComparison.Ordinal);
        Assert.Contains($"aws iam attach-role-policy --role-name CruddurEcsInfrastructureRoleForLoadBalancers --policy-arn {Policy}", check.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}""")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:TagSession"}]}""")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ecs.amazonaws.com"]},"Action":"sts:*"},{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}""")]
    [InlineData("not json")]
    public void ARoleEcsCannotAssumeFails(string trust)
    {
        var check = BlueGreenPreflight.Role("backend-flask", GoodRole with { TrustPolicy = trust });

        Assert.Equal("InfrastructureRole Fail", Row(check));
        Assert.Contains("its trust policy does not let ecs.amazonaws.com call sts:AssumeRole", check.Detail, StringComparison.Ordinal);
        Assert.StartsWith("aws iam update-assume-role-policy --role-name CruddurEcsInfrastructureRoleForLoadBalancers", check.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"Statement":{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com","ECS.amazonaws.com"]},"Action":["sts:AssumeRole","sts:TagSession"]}}""")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:*"}]}""")]
    public void ATrustPolicyWrittenAnotherWayStillPasses(string trust)
    {
        Assert.Equal("InfrastructureRole Pass", Row(BlueGreenPreflight.Role("backend-flask", GoodRole with { TrustPolicy = trust })));
    }

    [Fact]
    public void ARoleWithoutTheManagedPolicyFails()
    {
        var check = BlueGreenPreflight.Role("backend-flask", GoodRole with { AttachedPolicyArns = ["arn:aws:iam::aws:policy/CloudWatchFullAccess"] });

        Assert.Equal("InfrastructureRole Fail", Row(check));
        Assert.Contains("lacks the AWS-managed AmazonECSInfrastructureRolePolicyForLoadBalancers", check.Detail, StringComparison.Ordinal);
        Assert.Equal($"aws iam attach-role-policy --role-name CruddurEcsInfrastructureRoleForLoadBalancers --policy-arn {Policy}", check.Fix);
    }

    [Fact]
    public void AnUnreadableRoleWarns()
    {
        var check = BlueGreenPreflight.Role("backend-flask", new InfrastructureRoleFacts(RoleArn, true, null, [], "AccessDenied: not allowed"));

        Assert.Equal("InfrastructureRole Warn", Row(check));
    }

    [Fact]
    public void TheRefusalNamesEveryFailureWithItsFixUnderOneId()
    {
        var checks = BlueGreenPreflight.Evaluate(Facts(production: Rule(ListenerAction.Forward(Blue)), role: GoodRole with { AttachedPolicyArns = [] }));

        var e = BlueGreenPreflight.Refusal(checks)!;

        Assert.Equal(("DeployBlueGreenEdgeNotReady", Hosting.ErrorKind.InvalidOperation), (e.ErrorId, e.Kind));
        Assert.StartsWith("backend-flask cannot shift traffic: ProductionListenerRule: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("InfrastructureRole: Role CruddurEcsInfrastructureRoleForLoadBalancers lacks", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was registered.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsyncReadsTheRulesAndTheRoleTheConfigurationNames()
    {
        var facts = await BlueGreenPreflight.ReadAsync(new Elb(), new Iam(), "backend-flask", Blue, new AdvancedConfiguration(Green, Production, "arn:gone", RoleArn), CancellationToken.None);

        Assert.NotNull(facts.ProductionRule);
        Assert.Null(facts.TestRule);
        Assert.Equal((RoleArn, true, EcsTrust, null), (facts.Role.RoleArn, facts.Role.Exists, facts.Role.TrustPolicy, facts.Role.Error));
        Assert.Equal([Policy], facts.Role.AttachedPolicyArns);
        Assert.Equal(["AlternateTargetGroup Pass", "ProductionListenerRule Pass", "TestListenerRule Fail", "InfrastructureRole Pass"], BlueGreenPreflight.Evaluate(facts).Select(Row));
    }

    [Fact]
    public async Task ARoleIamWillNotShowIsReadAsAnError()
    {
        var facts = await BlueGreenPreflight.ReadAsync(new Elb(), new Iam { Denied = true }, "backend-flask", Blue, new AdvancedConfiguration(Green, Production, null, RoleArn), CancellationToken.None);

        Assert.Equal("AccessDenied: no", facts.Role.Error);
    }

    private sealed class Elb : ScriptedElbv2Client
    {
        public override Task<ListenerRule?> FindRuleAsync(string ruleArn, CancellationToken cancellationToken) =>
            System.Threading.Tasks.Task.FromResult(ruleArn == Production ? Rule(Weighted(100, 0)) : null);
    }

    private sealed class Iam : ScriptedIamClient
    {
        public bool Denied { get; init; }

        public override Task<(string Arn, string TrustPolicy)?> GetRoleTrustAsync(string roleName, CancellationToken cancellationToken)
        {
            Assert.Equal("CruddurEcsInfrastructureRoleForLoadBalancers", roleName);
            return Denied ? throw new AwsServiceException("IAM", "GetRole", "AccessDenied", "no", 403) : System.Threading.Tasks.Task.FromResult<(string, string)?>((RoleArn, EcsTrust));
        }

        public override Task<IReadOnlyList<AttachedPolicy>> ListAttachedRolePoliciesAsync(string roleName, CancellationToken cancellationToken) =>
            System.Threading.Tasks.Task.FromResult<IReadOnlyList<AttachedPolicy>>([new AttachedPolicy("AmazonECSInfrastructureRolePolicyForLoadBalancers", Policy)]);
    }
}
