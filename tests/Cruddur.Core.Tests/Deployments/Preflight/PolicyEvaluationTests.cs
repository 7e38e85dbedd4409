using Cruddur.Core.Exec;

namespace Cruddur.Core.Tests.Deployments.Preflight;

/// <summary>IamPolicy.Evaluate: an action on a resource, as IAM decides it within one account.</summary>
public sealed class PolicyEvaluationTests
{
    private const string Repository = "arn:aws:ecr:us-east-1:123456789012:repository/backend-flask";
    private const string Parameter = "arn:aws:ssm:us-east-1:123456789012:parameter/cruddur/backend-flask/CONNECTION_URL";

    // The seed's aws/policies/service/service-execution-policy.json with its placeholders filled.
    private const string SeedExecutionPolicy = """
        {"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"},
          {"Effect":"Allow","Action":["ssm:GetParameters","ssm:GetParameter"],"Resource":"arn:aws:ssm:us-east-1:123456789012:parameter/cruddur/backend-flask/*"}]}
        """;

    private static PolicyDecision Decide(string action, string resource, params string[] documents) =>
        IamPolicy.Evaluate(documents.Select((d, i) => new RolePolicy($"policy{i}", d)), action, resource).Decision;

    private static string Statement(string effect, string action, string resource, string actionKey = "Action", string resourceKey = "Resource") =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"{{effect}}","{{actionKey}}":{{action}},"{{resourceKey}}":{{resource}}}]}""";

    [Theory]
    [InlineData("ecr:BatchGetImage", Repository)]
    [InlineData("ecr:GetAuthorizationToken", "*")]
    [InlineData("ssm:GetParameters", Parameter)]
    public void TheSeedPolicyAllowsWhatTheSeedTasksNeed(string action, string resource) =>
        Assert.Equal(PolicyDecision.Allowed, Decide(action, resource, SeedExecutionPolicy));

    [Fact]
    public void TheSeedPolicyDoesNotAllowParametersOutsideItsPath() =>
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide("ssm:GetParameters", "arn:aws:ssm:us-east-1:123456789012:parameter/other/X", SeedExecutionPolicy));

    [Theory]
    [InlineData("\"ecr:*\"", "\"*\"", nameof(PolicyDecision.Allowed))]
    [InlineData("\"ECR:batch*\"", "\"*\"", nameof(PolicyDecision.Allowed))] // actions are not case-sensitive
    [InlineData("\"ecr:BatchGet?mage\"", "\"arn:aws:ecr:*:123456789012:repository/*\"", nameof(PolicyDecision.Allowed))]
    [InlineData("\"ecr:BatchGetImage\"", "\"arn:aws:ecr:us-east-1:123456789012:repository/frontend-*\"", nameof(PolicyDecision.ImplicitDeny))]
    [InlineData("\"ecr:BatchGetImage\"", "\"arn:aws:ecr:us-east-1:123456789012:repository/Backend-flask\"", nameof(PolicyDecision.ImplicitDeny))] // ARNs are
    [InlineData("[\"s3:*\",\"ecr:Get*\"]", "\"*\"", nameof(PolicyDecision.ImplicitDeny))]
    public void WildcardsMatchActionsAndResources(string action, string resource, string expected) =>
        Assert.Equal(Enum.Parse<PolicyDecision>(expected), Decide("ecr:BatchGetImage", Repository, Statement("Allow", action, resource)));

    [Fact]
    public void AnExplicitDenyWinsOverAnyAllowInAnyPolicy() =>
        Assert.Equal(PolicyDecision.ExplicitDeny, Decide("ecr:BatchGetImage", Repository, SeedExecutionPolicy, Statement("Deny", "\"ecr:*\"", "\"arn:aws:ecr:*:*:repository/backend-*\"")));

    [Fact]
    public void ADenyOfAnotherResourceTakesNothingAway() =>
        Assert.Equal(PolicyDecision.Allowed, Decide("ecr:BatchGetImage", Repository, SeedExecutionPolicy, Statement("Deny", "\"ecr:*\"", "\"arn:aws:ecr:*:*:repository/frontend-*\"")));

    [Fact]
    public void ADenyWrittenWithNotActionIsNotGuessed()
    {
        var verdict = IamPolicy.Evaluate([new RolePolicy("seed", SeedExecutionPolicy), new RolePolicy("guard", Statement("Deny", "\"iam:*\"", "\"*\"", actionKey: "NotAction"))], "ecr:BatchGetImage", Repository);

        Assert.Equal(PolicyDecision.NotEvaluated, verdict.Decision);
        Assert.Contains("guard", verdict.Reason);
        Assert.Contains("NotAction", verdict.Reason);
    }

    [Fact]
    public void AnAllowWrittenWithNotResourceMattersOnlyWhenNothingElseAllows()
    {
        var notResource = Statement("Allow", "\"ecr:*\"", "\"arn:aws:ecr:*:*:repository/secret-*\"", resourceKey: "NotResource");

        Assert.Equal(PolicyDecision.Allowed, Decide("ecr:BatchGetImage", Repository, SeedExecutionPolicy, notResource));
        Assert.Equal(PolicyDecision.NotEvaluated, Decide("ecr:BatchGetImage", Repository, notResource));
    }

    [Fact]
    public void NoPolicyOrAnUnreadableOneAllowsNothing()
    {
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide("ecr:BatchGetImage", Repository));
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide("ecr:BatchGetImage", Repository, "not json"));
    }
}
