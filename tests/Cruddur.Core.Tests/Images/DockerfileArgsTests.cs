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
}
