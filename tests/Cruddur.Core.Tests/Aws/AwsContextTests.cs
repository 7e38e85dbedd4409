using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Aws;

public sealed class AwsContextTests
{
    private static AwsContext Context(AwsSettings settings, params (string Name, string Value)[] environment) =>
        new(settings, environment.ToDictionary(e => e.Name, e => (string?)e.Value));

    [Fact]
    public void EndpointComesFromParameterThenServiceVariableThenGlobalVariableThenPublic()
    {
        var env = new[] { ("AWS_REGION", "eu-west-2"), ("AWS_ENDPOINT_URL_ECS", "http://127.0.0.1:1111"), ("AWS_ENDPOINT_URL", "http://127.0.0.1:2222") };

        Assert.Equal("http://127.0.0.1:3333/", Context(new AwsSettings(EndpointUrl: "http://127.0.0.1:3333"), env).EndpointFor(AwsService.Ecs).ToString());
        Assert.Equal("http://127.0.0.1:1111/", Context(new AwsSettings(), env).EndpointFor(AwsService.Ecs).ToString());
        Assert.Equal("http://127.0.0.1:2222/", Context(new AwsSettings(), env).EndpointFor(AwsService.Ecr).ToString());
        Assert.Equal("https://api.ecr.eu-west-2.amazonaws.com/", Context(new AwsSettings(), ("AWS_REGION", "eu-west-2")).EndpointFor(AwsService.Ecr).ToString());
        Assert.Equal("https://logs.eu-west-2.amazonaws.com/", Context(new AwsSettings(), ("AWS_REGION", "eu-west-2")).EndpointFor(AwsService.Logs).ToString());
    }

    [Fact]
    public void ConfiguredEndpointsCanBeIgnoredAsTheSdksAllow()
    {
        var context = Context(new AwsSettings(), ("AWS_REGION", "us-east-1"), ("AWS_ENDPOINT_URL", "http://127.0.0.1:2222"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"));

        Assert.Equal("https://ecs.us-east-1.amazonaws.com/", context.EndpointFor(AwsService.Ecs).ToString());
    }

    [Fact]
    public void GlobalServicesUseTheGlobalEndpointAndSignForUsEast1()
    {
        var context = Context(new AwsSettings(Region: "eu-west-2"));

        Assert.Equal("https://iam.amazonaws.com/", context.EndpointFor(AwsService.Iam).ToString());
        Assert.Equal("us-east-1", context.SigningRegionFor(AwsService.Iam));
        Assert.Equal("eu-west-2", context.SigningRegionFor(AwsService.Ecs));
    }

    [Theory]
    [InlineData("ftp://example.com")]
    [InlineData("not a url")]
    [InlineData("/relative")]
    public void AnEndpointThatIsNotHttpIsRejectedWithHowToFix(string url)
    {
        var error = Assert.Throws<CruddurException>(() => Context(new AwsSettings(Region: "us-east-1", EndpointUrl: url)).EndpointFor(AwsService.Ecs));

        Assert.Equal("AwsEndpointUrlInvalid", error.ErrorId);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.Contains("such as https://ecs.us-east-1.amazonaws.com", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegionComesFromParameterThenAwsRegionThenAwsDefaultRegion()
    {
        Assert.Equal("ca-central-1", Context(new AwsSettings(Region: "ca-central-1"), ("AWS_REGION", "eu-west-2")).Region);
        Assert.Equal("eu-west-2", Context(new AwsSettings(), ("AWS_REGION", "eu-west-2"), ("AWS_DEFAULT_REGION", "us-west-1")).Region);
        Assert.Equal("us-west-1", Context(new AwsSettings(), ("AWS_DEFAULT_REGION", "us-west-1")).Region);
    }

    [Fact]
    public void AMalformedRegionIsRejected()
    {
        var error = Assert.Throws<CruddurException>(() => Context(new AwsSettings(Region: "Europe/London")).Region);

        Assert.Equal("AwsRegionInvalid", error.ErrorId);
    }
}
