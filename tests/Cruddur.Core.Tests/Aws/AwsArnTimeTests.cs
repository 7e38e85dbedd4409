using System.Text.Json.Nodes;
using Cruddur.Core.Aws;

namespace Cruddur.Core.Tests.Aws;

public sealed class AwsArnTimeTests
{
    [Theory]
    [InlineData("arn:aws:ecs:us-east-1:123456789012:cluster/cruddur", "cruddur")]
    [InlineData("arn:aws:ecs:us-east-1:123456789012:service/cruddur/backend-flask", "backend-flask")]
    [InlineData("arn:aws:ecs:us-east-1:123456789012:service/backend-flask", "backend-flask")]
    [InlineData("arn:aws:ecs:us-east-1:123456789012:task/cruddur/0123456789abcdef", "0123456789abcdef")]
    [InlineData("arn:aws:iam::123456789012:role/service-role/CruddurTaskRole", "CruddurTaskRole")]
    [InlineData("cruddur", "cruddur")]
    public void TheLastSegmentIsTheName(string arn, string name) => Assert.Equal(name, AwsArn.LastSegment(arn));

    [Theory]
    [InlineData("arn:aws:ecs:us-east-1:1:task-definition/backend-flask:12", "backend-flask:12", "backend-flask", 12)]
    [InlineData("backend-flask:3", "backend-flask:3", "backend-flask", 3)]
    [InlineData("backend-flask", "backend-flask", "backend-flask", 0)]
    public void TaskDefinitionArnsGiveFamilyAndRevision(string arn, string name, string family, int revision)
    {
        Assert.Equal(name, AwsArn.TaskDefinitionName(arn));
        Assert.Equal(family, AwsArn.Family(arn));
        Assert.Equal(revision, AwsArn.Revision(arn));
    }

    [Fact]
    public void ArnPartsAreReadOnlyFromArns()
    {
        Assert.Equal("123456789012", AwsArn.Account("arn:aws-cn:iam::123456789012:role/r"));
        Assert.Equal("aws-cn", AwsArn.Partition("arn:aws-cn:iam::123456789012:role/r"));
        Assert.Null(AwsArn.Account("backend-flask:3"));
        Assert.False(AwsArn.IsArn("arn:aws"));
    }

    [Theory]
    [InlineData("us-east-1", "aws")]
    [InlineData("eu-west-2", "aws")]
    [InlineData("cn-north-1", "aws-cn")]
    [InlineData("us-gov-west-1", "aws-us-gov")]
    public void ARegionsPartitionIsAwsAwsCnOrAwsUsGov(string region, string partition) => Assert.Equal(partition, AwsArn.PartitionOf(region));

    [Fact]
    public void BuiltArnsParseBackIntoTheirParts()
    {
        var parameter = AwsArn.Build("aws-cn", "ssm", "cn-north-1", "123456789012", "parameter/cruddur/backend-flask/*");
        var policy = AwsArn.ManagedPolicy("aws-us-gov", "CloudWatchFullAccess");

        Assert.Equal("arn:aws-cn:ssm:cn-north-1:123456789012:parameter/cruddur/backend-flask/*", parameter);
        Assert.Equal(("aws-cn", "ssm", "cn-north-1", "123456789012"), (AwsArn.Partition(parameter), AwsArn.Service(parameter), AwsArn.Region(parameter), AwsArn.Account(parameter)));
        Assert.Equal("arn:aws-us-gov:iam::aws:policy/CloudWatchFullAccess", policy);
        Assert.Equal(("iam", "", "aws"), (AwsArn.Service(policy), AwsArn.Region(policy), AwsArn.Account(policy)));
        Assert.Equal("CloudWatchFullAccess", AwsArn.LastSegment(policy));
        Assert.Null(AwsArn.Service("parameter/cruddur"));
        Assert.Null(AwsArn.Region("arn:aws:ssm"));
    }

    [Fact]
    public void TimestampsAreEpochSecondsOrIsoText()
    {
        var expected = new DateTimeOffset(2026, 11, 30, 10, 0, 0, 500, TimeSpan.Zero);

        Assert.Equal(expected, AwsTime.Parse(JsonValue.Create(expected.ToUnixTimeMilliseconds() / 1000.0)));
        Assert.Equal(expected.AddMilliseconds(-500), AwsTime.Parse(JsonValue.Create(expected.ToUnixTimeSeconds())));
        Assert.Equal(expected, AwsTime.Parse(JsonValue.Create("2026-11-30T10:00:00.500Z")));
        Assert.Equal(expected, AwsTime.Parse(JsonValue.Create("2026-11-30T11:00:00.500+01:00")));
        Assert.Equal(expected, AwsTime.Parse(JsonValue.Create("2026-11-30T10:00:00.500")));
        Assert.Equal(expected.AddMilliseconds(-500), AwsTime.Parse(JsonValue.Create("1796032800")));
        Assert.Null(AwsTime.Parse((JsonNode?)null));
        Assert.Null(AwsTime.Parse(JsonValue.Create("yesterday")));
        Assert.Null(AwsTime.Parse(new JsonObject()));
        Assert.Null(AwsTime.Parse(JsonValue.Create(double.NaN)));
    }
}
