using Cruddur.Core.EnvFiles;

namespace Cruddur.Core.Tests.EnvFiles;

/// <summary>Where each value comes from, decided against a scripted environment, written to a temporary folder.</summary>
public sealed class EnvFileGeneratorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cruddur-envfile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task AFetchDefaultGivesWayToTheVariableWhenItIsSetAndTheFileSaysSo()
    {
        var template = Path.Combine(_folder, "backend-flask.env.erb");
        File.WriteAllText(template, "SET=<%= ENV.fetch('CRUDDUR_T_SET', 'the-default') %>\nUNSET=<%= ENV.fetch('CRUDDUR_T_UNSET', 'fallback') %>\n");
        var environment = new Dictionary<string, string> { ["CRUDDUR_T_SET"] = "from-the-environment" };
        var destination = Path.Combine(_folder, "backend-flask.env");

        var file = await new EnvFileGenerator(n => environment.GetValueOrDefault(n))
            .GenerateAsync(new EnvFileRequest(template, destination), new RecordingHost(), CancellationToken.None);

        Assert.Equal("SET=from-the-environment\nUNSET=fallback\n", File.ReadAllText(destination));
        Assert.Equal([new EnvFileVariable("CRUDDUR_T_SET", "Environment"), new EnvFileVariable("CRUDDUR_T_UNSET", "Default")], file!.Variables);
    }
}
