using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.EnvFiles;

public sealed class EnvFileGeneratorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cruddur-envgen-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("value\nINJECTED=1")]
    [InlineData("value\r\nINJECTED=1")]
    [InlineData("value\rINJECTED=1")]
    public async Task AValueWithALineBreakCannotInjectAKeyAndNothingIsWritten(string value)
    {
        var template = Path.Combine(_dir, "x.env.erb");
        File.WriteAllText(template, "A=<%= ENV['A'] %>\nB=<%= ENV['B'] %>\n");
        var destination = Path.Combine(_dir, "x.env");
        var generator = new EnvFileGenerator(n => n == "A" ? value : "b");

        var e = await Assert.ThrowsAsync<CruddurException>(() => generator.GenerateAsync(new EnvFileRequest(template, destination), new RecordingHost(), CancellationToken.None));

        Assert.Equal("EnvFileValueMultiline", e.ErrorId);
        Assert.Contains("A", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("INJECTED", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(destination));
    }

    [Fact]
    public async Task AnUnwritableDestinationHasItsOwnId()
    {
        var template = Path.Combine(_dir, "x.env.erb");
        File.WriteAllText(template, "A=1\n");
        var generator = new EnvFileGenerator(_ => null);

        var e = await Assert.ThrowsAsync<CruddurException>(() => generator.GenerateAsync(new EnvFileRequest(template, "/proc/x.env"), new RecordingHost(), CancellationToken.None));

        Assert.Equal("EnvFileDestinationNotWritable", e.ErrorId);
    }

    [Fact]
    public async Task AFetchDefaultGivesWayToTheVariableWhenItIsSetAndTheFileSaysSo()
    {
        var template = Path.Combine(_dir, "backend-flask.env.erb");
        File.WriteAllText(template, "SET=<%= ENV.fetch('CRUDDUR_T_SET', 'the-default') %>\nUNSET=<%= ENV.fetch('CRUDDUR_T_UNSET', 'fallback') %>\n");
        var environment = new Dictionary<string, string> { ["CRUDDUR_T_SET"] = "from-the-environment" };
        var destination = Path.Combine(_dir, "backend-flask.env");

        var file = await new EnvFileGenerator(n => environment.GetValueOrDefault(n))
            .GenerateAsync(new EnvFileRequest(template, destination), new RecordingHost(), CancellationToken.None);

        Assert.Equal("SET=from-the-environment\nUNSET=fallback\n", File.ReadAllText(destination));
        Assert.Equal([new EnvFileVariable("CRUDDUR_T_SET", "Environment"), new EnvFileVariable("CRUDDUR_T_UNSET", "Default")], file!.Variables);
    }
}
