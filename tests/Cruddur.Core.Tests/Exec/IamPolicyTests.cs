using Cruddur.Core.Exec;

namespace Cruddur.Core.Tests.Exec;

public sealed class IamPolicyTests
{
    private static readonly IReadOnlyList<string> Actions = ExecPreflight.SsmMessagesActions;

    // The seed's aws/policies/task/task-execution-policy.json, tabs and all.
    private const string SeedPolicy = """
        {
        	"Version": "2012-10-17",
        	"Statement": [
        			{
        				"Effect": "Allow",
        				"Action": [
        						"ssmmessages:CreateDataChannel",
        						"ssmmessages:OpenDataChannel",
        						"ssmmessages:OpenControlChannel",
        						"ssmmessages:CreateControlChannel"
        				],
        				"Resource": "*"
        			}
        	]
        }
        """;

    [Fact]
    public void SeedPolicyAllowsAllFour() => Assert.Empty(IamPolicy.MissingActions([SeedPolicy], Actions));

    [Theory]
    [InlineData("ssmmessages:*", "")]
    [InlineData("*", "")]
    [InlineData("SSMMessages:*Channel", "")]
    [InlineData("ssmmessages:*ControlChannel", "ssmmessages:CreateDataChannel,ssmmessages:OpenDataChannel")]
    [InlineData("OpenDataChannel", "ssmmessages:CreateControlChannel,ssmmessages:CreateDataChannel,ssmmessages:OpenControlChannel,ssmmessages:OpenDataChannel")]
    [InlineData("ssmmessages:Open", "ssmmessages:CreateControlChannel,ssmmessages:CreateDataChannel,ssmmessages:OpenControlChannel,ssmmessages:OpenDataChannel")]
    [InlineData("ssmmessages:Open????Channel", "ssmmessages:CreateControlChannel,ssmmessages:CreateDataChannel,ssmmessages:OpenControlChannel")]
    public void WildcardActionsCount(string action, string missing)
    {
        var policy = $$$"""{"Statement":{"Effect":"Allow","Action":"{{{action}}}","Resource":"*"}}""";
        Assert.Equal(missing, string.Join(",", IamPolicy.MissingActions([policy], Actions)));
    }

    [Fact]
    public void ActionsSpreadOverSeveralPoliciesAddUp()
    {
        var control = """{"Statement":[{"Effect":"Allow","Action":["ssmmessages:CreateControlChannel","ssmmessages:OpenControlChannel"],"Resource":["*"]}]}""";
        var data = """{"Statement":[{"Effect":"Allow","Action":["ssmmessages:CreateDataChannel","ssmmessages:OpenDataChannel"],"Resource":"*"}]}""";
        Assert.Equal(["ssmmessages:CreateDataChannel", "ssmmessages:OpenDataChannel"], IamPolicy.MissingActions([control], Actions));
        Assert.Empty(IamPolicy.MissingActions([control, data], Actions));
    }

    [Fact]
    public void AResourceOtherThanStarGrantsNothing()
    {
        var policy = """{"Statement":{"Effect":"Allow","Action":"ssmmessages:*","Resource":"arn:aws:ssm:us-east-1:123456789012:*"}}""";
        Assert.Equal(Actions, IamPolicy.MissingActions([policy], Actions));
    }

    [Fact]
    public void ExplicitDenyWins()
    {
        var deny = """{"Statement":{"Effect":"Deny","Action":"ssmmessages:OpenDataChannel","Resource":"*"}}""";
        Assert.Equal(["ssmmessages:OpenDataChannel"], IamPolicy.MissingActions([SeedPolicy, deny], Actions));
    }

    [Fact]
    public void NotActionAllowsEverythingElse()
    {
        var policy = """{"Statement":{"Effect":"Allow","NotAction":"ssmmessages:Open*","Resource":"*"}}""";
        Assert.Equal(["ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], IamPolicy.MissingActions([policy], Actions));

        // Excluded when any one of the listed patterns matches, not only when all do.
        var several = """{"Statement":{"Effect":"Allow","NotAction":["ssmmessages:Open*","s3:*"],"Resource":"*"}}""";
        Assert.Equal(["ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], IamPolicy.MissingActions([several], Actions));
    }

    [Fact]
    public void UnrelatedOrBrokenDocumentsAllowNothing()
    {
        var logs = """{"Statement":[{"Effect":"Allow","Action":["logs:*","xray:PutTraceSegments"],"Resource":"*"}]}""";
        Assert.Equal(Actions, IamPolicy.MissingActions([logs, "not json", "{}"], Actions));
    }

    [Theory]
    [InlineData("""{"Effect":"Allow","Action":"ssmmessages:*","NotResource":"arn:aws:s3:::secret/*"}""", "")]
    [InlineData("""{"Effect":"Allow","Action":"ssmmessages:*","NotResource":["arn:aws:s3:::x","*"]}""", "all")]
    [InlineData("""{"Effect":"Allow","Action":"ssmmessages:*"}""", "all")]
    [InlineData("""{"Effect":"Allow","Action":"ssmmessages:*","Resource":["arn:aws:s3:::x","*"]}""", "")]
    [InlineData("""{"Effect":"Allow","Action":"ssmmessages:*","Resource":42}""", "all")]
    [InlineData("""{"Effect":"Allow","Action":"ssmmessages:*","Resource":[42,null]}""", "all")]
    [InlineData("""{"Effect":"allow","Action":"ssmmessages:*","Resource":"*"}""", "all")]
    [InlineData("""{"Action":"ssmmessages:*","Resource":"*"}""", "all")]
    [InlineData("""{"Effect":"Allow","Resource":"*"}""", "all")]
    [InlineData("""{"Effect":"Allow","Action":[7,"ssmmessages:*"],"Resource":"*"}""", "")]
    [InlineData("""{"Effect":"Allow","Action":"ssmmessages:Open.ataChannel","Resource":"*"}""", "all")]
    [InlineData("""{"Effect":"Allow","Action":"ssmmessages:CreateDataChannel","Resource":"*"}""", "ssmmessages:CreateControlChannel,ssmmessages:OpenControlChannel,ssmmessages:OpenDataChannel")]
    public void WhichStatementsGrantOnEveryResource(string statement, string missing)
    {
        var result = string.Join(",", IamPolicy.MissingActions([$$"""{"Statement":[{{statement}}]}"""], Actions));
        Assert.Equal(missing == "all" ? string.Join(",", Actions) : missing, result);
    }

    [Fact]
    public void ADenyOnlyCountsWhenItCoversEveryResourceAndItsAction()
    {
        var scopedDeny = """{"Statement":{"Effect":"Deny","Action":"ssmmessages:*","Resource":"arn:aws:ssm:*:*:session/other"}}""";
        Assert.Empty(IamPolicy.MissingActions([SeedPolicy, scopedDeny], Actions));

        var denyAllBut = """{"Statement":{"Effect":"Deny","NotAction":"ssmmessages:*Control*","Resource":"*"}}""";
        Assert.Equal(["ssmmessages:CreateDataChannel", "ssmmessages:OpenDataChannel"], IamPolicy.MissingActions([SeedPolicy, denyAllBut], Actions));
    }
}
