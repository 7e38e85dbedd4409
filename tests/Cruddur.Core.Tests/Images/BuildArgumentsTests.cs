using Cruddur.Core.Hosting;
using Cruddur.Core.Images;

namespace Cruddur.Core.Tests.Images;

public sealed class BuildArgumentsTests
{
    [Theory]
    [InlineData("API_TOKEN=B")]
    [InlineData("1ABC")]
    [InlineData("--network=host")]
    [InlineData("A B")]
    [InlineData("")]
    [InlineData("API_TOKEN\n")]
    public void NamesThatAreNotIdentifiersAreRejected(string name) =>
        Assert.Equal("ImageBuildArgumentInvalid", Assert.Throws<CruddurException>(() => BuildArguments.ValidateName(name)).ErrorId);

    [Fact]
    public void ARejectedNameIsNamedWithTheFormToUse()
    {
        var e = Assert.Throws<CruddurException>(() => BuildArguments.ValidateName("1ABC"));

        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("'1ABC'", e.Message, StringComparison.Ordinal);
        Assert.Contains("REACT_APP_BACKEND_URL", e.Message, StringComparison.Ordinal);
        Assert.Contains("@{ NAME = 'value' }", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretLookingOrSecretSourcedValuesAreNamedButReactAppOnesAreNot()
    {
        var arguments = new Dictionary<string, string>
        {
            ["REACT_APP_BACKEND_URL"] = "https://api.example.com",
            ["REACT_APP_API_TOKEN"] = "public-by-design",
            ["ROLLBAR_ACCESS_TOKEN"] = "tok",
            ["DB"] = "postgresql://u:pw@h/db",
            ["FROM_SSM"] = "plain",
            ["VERSION"] = "1.2",
        };

        var risky = BuildArguments.Risky(arguments, new HashSet<string> { "FROM_SSM" });

        Assert.Equal(["DB", "FROM_SSM", "ROLLBAR_ACCESS_TOKEN"], risky);
        Assert.Contains("The build argument(s) DB, FROM_SSM, ROLLBAR_ACCESS_TOKEN look secret", BuildArguments.Warning(risky), StringComparison.Ordinal);
        Assert.DoesNotContain("tok", BuildArguments.Warning(risky).Replace("TOKEN", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
