using Cruddur.Core.Database;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Database;

/// <summary>What Prepare decides before connecting to anything: the order of the steps, what it checks first, what it asks.</summary>
public sealed class DbSetupPlanTests : IDisposable
{
    private const string Target = "database 'cruddur' at localhost:5432";
    private readonly string _dir = Directory.CreateTempSubdirectory("cruddur-dbplan-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void StepsRunInTheSeedsOrderWhateverOrderTheyAreGivenIn()
    {
        var host = new RecordingHost();
        var steps = new DbSetup(Request("postgresql://u:p@localhost:5432/cruddur",
            DbSetupStep.CognitoUserIds, DbSetupStep.Seed, DbSetupStep.Schema, DbSetupStep.Create, DbSetupStep.Drop, DbSetupStep.KillConnections)).Prepare(host);

        Assert.Equal([DbSetupStep.KillConnections, DbSetupStep.Drop, DbSetupStep.Create, DbSetupStep.Schema, DbSetupStep.Seed, DbSetupStep.CognitoUserIds], steps);
        Assert.Equal(
        [
            (Target, "Terminate the other connections to the database"),
            (Target, "Drop the database"),
            (Target, "Create the database"),
            (Target, $"Load the schema {Path.Combine(_dir, "schema.sql")}"),
            (Target, $"Load the seed data {Path.Combine(_dir, "seed.sql")}"),
            (Target, "Set public.users.cognito_user_id from the Cognito user pool us-east-1_pool"),
        ], host.Asked);
    }

    [Fact]
    public void OnlyTheConfirmedStepsRun()
    {
        var host = new RecordingHost();
        host.Decide = action => !action.StartsWith("Drop", StringComparison.Ordinal);

        var steps = new DbSetup(Request("postgresql://u:p@127.0.0.1/cruddur", DbSetupStep.Drop, DbSetupStep.Create, DbSetupStep.Schema)).Prepare(host);

        Assert.Equal([DbSetupStep.Create, DbSetupStep.Schema], steps);
    }

    [Theory]
    [InlineData("postgresql://u:p@localhost/cruddur")]
    [InlineData("postgresql://u:p@127.0.0.1:5433/cruddur")]
    [InlineData("postgresql://u:p@db/cruddur")] // the compose service name
    public void OnThisMachineDestructiveStepsNeedNoForce(string url) =>
        Assert.Equal(4, new DbSetup(Request(url, DbSetupStep.KillConnections, DbSetupStep.Drop, DbSetupStep.Schema, DbSetupStep.Seed)).Prepare(new RecordingHost()).Count);

    [Fact]
    public void OnARemoteHostCreateAndTheCognitoLinkNeedNoForceAndTheErrorNamesEveryDestructiveStep()
    {
        const string remote = "postgresql://u:p@cruddur-db.abc.us-east-1.rds.amazonaws.com/cruddur";
        Assert.Equal(2, new DbSetup(Request(remote, DbSetupStep.Create, DbSetupStep.CognitoUserIds)).Prepare(new RecordingHost()).Count);

        var e = Assert.Throws<CruddurException>(() => new DbSetup(Request(remote, DbSetupStep.Seed, DbSetupStep.Create, DbSetupStep.Schema)).Prepare(new RecordingHost()));
        Assert.Equal("DbRemoteHostNeedsForce", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Assert.StartsWith("Schema and Seed would act on 'cruddur' at cruddur-db.abc.us-east-1.rds.amazonaws.com", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("u:p@", e.Target?.ToString() ?? string.Empty, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DbSetupStep.KillConnections)]
    [InlineData(DbSetupStep.Drop)]
    [InlineData(DbSetupStep.Create)]
    public void ASystemDatabaseIsNeverDroppedOrCreatedButCanBeLoaded(DbSetupStep step)
    {
        // With a step that may touch it (Schema), so one protected step among others is enough.
        var e = Assert.Throws<CruddurException>(() => new DbSetup(Request("postgresql://u:p@localhost/postgres", step, DbSetupStep.Schema)).Prepare(new RecordingHost()));
        Assert.Equal("DbDatabaseProtected", e.ErrorId);
        Assert.StartsWith("'postgres' is a PostgreSQL system database", e.Message, StringComparison.Ordinal);
        Assert.Contains("e.g. .../cruddur", e.Message, StringComparison.Ordinal);
        Assert.Single(new DbSetup(Request("postgresql://u:p@localhost/postgres", DbSetupStep.Schema)).Prepare(new RecordingHost()));
    }

    [Theory]
    [InlineData(DbSetupStep.Schema, "schema")]
    [InlineData(DbSetupStep.Seed, "seed")]
    public void AMissingScriptIsReportedBeforeAnythingIsAskedOrDone(DbSetupStep step, string what)
    {
        var host = new RecordingHost();
        var request = new DbSetupRequest(DbConnectionUrl.Parse("postgresql://u:p@localhost/cruddur"), [DbSetupStep.Drop, step])
        {
            SchemaPath = step == DbSetupStep.Schema ? Path.Combine(_dir, "none.sql") : Script("schema.sql"),
            SeedPath = step == DbSetupStep.Seed ? Path.Combine(_dir, "none.sql") : Script("seed.sql"),
        };

        var e = Assert.Throws<CruddurException>(() => new DbSetup(request).Prepare(host));

        Assert.Equal("DbScriptNotFound", e.ErrorId);
        Assert.Contains($"The {what} file", e.Message, StringComparison.Ordinal);
        Assert.Empty(host.Asked);
    }

    [Fact]
    public void TheCognitoLinkWithoutAUserPoolIsReportedBeforeAnythingIsAsked()
    {
        var host = new RecordingHost();
        var request = new DbSetupRequest(DbConnectionUrl.Parse("postgresql://u:p@localhost/cruddur"), [DbSetupStep.Drop, DbSetupStep.CognitoUserIds]);

        var e = Assert.Throws<CruddurException>(() => new DbSetup(request).Prepare(host));
        Assert.Equal("DbUserPoolIdMissing", e.ErrorId);
        Assert.Contains("set AWS_COGNITO_USER_POOL_ID", e.Message, StringComparison.Ordinal);
        Assert.Empty(host.Asked);
    }

    private DbSetupRequest Request(string url, params DbSetupStep[] steps) =>
        new(DbConnectionUrl.Parse(url), steps) { SchemaPath = Script("schema.sql"), SeedPath = Script("seed.sql"), UserPoolId = "us-east-1_pool" };

    private string Script(string name)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "SELECT 1;\n");
        return path;
    }
}
