using Cruddur.Core.Database;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Database;

/// <summary>The one rule for destructive database work, and what Prepare does with it before connecting to anything.</summary>
public sealed class DestructiveStepTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cruddur-dbrule-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(DbSetupStep.KillConnections, true, true, true)]
    [InlineData(DbSetupStep.Drop, true, true, true)]
    [InlineData(DbSetupStep.Schema, true, false, true)]
    [InlineData(DbSetupStep.Seed, true, false, true)]
    [InlineData(DbSetupStep.Create, false, false, false)]
    [InlineData(DbSetupStep.CognitoUserIds, false, false, false)]
    public void WhichStepsAreDestructiveAndWhenTheyAreHighImpact(DbSetupStep step, bool destructive, bool highLocally, bool highRemotely)
    {
        Assert.Equal(destructive, DbSetup.IsDestructive(step));
        Assert.Equal(highLocally, DbSetup.IsHighImpact(step, localHost: true));
        Assert.Equal(highRemotely, DbSetup.IsHighImpact(step, localHost: false));
    }

    [Theory]
    [InlineData(DbSetupStep.Schema)]
    [InlineData(DbSetupStep.Seed)]
    [InlineData(DbSetupStep.KillConnections)]
    [InlineData(DbSetupStep.Drop)]
    public void OnARemoteHostADestructiveStepNeedsForce(DbSetupStep step)
    {
        var setup = new DbSetup(Request("postgresql://u:p@prod.example.com/cruddur", step));

        var e = Assert.Throws<CruddurException>(() => setup.Prepare(new RecordingHost()));

        Assert.Equal("DbRemoteHostNeedsForce", e.ErrorId);
        Assert.Contains(step.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithForceTheStepsAreAskedAboutAndWhatIfRunsNone()
    {
        var host = new RecordingHost(confirm: false);

        Assert.Empty(new DbSetup(new DbSetupRequest(DbConnectionUrl.Parse("postgresql://u:p@prod.example.com/cruddur"), [DbSetupStep.Schema]) { SchemaPath = Script(), Force = true }).Prepare(host));
        Assert.Single(host.Asked);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("template0")]
    [InlineData("template1")]
    public void KillConnectionsNeverTouchesASystemDatabase(string database)
    {
        var setup = new DbSetup(Request($"postgresql://u:p@localhost/{database}", DbSetupStep.KillConnections));

        Assert.Equal("DbDatabaseProtected", Assert.Throws<CruddurException>(() => setup.Prepare(new RecordingHost())).ErrorId);
    }

    private DbSetupRequest Request(string url, DbSetupStep step) =>
        new(DbConnectionUrl.Parse(url), [step]) { SchemaPath = Script(), SeedPath = Script() };

    private string Script()
    {
        var path = Path.Combine(_dir, "schema.sql");
        File.WriteAllText(path, "DROP TABLE IF EXISTS public.users;\n");
        return path;
    }
}
