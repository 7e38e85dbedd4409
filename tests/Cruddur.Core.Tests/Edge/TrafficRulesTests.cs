using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Edge;

namespace Cruddur.Core.Tests.Edge;

/// <summary>The rule shape ECS shifts traffic in, as Initialize converges to it and the blue/green preflight checks it.</summary>
public sealed class TrafficRulesTests
{
    internal const string Blue = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cruddur-backend-flask-tg/0123abcd";
    internal const string Green = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cruddur-backend-flask-tg-alt/4567ef01";
    private const string Other = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cruddur-admin-tg/89ab";

    internal static ListenerRule Rule(params ListenerAction[] actions) =>
        new("arn:rule", "10", false, ["api.cruddur.example"], actions) { ConditionFields = ["host-header"] };

    internal static ListenerAction Weighted(int blue, int green) => ListenerAction.WeightedForward([new(Blue, blue), new(Green, green)]);

    [Theory]
    [InlineData(100, 0)]
    [InlineData(0, 100)]
    [InlineData(90, 10)]
    public void OneForwardToBothGroupsInPercentIsInShape(int blue, int green)
    {
        Assert.Empty(TrafficRules.Problems(Rule(Weighted(blue, green)), Blue, Green));
    }

    [Fact]
    public void ASecondActionIsNamed()
    {
        var rule = Rule(new ListenerAction("authenticate-oidc"), Weighted(100, 0));

        Assert.Equal(["it has 2 actions (authenticate-oidc, forward), not one forward"], TrafficRules.Problems(rule, Blue, Green));
    }

    [Fact]
    public void AnActionThatIsNoForwardIsNamed()
    {
        Assert.Equal(["its action is fixed-response, not forward"], TrafficRules.Problems(Rule(new ListenerAction("fixed-response")), Blue, Green));
    }

    [Fact]
    public void TheRollingShapeMissesTheAlternate()
    {
        Assert.Equal(["it does not forward to the alternate target group cruddur-backend-flask-tg-alt"], TrafficRules.Problems(Rule(ListenerAction.Forward(Blue)), Blue, Green));
    }

    [Fact]
    public void AMissingServiceGroupAndAThirdGroupAreNamed()
    {
        var rule = Rule(ListenerAction.WeightedForward([new(Other, 100), new(Green, 0)]));

        Assert.Equal(
            ["it does not forward to the service's target group cruddur-backend-flask-tg", "it also forwards to cruddur-admin-tg"],
            TrafficRules.Problems(rule, Blue, Green));
    }

    [Theory]
    [InlineData(1, 1, 2)]
    [InlineData(0, 0, 0)]
    [InlineData(100, 100, 200)]
    public void WeightsThatAreNotPercentAreNamed(int blue, int green, int sum)
    {
        Assert.Equal([$"its weights add up to {sum}, not 100 (ECS moves traffic in percent)"], TrafficRules.Problems(Rule(Weighted(blue, green)), Blue, Green));
    }

    [Fact]
    public void AListenersDefaultRuleIsNotOne()
    {
        var rule = Rule(Weighted(100, 0)) with { IsDefault = true, Priority = "default" };

        Assert.Equal(["it is a listener's default rule, which ECS does not change"], TrafficRules.Problems(rule, Blue, Green));
    }

    [Fact]
    public void BringingARuleInLineNeverMovesLiveTraffic()
    {
        Assert.Equal([new(Blue, 100), new(Green, 0)], TrafficRules.Wanted(null, Blue, Green).ForwardGroups);
        Assert.Equal([new(Blue, 100), new(Green, 0)], TrafficRules.Wanted(Rule(ListenerAction.Forward(Blue)), Blue, Green).ForwardGroups);
        Assert.Equal([new(Blue, 0), new(Green, 100)], TrafficRules.Wanted(Rule(ListenerAction.Forward(Green)), Blue, Green).ForwardGroups);
        Assert.Equal([new(Blue, 0), new(Green, 100)], TrafficRules.Wanted(Rule(new ListenerAction("authenticate-oidc"), ListenerAction.WeightedForward([new(Green, 5), new(Blue, 0)])), Blue, Green).ForwardGroups);
        Assert.Equal([new(Blue, 100), new(Green, 0)], TrafficRules.Wanted(Rule(Weighted(1, 1)), Blue, Green).ForwardGroups);
    }

    [Fact]
    public void TrafficOnBothGroupsIsASplit()
    {
        Assert.True(TrafficRules.SplitsTraffic(Rule(Weighted(90, 10))));
        Assert.False(TrafficRules.SplitsTraffic(Rule(Weighted(0, 100))));
        Assert.Equal("cruddur-backend-flask-tg 90, cruddur-backend-flask-tg-alt 10", TrafficRules.Weights(Rule(Weighted(90, 10))));
    }

    [Fact]
    public void APlainForwardIsOneGroupOfWeightOneHoweverElbWritesIt()
    {
        var asModuleSends = ListenerAction.Forward(Blue);
        var asElbDescribes = new ListenerAction("forward", Blue) { ForwardGroups = [new(Blue, 1)] };

        Assert.Equal(asModuleSends.Groups, asElbDescribes.Groups);
        Assert.True(ListenerStep.SameAction(asElbDescribes, asModuleSends));
        Assert.False(ListenerStep.SameAction(Weighted(100, 0), asModuleSends));
        Assert.False(ListenerStep.SameAction(Weighted(100, 0), Weighted(0, 100)));
        Assert.True(ListenerStep.SameAction(Weighted(0, 100), Weighted(0, 100)));
    }

    [Fact]
    public void AConditionIsTheRulesOnlyOneOrNot()
    {
        Assert.True(RuleCondition.Host("API.cruddur.example").IsOnlyConditionOf(Rule(Weighted(100, 0))));
        Assert.False(RuleCondition.Host("api.cruddur.example").IsOnlyConditionOf(Rule(Weighted(100, 0)) with { ConditionFields = ["host-header", "http-header"] }));
        Assert.False(RuleCondition.Path("/*").IsOnlyConditionOf(Rule(Weighted(100, 0))));
        Assert.True(RuleCondition.Path("/*").IsOnlyConditionOf(new ListenerRule("r", "50000", false, [], []) { PathPatterns = ["/*"], ConditionFields = ["path-pattern"] }));
    }
}
