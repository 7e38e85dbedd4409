using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;
using Cruddur.Core.Parameters;

namespace Cruddur.Core.Tests.EnvFiles;

public sealed class EnvFileGeneratorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cruddur-envgen-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("value\nINJECTED=1")]
    [InlineData("value\r\nINJECTED=1")]
    [InlineData("value\rINJECTED=1")]
    [InlineData("\nINJECTED=1")]
    [InlineData("\r\nINJECTED=1")]
    public async Task AValueWithALineBreakCannotInjectAKeyAndNothingIsWritten(string value)
    {
        var template = Path.Combine(_dir, "x.env.erb");
        File.WriteAllText(template, "PRIVATE_KEY=<%= ENV['PRIVATE_KEY'] %>\nB=<%= ENV['B'] %>\n");
        var destination = Path.Combine(_dir, "x.env");
        var generator = new EnvFileGenerator(n => n == "PRIVATE_KEY" ? value : "b");

        var e = await Assert.ThrowsAsync<CruddurException>(() => generator.GenerateAsync(new EnvFileRequest(template, destination), new RecordingHost(), CancellationToken.None));

        Assert.Equal(("EnvFileValueMultiline", ErrorKind.InvalidData), (e.ErrorId, e.Kind));
        Assert.Contains("PRIVATE_KEY", e.Message, StringComparison.Ordinal);
        Assert.Contains("line break", e.Message, StringComparison.Ordinal);
        Assert.Contains("base64", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("INJECTED", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(destination));
    }

    [Fact]
    public async Task EveryValueWithALineBreakIsNamed()
    {
        var template = Path.Combine(_dir, "x.env.erb");
        File.WriteAllText(template, "PRIVATE_KEY=<%= ENV['PRIVATE_KEY'] %>\nPLAIN=<%= ENV['PLAIN'] %>\nCERT=<%= ENV['CERT'] %>\n");
        var generator = new EnvFileGenerator(n => n == "PLAIN" ? "plain" : "line one\nline two");

        var e = await Assert.ThrowsAsync<CruddurException>(() => generator.GenerateAsync(new EnvFileRequest(template, Path.Combine(_dir, "x.env")), new RecordingHost(), CancellationToken.None));

        Assert.StartsWith("The value of CERT, PRIVATE_KEY holds a line break", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADestinationFolderNoOneMayCreateFilesInIsPermissionDenied()
    {
        var template = Path.Combine(_dir, "x.env.erb");
        File.WriteAllText(template, "A=1\n");

        // sysfs refuses new files to root too, so this holds whoever runs the tests.
        var e = await Assert.ThrowsAsync<CruddurException>(() => new EnvFileGenerator(_ => null).GenerateAsync(new EnvFileRequest(template, "/sys/x.env"), new RecordingHost(), CancellationToken.None));

        Assert.Equal(("EnvFileDestinationNotWritable", ErrorKind.PermissionDenied), (e.ErrorId, e.Kind));
        Assert.Contains("'/sys/x.env'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was written", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWriteThatFailsLeavesNoTemporaryFileBehind()
    {
        var template = Path.Combine(_dir, "x.env.erb");
        File.WriteAllText(template, "A=1\n");
        var destination = Path.Combine(_dir, "x.env");
        Directory.CreateDirectory(destination); // the temporary file is written, then cannot be renamed over a folder

        var e = await Assert.ThrowsAsync<CruddurException>(() => new EnvFileGenerator(_ => null).GenerateAsync(new EnvFileRequest(template, destination), new RecordingHost(), CancellationToken.None));

        Assert.Equal(("EnvFileDestinationNotWritable", ErrorKind.ResourceUnavailable), (e.ErrorId, e.Kind));
        Assert.Contains($"'{destination}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was written", e.Message, StringComparison.Ordinal);
        Assert.Equal(["x.env", "x.env.erb"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(destination));
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
        Assert.Equal(["CRUDDUR_T_SET (Environment)", "CRUDDUR_T_UNSET (Default)"], file.Variables.Select(v => v.ToString())); // as a list shows them
    }

    [Fact]
    public async Task AVariableBeatsParameterStoreWhichBeatsTheEnvironmentAndTheLastParameterOfANameWins()
    {
        var template = Path.Combine(_dir, "x.env.erb");
        File.WriteAllText(template, "A=<%= ENV['A'] %>\nB=<%= ENV['B'] %>\nC=<%= ENV['C'] %>\nD=<%= ENV['D'] %>\n");
        var destination = Path.Combine(_dir, "x.env");
        var request = new EnvFileRequest(template, destination)
        {
            Variables = new Dictionary<string, string> { ["A"] = "from-variable" },
            Parameters = [new("A", "/cruddur/x/A", "param-a"), new("B", "/old/B", "old-b"), new("B", "/cruddur/x/B", "param-b")],
            AllowMissing = true,
        };

        var file = await new EnvFileGenerator(n => n is "A" or "B" or "C" ? "env-" + n : null).GenerateAsync(request, new RecordingHost(), CancellationToken.None);

        Assert.Equal("A=from-variable\nB=param-b\nC=env-C\nD=\n", File.ReadAllText(destination));
        Assert.Equal([new EnvFileVariable("A", "Variable"), new EnvFileVariable("B", "ParameterStore:/cruddur/x/B"), new EnvFileVariable("C", "Environment"), new EnvFileVariable("D", "Missing")], file!.Variables);
        Assert.Equal(["A", "B", "C", "D"], file.Keys);
    }

    [Fact]
    public async Task WhatIfWritesNothingAndSaysWhatItWouldWrite()
    {
        var template = Path.Combine(_dir, "x.env.erb");
        File.WriteAllText(template, "A=1\nB=2\n");
        var destination = Path.Combine(_dir, "x.env");
        var host = new RecordingHost(confirm: false);

        var file = await new EnvFileGenerator(_ => null).GenerateAsync(new EnvFileRequest(template, destination), host, CancellationToken.None);

        Assert.Null(file);
        Assert.False(File.Exists(destination));
        Assert.Equal([(destination, "Write env file from x.env.erb (2 entries: A, B)")], host.Asked);
    }

    [Fact]
    public async Task AMissingTemplateOrDestinationFolderIsNotFoundAndNothingIsWritten()
    {
        var template = Path.Combine(_dir, "x.env.erb");
        var generator = new EnvFileGenerator(_ => null);

        var noTemplate = await Assert.ThrowsAsync<CruddurException>(() => generator.GenerateAsync(new EnvFileRequest(template, Path.Combine(_dir, "x.env")), new RecordingHost(), CancellationToken.None));
        File.WriteAllText(template, "A=1\n");
        var noFolder = await Assert.ThrowsAsync<CruddurException>(() => generator.GenerateAsync(new EnvFileRequest(template, Path.Combine(_dir, "absent", "x.env")), new RecordingHost(), CancellationToken.None));

        Assert.Equal(("EnvFileTemplateNotFound", ErrorKind.ObjectNotFound), (noTemplate.ErrorId, noTemplate.Kind));
        Assert.Equal(("EnvFileDestinationNotFound", ErrorKind.ObjectNotFound), (noFolder.ErrorId, noFolder.Kind));
        Assert.False(Directory.Exists(Path.Combine(_dir, "absent")));
    }
}
