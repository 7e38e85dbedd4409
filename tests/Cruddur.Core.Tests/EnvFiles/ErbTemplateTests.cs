using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;
using Cruddur.Core.Processes;

namespace Cruddur.Core.Tests.EnvFiles;

public sealed class ErbTemplateTests
{
    private static readonly Dictionary<string, string> SeedEnvironment = new()
    {
        ["GITPOD_WORKSPACE_ID"] = "andrewbrown-awsbootcamp-3n1dsqn2m0n",
        ["GITPOD_WORKSPACE_CLUSTER_HOST"] = "ws-us89.gitpod.io",
        ["HONEYCOMB_API_KEY"] = "hc key=with*stars#and \"quotes\" 'single'",
        ["AWS_DEFAULT_REGION"] = "eu-west-2",
        ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
        ["AWS_SECRET_ACCESS_KEY"] = "wJalr/K7MDENG=bPxRfiCY",
        ["ROLLBAR_ACCESS_TOKEN"] = "  spaced  ",
        ["AWS_COGNITO_USER_POOL_ID"] = "eu-west-2_uEICac8VL",
        ["AWS_COGNITO_USER_POOL_CLIENT_ID"] = "hodtei9aau4ai8gncgtmgnrto",
        ["ALPHA"] = "a=1*2#3",
    };

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "erb", name);

    [Fact]
    public void SeedBackendTemplateRendersEveryLine()
    {
        var output = ErbTemplate.Load(Fixture("backend-flask.env.erb")).Render(n => SeedEnvironment.GetValueOrDefault(n), allowMissing: false);

        Assert.Contains("FRONTEND_URL=https://3000-andrewbrown-awsbootcamp-3n1dsqn2m0n.ws-us89.gitpod.io\n", output);
        Assert.Contains("AWS_XRAY_URL=*4567-andrewbrown-awsbootcamp-3n1dsqn2m0n.ws-us89.gitpod.io*\n", output);
        Assert.Contains("OTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team=hc key=with*stars#and \"quotes\" 'single'\n", output);
        Assert.Contains("ROLLBAR_ACCESS_TOKEN=  spaced  \n", output);
        Assert.StartsWith("AWS_ENDPOINT_URL=http://dynamodb-local:8000\nCONNECTION_URL=postgresql://postgres:password@postgres:5432/cruddur\n", output);
        Assert.EndsWith("AWS_COGNITO_USER_POOL_CLIENT_ID=hodtei9aau4ai8gncgtmgnrto\n", output);
        Assert.DoesNotContain("<%", output);
    }

    [Fact]
    public void VariableNamesAreListedOnceInOrderOfUse()
    {
        var names = ErbTemplate.Load(Fixture("frontend-react-js.env.erb")).VariableNames;

        Assert.Equal(["GITPOD_WORKSPACE_ID", "GITPOD_WORKSPACE_CLUSTER_HOST", "AWS_DEFAULT_REGION", "AWS_COGNITO_USER_POOL_ID", "AWS_COGNITO_USER_POOL_CLIENT_ID"], names);
    }

    [Fact]
    public void CrlfFetchDefaultCommentAndEscapeAreHandledAsErbDoes()
    {
        var output = ErbTemplate.Load(Fixture("mixed-crlf.env.erb")).Render(n => SeedEnvironment.GetValueOrDefault(n), allowMissing: false);

        Assert.Equal("A=a=1*2#3\r\nB=fallback value\r\n\r\nC=<% literal %>\r\nD=a=1*2#3", output);
    }

    [Fact]
    public void EmptyTemplateRendersEmpty()
    {
        Assert.Equal(string.Empty, ErbTemplate.Parse(string.Empty, "empty.erb").Render(_ => null, allowMissing: false));
    }

    [Fact]
    public void MissingVariablesAreAllListedInOneError()
    {
        var template = ErbTemplate.Parse("A=<%= ENV['ONE'] %>\nB=<%= ENV['TWO'] %>\nC=<%= ENV['ONE'] %>\nD=<%= ENV['SET'] %>\n", "t.erb");

        var error = Assert.Throws<MissingVariablesException>(() => template.Render(n => n == "SET" ? "x" : null, allowMissing: false));

        Assert.Equal(["ONE", "TWO"], error.Names);
        Assert.Equal("EnvFileVariableMissing", error.ErrorId);
        Assert.Contains("ONE, TWO", error.Message);
    }

    [Fact]
    public void AllowMissingRendersEmptyButFetchWithoutDefaultStaysRequired()
    {
        var optional = ErbTemplate.Parse("A=<%= ENV['ONE'] %>|", "t.erb");
        Assert.Equal("A=|", optional.Render(_ => null, allowMissing: true));

        var required = ErbTemplate.Parse("A=<%= ENV.fetch(\"ONE\") %>", "t.erb");
        var error = Assert.Throws<MissingVariablesException>(() => required.Render(_ => null, allowMissing: true));
        Assert.Equal(["ONE"], error.Names);
    }

    [Theory]
    [InlineData("A=1\nB=<%= ENV['X']\nC=3", 2, 3, "never closed")]
    [InlineData("A=1\n  <% puts 'x' %>", 2, 3, "Ruby code")]
    [InlineData("A=1\n<% puts 'x' %>", 2, 1, "Ruby code")]
    [InlineData("<%= ENV['X'].upcase %>", 1, 1, "not supported")]
    [InlineData("x\r\nyy<%= `id` %>", 2, 3, "not supported")]
    [InlineData("<%= ENV[\"A#{1}\"] %>", 1, 1, "interpolation")]
    [InlineData("<%- ENV['X'] -%>", 1, 1, "Ruby code")]
    public void UnsupportedOrBrokenTagsNameLineAndColumn(string text, int line, int column, string problem)
    {
        var error = Assert.Throws<CruddurException>(() => ErbTemplate.Parse(text, "bad.env.erb"));

        Assert.Equal("EnvFileTemplateInvalid", error.ErrorId);
        Assert.StartsWith($"bad.env.erb:{line}:{column}: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void AnOpeningTagAtTheVeryEndIsNeverClosed() =>
        Assert.StartsWith("t.erb:1:3: the tag '<%' is never closed", Assert.Throws<CruddurException>(() => ErbTemplate.Parse("A=<%", "t.erb")).Message);

    [Fact]
    public void LongRubyCodeIsShortenedInTheError()
    {
        var code = " puts 'this is a rather long piece of Ruby code that goes on' ";
        var error = Assert.Throws<CruddurException>(() => ErbTemplate.Parse($"<%{code}%>", "t.erb"));

        Assert.Contains(code[..40] + "…", error.Message);
        Assert.DoesNotContain("goes on", error.Message);
        Assert.Equal(1, error.Data["Line"]);
        Assert.Equal(1, error.Data["Column"]);
    }

    [Fact]
    public void RubyCodeOfExactly40CharactersIsQuotedWhole()
    {
        var code = " puts '" + new string('x', 32) + "'";
        Assert.Equal(40, code.Length);

        var error = Assert.Throws<CruddurException>(() => ErbTemplate.Parse($"<%{code}%>", "t.erb"));

        Assert.Contains($"'<%{code}%>'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("…", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<%= ENV['A\\n'] %>")]
    [InlineData("<%= ENV.fetch('A', 'x\\y') %>")]
    public void EscapesInNamesOrDefaultsAreRefused(string text) =>
        Assert.Contains("escapes or interpolation", Assert.Throws<CruddurException>(() => ErbTemplate.Parse(text, "t.erb")).Message);

    [Fact]
    public void SingleQuotesDoNotInterpolateAndSpacesAroundTheCallAreAllowed()
    {
        var template = ErbTemplate.Parse("<%=ENV [ 'A#{1}' ]%>|<%=  ENV . fetch ( \"B\" , 'b' )  %>|<%# note %>x", "t.erb");

        Assert.Equal("1|b|x", template.Render(n => n == "A#{1}" ? "1" : null, allowMissing: false));
        Assert.Equal(["A#{1}", "B"], template.VariableNames);
        Assert.True(template.HasDefault("B"));
        Assert.False(template.HasDefault("A#{1}"));
    }

    [Fact]
    public void TheSourceNamesTheTemplateInTheMissingVariablesError()
    {
        var error = Assert.Throws<MissingVariablesException>(() => ErbTemplate.Parse("<%= ENV['A'] %><%= ENV['A'] %>", "backend-flask.env.erb").Render(_ => null, allowMissing: false));

        Assert.Equal(["A"], error.Names);
        Assert.StartsWith("backend-flask.env.erb needs 1 variable(s)", error.Message);
        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
    }

    [Fact]
    public void NonUtf8TemplateIsRejected()
    {
        var path = Path.GetTempFileName();
        File.WriteAllBytes(path, [0x41, 0x3D, 0xFF, 0xFE, 0x0A]);
        try
        {
            var error = Assert.Throws<CruddurException>(() => ErbTemplate.Load(path));
            Assert.Equal(("EnvFileTemplateNotUtf8", ErrorKind.InvalidData), (error.ErrorId, error.Kind));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The promise: byte-for-byte what Ruby's ERB writes for the same template and environment.</summary>
    [Theory]
    [InlineData("backend-flask.env.erb", false)]
    [InlineData("frontend-react-js.env.erb", false)]
    [InlineData("mixed-crlf.env.erb", false)]
    [InlineData("backend-flask.env.erb", true)]
    public async Task OutputEqualsRubyErb(string fixture, bool withMissing)
    {
        var environment = new Dictionary<string, string?>(SeedEnvironment.ToDictionary(p => p.Key, p => (string?)p.Value));
        if (withMissing)
        {
            environment["ROLLBAR_ACCESS_TOKEN"] = null; // unset: Ruby renders nil as empty text
            environment["HONEYCOMB_API_KEY"] = null;
        }

        var rubyOutput = Path.GetTempFileName();
        try
        {
            var script = "require 'erb'; File.binwrite(ARGV[1], ERB.new(File.binread(ARGV[0]).force_encoding('UTF-8')).result)";
            var ruby = await ProcessRunner.RunAsync(
                new ProcessSpec("ruby", ["-e", script, Fixture(fixture), rubyOutput]) { Environment = environment },
                null, "Ruby", CancellationToken.None);
            Assert.Equal(0, ruby.ExitCode);

            var ours = ErbTemplate.Load(Fixture(fixture)).Render(n => environment.GetValueOrDefault(n), allowMissing: withMissing);
            Assert.Equal(File.ReadAllBytes(rubyOutput), new System.Text.UTF8Encoding(false).GetBytes(ours));
        }
        finally
        {
            File.Delete(rubyOutput);
        }
    }
}
