using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;
using Cruddur.Core.Parameters;
using Cruddur.Core.Processes;

namespace Cruddur.Core.Tests.EnvFiles;

/// <summary>Where each value of a generated env file comes from, where the file goes, and what is (not) written.</summary>
public sealed class EnvFileSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cruddur-envsrc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AVariableWinsOverParameterStoreWhichWinsOverTheEnvironmentWhichWinsOverTheDefault()
    {
        var template = Template("x.env.erb",
            "A=<%= ENV['A'] %>\nB=<%= ENV['B'] %>\nC=<%= ENV.fetch('C', 'c-default') %>\nD=<%= ENV.fetch('D', 'd-default') %>\nE=<%= ENV['E'] %>\n");
        var environment = new Dictionary<string, string> { ["A"] = "a-env", ["B"] = "b-env", ["C"] = "c-env" };
        var request = new EnvFileRequest(template, Path.Combine(_dir, "x.env"))
        {
            Variables = new Dictionary<string, string> { ["A"] = "a-given" },
            Parameters = [new StoredParameter("A", "/cruddur/x/A", "a-ssm"), new StoredParameter("B", "/cruddur/old/B", "b-old"), new StoredParameter("B", "/cruddur/x/B", "b-ssm")],
            AllowMissing = true,
        };

        var file = await new EnvFileGenerator(n => environment.GetValueOrDefault(n)).GenerateAsync(request, new RecordingHost(), CancellationToken.None);

        Assert.Equal("A=a-given\nB=b-ssm\nC=c-env\nD=d-default\nE=\n", File.ReadAllText(Path.Combine(_dir, "x.env")));
        Assert.Equal(
        [
            new EnvFileVariable("A", "Variable"),
            new EnvFileVariable("B", "ParameterStore:/cruddur/x/B"),
            new EnvFileVariable("C", "Environment"),
            new EnvFileVariable("D", "Default"),
            new EnvFileVariable("E", "Missing"),
        ], file!.Variables);
        Assert.Equal(["A", "B", "C", "D", "E"], file.Keys);
        Assert.Equal(template, file.Template);
        Assert.Equal(Path.Combine(_dir, "x.env"), file.Path);
    }

    [Fact]
    public async Task TheFileIsPrivateToItsOwnerAndNoTemporaryFileIsLeftBeside()
    {
        var template = Template("x.env.erb", "A=<%= ENV['A'] %>\n");
        var destination = Path.Combine(_dir, "out", "x.env");
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.WriteAllText(destination, "OLD=1\n");

        await new EnvFileGenerator(_ => "secret-a").GenerateAsync(new EnvFileRequest(template, destination), new RecordingHost(), CancellationToken.None);

        Assert.Equal("A=secret-a\n", File.ReadAllText(destination));
        Assert.Equal([destination], Directory.GetFiles(Path.GetDirectoryName(destination)!));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(destination));
        }
    }

    [Fact]
    public async Task UnderWhatIfTheQuestionNamesTheKeysAndNothingIsWritten()
    {
        var template = Template("backend-flask.env.erb", "A=<%= ENV['A'] %>\nB=2\n");
        var destination = Path.Combine(_dir, "backend-flask.env");
        var host = new RecordingHost(confirm: false);

        Assert.Null(await new EnvFileGenerator(_ => "1").GenerateAsync(new EnvFileRequest(template, destination), host, CancellationToken.None));

        Assert.Equal([(destination, "Write env file from backend-flask.env.erb (2 entries: A, B)")], host.Asked);
        Assert.False(File.Exists(destination));
    }

    [Fact]
    public async Task AMissingTemplateOrDestinationFolderIsNamedAndNothingIsAsked()
    {
        var host = new RecordingHost();
        var missing = Path.Combine(_dir, "none.env.erb");
        var e = await Assert.ThrowsAsync<CruddurException>(() => new EnvFileGenerator(_ => "1").GenerateAsync(new EnvFileRequest(missing, Path.Combine(_dir, "x.env")), host, CancellationToken.None));
        Assert.Equal((ErrorIds.EnvFileTemplateNotFound, ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);

        var folder = Path.Combine(_dir, "no-such-folder");
        e = await Assert.ThrowsAsync<CruddurException>(() => new EnvFileGenerator(_ => "1").GenerateAsync(new EnvFileRequest(Template("x.env.erb", "A=1\n"), Path.Combine(folder, "x.env")), host, CancellationToken.None));
        Assert.Equal((ErrorIds.EnvFileDestinationNotFound, ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains(folder, e.Message, StringComparison.Ordinal);
        Assert.Empty(host.Asked);
    }

    [Fact]
    public async Task AVariableWithoutValueIsAnErrorUnlessMissingIsAllowed()
    {
        var template = Template("x.env.erb", "A=<%= ENV['A'] %>\n");
        var destination = Path.Combine(_dir, "x.env");

        var e = await Assert.ThrowsAsync<MissingVariablesException>(() => new EnvFileGenerator(_ => null).GenerateAsync(new EnvFileRequest(template, destination), new RecordingHost(), CancellationToken.None));

        Assert.Equal(["A"], e.Names);
        Assert.False(File.Exists(destination));
    }

    [Fact]
    public async Task AFileGitWouldCommitIsWarnedAboutAndAnIgnoredOneOrOneOutsideGitIsNot()
    {
        var template = Template("x.env.erb", "A=1\n");
        var host = new RecordingHost();
        await new EnvFileGenerator(_ => null).GenerateAsync(new EnvFileRequest(template, Path.Combine(_dir, "x.env")), host, CancellationToken.None);
        Assert.DoesNotContain(host.Messages, m => m.StartsWith("WARNING:", StringComparison.Ordinal));

        var git = await ProcessRunner.RunAsync(new ProcessSpec("git", ["init", "-q", _dir]), null, "Git", CancellationToken.None);
        Assert.Equal(0, git.ExitCode);
        host = new RecordingHost();
        await new EnvFileGenerator(_ => null).GenerateAsync(new EnvFileRequest(template, Path.Combine(_dir, "x.env")), host, CancellationToken.None);
        var warning = Assert.Single(host.Messages, m => m.StartsWith("WARNING:", StringComparison.Ordinal));
        Assert.Contains("'x.env'", warning, StringComparison.Ordinal);
        Assert.Contains(".gitignore", warning, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_dir, ".gitignore"), "*.env\n");
        host = new RecordingHost();
        await new EnvFileGenerator(_ => null).GenerateAsync(new EnvFileRequest(template, Path.Combine(_dir, "x.env")), host, CancellationToken.None);
        Assert.DoesNotContain(host.Messages, m => m.StartsWith("WARNING:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, "backend-flask.env")]
    [InlineData("", "backend-flask.env")]
    [InlineData("out", "out/backend-flask.env")] // an existing folder
    [InlineData("new/", "new/backend-flask.env")] // a folder to be, by its trailing separator
    [InlineData("custom.env", "custom.env")]
    public void TheDestinationIsTheTemplatesNameWithoutErbInTheFolderGiven(string? destination, string expected)
    {
        Directory.CreateDirectory(Path.Combine(_dir, "out"));

        Assert.Equal(Path.Combine(_dir, expected), EnvFileGenerator.ResolveDestination("/templates/backend-flask.env.ERB", destination, _dir));
    }

    [Fact]
    public void ADestinationThatIsTheTemplateItselfIsRefused()
    {
        var template = Path.Combine(_dir, "x.env");

        var e = Assert.Throws<CruddurException>(() => EnvFileGenerator.ResolveDestination(template, _dir, _dir));

        Assert.Equal((ErrorIds.EnvFileDestinationIsTemplate, ErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Contains(template, e.Message, StringComparison.Ordinal);
    }

    private string Template(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
