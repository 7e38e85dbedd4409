using Cruddur.Core.Hosting;
using Cruddur.Core.Images;

namespace Cruddur.Core.Tests.Images;

public class DockerfileArgsTests
{
    [Fact]
    public void ReadsTheSeedFrontendArgs()
    {
        const string dockerfile = """
            # Base Image ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
            FROM node:16.18 AS build

            ARG REACT_APP_BACKEND_URL
            ARG REACT_APP_AWS_PROJECT_REGION
            ARG REACT_APP_AWS_COGNITO_REGION
            ARG REACT_APP_AWS_USER_POOLS_ID
            ARG REACT_APP_CLIENT_ID

            ENV REACT_APP_BACKEND_URL=$REACT_APP_BACKEND_URL
            COPY . ./frontend-react-js
            RUN npm run build
            FROM nginx:1.23.3-alpine
            EXPOSE 3000
            """;

        Assert.Equal(
            ["REACT_APP_AWS_COGNITO_REGION", "REACT_APP_AWS_PROJECT_REGION", "REACT_APP_AWS_USER_POOLS_ID", "REACT_APP_BACKEND_URL", "REACT_APP_CLIENT_ID"],
            DockerfileArgs.Parse(dockerfile).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ReadsDefaultsSeveralNamesQuotesContinuationsAndAnyCase()
    {
        const string dockerfile = "arg A=1 B\nARG C=\"x y\" D='p q' \\\n  E\n# ARG COMMENTED\nENV NOT_AN_ARG=1\nRUN echo ARG F\n";

        Assert.Equal(["A", "B", "C", "D", "E"], DockerfileArgs.Parse(dockerfile).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("ARG A \\\n# the second one\n  B\n")] // docker drops a comment line inside a continuation
    [InlineData("FROM scratch\nARG A B \\")] // a last line that ends in a continuation still counts
    public void ReadsArgsAcrossACommentedContinuationAndAtTheEndOfTheFile(string dockerfile) =>
        Assert.Equal(["A", "B"], DockerfileArgs.Parse(dockerfile).Order(StringComparer.Ordinal));

    [Fact]
    public void ADockerfileThatCannotBeReadIsNamedWithTheParameterToFixIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), "cruddur-no-such-" + Guid.NewGuid().ToString("N"), "Dockerfile");

        var e = Assert.Throws<CruddurException>(() => DockerfileArgs.Read(missing));

        Assert.Equal(("ImageDockerfileNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be read", e.Message, StringComparison.Ordinal);
    }
}
