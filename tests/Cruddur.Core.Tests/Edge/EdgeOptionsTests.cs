using Cruddur.Core.Deployments;
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

    [Theory]
    [InlineData(0, "EdgePortInvalid", "0 is not a TCP port")]
    [InlineData(65536, "EdgePortInvalid", "65536 is not a TCP port")]
    [InlineData(80, "EdgeTestListenerPortConflict", "Port 80 is the edge's HTTP redirect listener")]
    [InlineData(443, "EdgeTestListenerPortConflict", "Port 443 is the edge's production HTTPS listener")]
    public void ATestListenerPortThatIsNoneOrTheEdgesOwnIsRefused(int port, string errorId, string message)
    {
        var options = new EdgeOptions { Domain = "cruddur.example", Strategy = DeploymentStrategy.BlueGreen, TestListenerPort = port };

        var e = Assert.Throws<CruddurException>(() => options.Validate());

        Assert.Equal((errorId, ErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.Contains("8443", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DeploymentStrategy.Rolling, false)]
    [InlineData(DeploymentStrategy.BlueGreen, true)]
    [InlineData(DeploymentStrategy.Linear, true)]
    [InlineData(DeploymentStrategy.Canary, true)]
    public void EveryStrategyButRollingShiftsTraffic(DeploymentStrategy strategy, bool shifts)
    {
        Assert.Equal(shifts, DeploymentStrategies.ShiftsTraffic(strategy));
        Assert.Equal(8443, new EdgeOptions { Domain = "cruddur.example", Strategy = strategy }.Validate().TestListenerPort);
    }
}
