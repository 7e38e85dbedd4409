using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Database;
using Cruddur.Core.Hosting;
using Npgsql;

namespace Cruddur.Core.Tests.Database;

/// <summary>What each DbSetup step does to a real PostgreSQL server, and what it says when the server says no.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DbSetupStepTests : IClassFixture<PostgresServer>, IDisposable
{
    private const string Schema = "CREATE TABLE public.users (uuid serial PRIMARY KEY, handle text UNIQUE NOT NULL, cognito_user_id text);\n";
    private readonly PostgresServer _server;
    private readonly string _dir = Directory.CreateTempSubdirectory("cruddur-dbstep-").FullName;
    private readonly string _database = "cruddur_" + Guid.NewGuid().ToString("N")[..8];

    public DbSetupStepTests(PostgresServer server) => _server = server;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TheSeedsWholeSetupCreatesLoadsAndLinksAndSkipsWhatIsNotThereYet()
    {
        var seed = Script("seed.sql", "INSERT INTO public.users (handle) VALUES ('andrewbrown'), ('bayko');\nINSERT INTO public.users (handle) VALUES ('londo');\n");
        var cognito = new Cognito(new CognitoUser("u1", "andrewbrown", "sub-1"), new CognitoUser("u2", "nobody-here", "sub-2"), new CognitoUser("u3", null, "sub-3"));
        var setup = new DbSetup(new DbSetupRequest(_server.Url(_database), Enum.GetValues<DbSetupStep>())
        {
            SchemaPath = Script("schema.sql", Schema),
            SeedPath = seed,
            UserPoolId = "us-east-1_pool",
        }, _ => cognito);
        var host = new RecordingHost();

        var results = new List<DbSetupResult>();
        foreach (var step in setup.Prepare(host))
        {
            results.Add(await setup.RunAsync(step, host, CancellationToken.None));
        }

        Assert.Equal(
            ["KillConnections Skipped", "Drop Skipped", "Create Succeeded", "Schema Succeeded", "Seed Succeeded", "CognitoUserIds Succeeded"],
            results.Select(r => $"{r.Step} {r.Status}"));
        Assert.Equal(["The database does not exist.", "The database did not exist.", "Created."], results.Take(3).Select(r => r.Message));
        Assert.All(results, r => Assert.Equal((_database, $"127.0.0.1:{_server.Port}"), (r.Database, r.Server)));
        Assert.Equal((1, 0L), (results[3].Statements, results[3].RowsAffected));
        Assert.Equal((2, 3L), (results[4].Statements, results[4].RowsAffected));
        Assert.Equal("Loaded seed.sql.", results[4].Message);
        var link = results[5];
        Assert.Equal((1, 2, 1L), (link.Matched, link.Unmatched, link.RowsAffected));
        Assert.Contains("1 Cognito user(s) matched a handle, 2 did not", link.Message, StringComparison.Ordinal);
        Assert.Contains("nobody-here, u3", host.AllText, StringComparison.Ordinal);
        Assert.Equal("sub-1", await _server.QueryAsync(_database, "SELECT cognito_user_id FROM public.users WHERE handle = 'andrewbrown'"));
        Assert.Equal(2L, await _server.QueryAsync(_database, "SELECT count(*) FROM public.users WHERE cognito_user_id IS NULL"));
        Assert.Equal("us-east-1_pool", cognito.AskedFor);
        Assert.All(host.Progress.GroupBy(p => p.Status.Split(':')[0]), g => Assert.True(g.Last().Completed));
        Assert.Equal(12, host.Progress.Count(p => p.Activity == "Setting up the Cruddur database")); // each step starts and ends
    }

    [Fact]
    public async Task CreatingADatabaseThatExistsSaysToIncludeDrop()
    {
        await Run(DbSetupStep.Create);

        var e = await Assert.ThrowsAsync<CruddurException>(() => Run(DbSetupStep.Create));

        Assert.Equal((ErrorIds.DbDatabaseExists, ErrorKind.ResourceExists), (e.ErrorId, e.Kind));
        Assert.Contains($"'{_database}' already exists", e.Message, StringComparison.Ordinal);
        Assert.Contains("Drop", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADatabaseInUseIsNotDroppedUntilKillConnectionsEndsTheOtherSessions()
    {
        await Run(DbSetupStep.Create);
        await using var other = new NpgsqlConnection(_server.Url(_database).ToConnectionString());
        await other.OpenAsync();

        var e = await Assert.ThrowsAsync<CruddurException>(() => Run(DbSetupStep.Drop));
        Assert.Equal((ErrorIds.DbDatabaseInUse, ErrorKind.ResourceUnavailable), (e.ErrorId, e.Kind));
        Assert.Contains("KillConnections", e.Message, StringComparison.Ordinal);
        Assert.Contains("(There is 1 other session using the database.)", e.Message, StringComparison.Ordinal); // the server's count, not just "in use"
        Assert.DoesNotContain("pw-secret", e.Message, StringComparison.Ordinal);

        var killed = await Run(DbSetupStep.KillConnections);
        Assert.Equal(("Succeeded", 1L), (killed.Status, killed.RowsAffected));
        Assert.Equal("Terminated 1 connection(s).", killed.Message);

        var dropped = await Run(DbSetupStep.Drop);
        Assert.Equal(("Succeeded", "Dropped."), (dropped.Status, dropped.Message));
        Assert.Null(await _server.QueryAsync("postgres", $"SELECT 1 FROM pg_database WHERE datname = '{_database}'"));
    }

    [Fact]
    public async Task AFailingStatementIsNamedByFileLineAndColumnAndNothingOfTheFileIsApplied()
    {
        await Run(DbSetupStep.Create);
        var schema = Script("schema.sql", Schema + "\nINSERT INTO public.users (handle) VALUES ('a');\nINSERT INTO public.users (handle)\n  VALUES ('a');\n");

        var e = await Assert.ThrowsAsync<CruddurException>(() => Run(DbSetupStep.Schema, schema));

        Assert.Equal((ErrorIds.DbScriptFailed, ErrorKind.InvalidData), (e.ErrorId, e.Kind));
        Assert.StartsWith($"{schema}:4:1: duplicate key value violates unique constraint", e.Message, StringComparison.Ordinal);
        Assert.Contains("Key (handle)=(a) already exists.", e.Message, StringComparison.Ordinal);
        Assert.Contains("SQLSTATE 23505", e.Message, StringComparison.Ordinal);
        Assert.Contains("nothing of schema.sql was applied", e.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await _server.QueryAsync(_database, "SELECT count(*) FROM pg_tables WHERE tablename = 'users'"));
    }

    [Fact]
    public async Task TheServersPositionInAStatementBecomesTheFilesLineAndColumn()
    {
        await Run(DbSetupStep.Create);
        var schema = Script("schema.sql", "SELECT 1;\nSELECT\n  nosuchcolumn FROM pg_class;\n");

        var e = await Assert.ThrowsAsync<CruddurException>(() => Run(DbSetupStep.Schema, schema));

        // No DETAIL from the server: nothing stands between its message and the SQLSTATE.
        Assert.StartsWith($"{schema}:3:3: column \"nosuchcolumn\" does not exist (SQLSTATE 42703). The Schema step was rolled back", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinkingBeforeTheSchemaIsLoadedIsACommandFailure()
    {
        await Run(DbSetupStep.Create);

        var e = await Assert.ThrowsAsync<CruddurException>(() => new CognitoUserLink(new Cognito(new CognitoUser("u1", "a", "s")), new RecordingHost())
            .LinkAsync(_server.Url(_database), "us-east-1_pool", CancellationToken.None));

        Assert.Equal((ErrorIds.DbCommandFailed, ErrorKind.InvalidOperation), (e.ErrorId, e.Kind));
        Assert.Contains("failed setting cognito_user_id in public.users", e.Message, StringComparison.Ordinal);
        Assert.Contains("42P01", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenEveryCognitoUserMatchesAHandleNoUnmatchedListIsWritten()
    {
        await Run(DbSetupStep.Create);
        await Run(DbSetupStep.Schema, Script("schema.sql", Schema + "INSERT INTO public.users (handle) VALUES ('andrewbrown');\n"));
        var host = new RecordingHost();

        var link = await new CognitoUserLink(new Cognito(new CognitoUser("u1", "andrewbrown", "sub-1")), host)
            .LinkAsync(_server.Url(_database), "us-east-1_pool", CancellationToken.None);

        Assert.Equal((1, 0), (link.Matched, link.Unmatched));
        Assert.DoesNotContain("No row in public.users", host.AllText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DbSetupStep.Create, "failed creating the database")]
    [InlineData(DbSetupStep.Drop, "failed dropping the database")]
    [InlineData(DbSetupStep.KillConnections, "failed terminating connections")]
    public async Task ARoleWithoutThePrivilegeIsToldWhichStepTheServerRefused(DbSetupStep step, string doing)
    {
        var role = "cruddur_app_" + _database[^8..];
        await _server.QueryAsync("postgres", $"CREATE ROLE {role} LOGIN");
        await Run(DbSetupStep.Create);
        var asRole = DbConnectionUrl.Parse($"postgresql://{role}:pw-secret@127.0.0.1:{_server.Port}/{_database}");
        await using var other = new NpgsqlConnection(_server.Url(_database).ToConnectionString()); // a superuser's session
        await other.OpenAsync();
        var url = step == DbSetupStep.Create ? asRole.WithDatabase(_database + "_new") : asRole;

        var e = await Assert.ThrowsAsync<CruddurException>(() => new DbSetup(new DbSetupRequest(url, [step])).RunAsync(step, new RecordingHost(), CancellationToken.None));

        Assert.Equal(ErrorIds.DbCommandFailed, e.ErrorId);
        Assert.Contains(doing, e.Message, StringComparison.Ordinal);
        Assert.Contains("42501", e.Message, StringComparison.Ordinal); // insufficient_privilege, the server's word
        Assert.DoesNotContain("pw-secret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADatabaseThatDoesNotExistSaysToCreateIt()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => Run(DbSetupStep.Schema, Script("schema.sql", Schema)));

        Assert.Equal((ErrorIds.DbDatabaseNotFound, ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains($"'{_database}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Create step", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheProbeSaysTheServerVersionOrWhyNot()
    {
        var up = await DbProbe.TestAsync(_server.Url("postgres"), 5, CancellationToken.None);
        Assert.True(up.Reachable);
        Assert.Matches(@"^\d+\.\d+", up.ServerVersion);
        Assert.Null(up.ErrorId);
        Assert.Equal((up.Url, up.User, up.Database), ($"postgresql://postgres@127.0.0.1:{_server.Port}/postgres", "postgres", "postgres"));

        var missing = await DbProbe.TestAsync(_server.Url(_database), 5, CancellationToken.None);
        Assert.False(missing.Reachable);
        Assert.Null(missing.ServerVersion);
        Assert.Equal(ErrorIds.DbDatabaseNotFound, missing.ErrorId);
        Assert.Contains(_database, missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConnectionLostWhileLoadingIsAConnectionFailureNotASuccess()
    {
        await Run(DbSetupStep.Create);
        var schema = Script("schema.sql", Schema + "SELECT 'connection lost here';\n");
        await using var proxy = new CuttingProxy(_server.Port, "connection lost here");
        var url = DbConnectionUrl.Parse($"postgresql://postgres:pw-secret@127.0.0.1:{proxy.Port}/{_database}");

        var e = await Assert.ThrowsAsync<CruddurException>(() =>
            new DbSetup(new DbSetupRequest(url, [DbSetupStep.Schema]) { SchemaPath = schema }).RunAsync(DbSetupStep.Schema, new RecordingHost(), CancellationToken.None));

        Assert.True(proxy.Cut);
        Assert.Equal((ErrorIds.DbConnectionFailed, ErrorKind.ConnectionError), (e.ErrorId, e.Kind));
        Assert.Contains($"loading {schema} (nothing of it was applied)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-secret", e.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await _server.QueryAsync(_database, "SELECT count(*) FROM pg_tables WHERE tablename = 'users'"));
    }

    [Fact]
    public async Task AConnectionLostBeforeTheProbesQueryAnswersIsUnreachable()
    {
        await using var proxy = new CuttingProxy(_server.Port, "SHOW server_version");
        var url = DbConnectionUrl.Parse($"postgresql://postgres:pw-secret@127.0.0.1:{proxy.Port}/postgres");

        var probe = await DbProbe.TestAsync(url, 5, CancellationToken.None);

        Assert.True(proxy.Cut);
        Assert.False(probe.Reachable);
        Assert.Null(probe.ServerVersion);
        Assert.Equal(ErrorIds.DbConnectionFailed, probe.ErrorId);
        Assert.Contains("failed while answering a query", probe.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-secret", probe.Error, StringComparison.Ordinal);
    }

    private async Task<DbSetupResult> Run(DbSetupStep step, string? schema = null)
    {
        var setup = new DbSetup(new DbSetupRequest(_server.Url(_database), [step]) { SchemaPath = schema });
        return await setup.RunAsync(step, new RecordingHost(), CancellationToken.None);
    }

    private string Script(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private sealed class Cognito(params CognitoUser[] users) : ICognitoClient
    {
        public string? AskedFor { get; private set; }

        public Task<IReadOnlyList<CognitoUser>> ListUsersAsync(string userPoolId, CancellationToken cancellationToken)
        {
            AskedFor = userPoolId;
            return Task.FromResult<IReadOnlyList<CognitoUser>>(users);
        }
    }
}
