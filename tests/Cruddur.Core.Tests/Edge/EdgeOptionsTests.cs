using Cruddur.Core.Edge;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Edge;

public sealed class EdgeOptionsTests
{
    [Fact]
    public void TheDomainIsTrimmedAndLowerCasedAndTheSeedNamesAreKept()
    {
        var options = new EdgeOptions { Domain = " Cruddur.Example. " }.Validate();

        Assert.Equal("cruddur.example", options.Domain);
        Assert.Equal("api.cruddur.example", options.ApiHost);
        Assert.Equal(SeedDefaults.LoadBalancerName, options.LoadBalancerName);
    }

    // A trailing newline must not slip through an end-of-line anchor: the value goes on to AWS as it is.
    [Theory]
    [InlineData("cruddur.example", "cert-1", "cruddur-alb", "EdgeCertificateArnInvalid")]
    [InlineData("cruddur.example", "arn:aws:acm:us-east-1:123456789012:certificate/abc-1\n", "cruddur-alb", "EdgeCertificateArnInvalid")]
    [InlineData("cruddur.example", null, "cruddur-alb\n", "EdgeLoadBalancerNameInvalid")]
    [InlineData("cruddur.example", null, "-cruddur-alb", "EdgeLoadBalancerNameInvalid")]
    [InlineData("https://cruddur.example/", null, "cruddur-alb", "EdgeDomainInvalid")]
    [InlineData("cruddur..example", null, "cruddur-alb", "EdgeDomainInvalid")]
    public void AValueAwsWouldRefuseIsRefusedFirstAndNamed(string domain, string? certificateArn, string loadBalancer, string errorId)
    {
        var options = new EdgeOptions { Domain = domain, CertificateArn = certificateArn, LoadBalancerName = loadBalancer };

        var e = Assert.Throws<CruddurException>(() => options.Validate());

        Assert.Equal((errorId, ErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Contains(certificateArn is not null && errorId == "EdgeCertificateArnInvalid" ? certificateArn : errorId == "EdgeDomainInvalid" ? domain : loadBalancer, e.Message, StringComparison.Ordinal);
    }
}
