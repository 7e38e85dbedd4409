using Cruddur.Core.Database;
using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;
using Npgsql;

namespace Cruddur.Core.Tests.Database;

/// <summary>How driver failures become Cruddur errors (never with the password), and where a cmdlet's URL comes from.</summary>
public sealed class DbFailureTests
{
    private static readonly DbConnectionUrl Url = DbConnectionUrl.Parse("postgresql://app:pw-Secret9@db.example.com:6543/cruddur");

    [Theory]
    [InlineData(PostgresErrorCodes.InvalidPassword)]
    [InlineData(PostgresErrorCodes.InvalidAuthorizationSpecification)]
    public void ARefusedLoginNamesTheUserAndSaysToCheckTheCredentials(string sqlState)
    {
        var e = DbSession.ConnectFailed(Url, new PostgresException("password authentication failed for user \"app\" (pw-Secret9)", "FATAL", "FATAL", sqlState));

        Assert.Equal((ErrorIds.DbAuthenticationFailed, ErrorKind.AuthenticationError), (e.ErrorId, e.Kind));
        Assert.Contains("refused user 'app'", e.Message, StringComparison.Ordinal);
        Assert.Contains($"SQLSTATE {sqlState}", e.Message, StringComparison.Ordinal);
        Assert.Contains("password in the connection URL", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-Secret9", e.Message + e.Target, StringComparison.Ordinal);
    }

    [Fact]
    public void AnyOtherServerRefusalWhileConnectingIsACommandFailure()
    {
        var e = DbSession.ConnectFailed(Url, new PostgresException("sorry, too many clients already", "FATAL", "FATAL", PostgresErrorCodes.TooManyConnections));

        Assert.Equal((ErrorIds.DbCommandFailed, ErrorKind.InvalidOperation), (e.ErrorId, e.Kind));
        Assert.Contains("failed connecting: sorry, too many clients already (SQLSTATE 53300)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANetworkFailureNamesTheInnermostCauseWithoutThePassword()
    {
        var e = DbSession.ConnectFailed(Url, new NpgsqlException("Failed to connect to db.example.com:6543", new InvalidOperationException("wrapped", new IOException("no route to host"))));

        Assert.Equal((ErrorIds.DbConnectionFailed, ErrorKind.ConnectionError), (e.ErrorId, e.Kind));
        Assert.StartsWith("Could not reach PostgreSQL at ", e.Message, StringComparison.Ordinal);
        Assert.Contains("db.example.com:6543/cruddur: Failed to connect", e.Message, StringComparison.Ordinal);
        Assert.Contains("no route to host", e.Message, StringComparison.Ordinal);
        Assert.Contains("server is running", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrapped", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConnectionLostWhileWorkingSaysWhatItWasDoing()
    {
        var e = DbSession.Failed(Url, "loading schema.sql", new NpgsqlException("Exception while reading from stream"));

        Assert.Equal((ErrorIds.DbConnectionFailed, ErrorKind.ConnectionError), (e.ErrorId, e.Kind));
        Assert.Contains("failed while loading schema.sql: Exception while reading from stream.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingListeningIsAnUnreachableServerForTheProbeAndTheSteps()
    {
        var url = DbConnectionUrl.Parse("postgresql://u:pw-Secret9@127.0.0.1:1/cruddur");

        var probe = await DbProbe.TestAsync(url, 5, CancellationToken.None);
        Assert.False(probe.Reachable);
        Assert.Equal(ErrorIds.DbConnectionFailed, probe.ErrorId);
        Assert.DoesNotContain("pw-Secret9", probe.Error, StringComparison.Ordinal);
        Assert.Equal(("127.0.0.1:1", "cruddur", "u"), (probe.Server, probe.Database, probe.User));

        foreach (var step in new[] { DbSetupStep.KillConnections, DbSetupStep.Drop, DbSetupStep.Create })
        {
            var e = await Assert.ThrowsAsync<CruddurException>(() => new DbSetup(new DbSetupRequest(url, [step])).RunAsync(step, new RecordingHost(), CancellationToken.None));
            Assert.Equal(ErrorIds.DbConnectionFailed, e.ErrorId);
        }
    }

    [Fact]
    public void QuotedIdentifiersDoubleTheirQuotes() => Assert.Equal("\"a\"\"b\"", DbSession.QuoteIdentifier("a\"b"));

    [Fact]
    public void AGivenUrlWinsOverTheEnvFileAndProdReadsItsOwnVariable()
    {
        var file = new EnvFile("/p/backend-flask.env", null, ["CONNECTION_URL"], []);
        var values = new Dictionary<string, string> { ["CONNECTION_URL"] = "postgresql://u@from-file/cruddur", ["PROD_CONNECTION_URL"] = "postgresql://u@prod-file/cruddur" };

        Assert.Equal("given", DbConnectionSource.Resolve("postgresql://u@given/cruddur", file, values, DbConnectionSource.Dev).Host);
        Assert.Equal("from-file", DbConnectionSource.Resolve(null, file, values, DbConnectionSource.Dev).Host);
        Assert.Equal("prod-file", DbConnectionSource.Resolve(null, file, values, DbConnectionSource.Prod).Host);
        Assert.Equal("PROD_CONNECTION_URL", DbConnectionSource.VariableFor(DbConnectionSource.Prod));
        Assert.Equal("CONNECTION_URL", DbConnectionSource.VariableFor(DbConnectionSource.Dev));
    }

    [Fact]
    public void AnEnvFileWithoutTheUrlNamesTheFileAndTheVariable()
    {
        var file = new EnvFile("/p/backend-flask.env", null, [], []);

        var e = Assert.Throws<CruddurException>(() => DbConnectionSource.Resolve(null, file, new Dictionary<string, string> { ["CRUDDUR_T_NO_URL"] = "" }, "CRUDDUR_T_NO_URL_ENV"));

        Assert.Equal((ErrorIds.DbConnectionUrlMissing, ErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Contains("'/p/backend-flask.env' has no CONNECTION_URL", e.Message, StringComparison.Ordinal);
        Assert.Contains("Add CONNECTION_URL=postgresql://", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoUrlAnywhereSaysEveryWayToGiveOne()
    {
        var e = Assert.Throws<CruddurException>(() => DbConnectionSource.Resolve(null, null, null, DbConnectionSource.Dev));

        Assert.Equal((ErrorIds.DbConnectionUrlMissing, ErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Contains("set $env:CONNECTION_URL", e.Message, StringComparison.Ordinal);
        Assert.Contains("env file", e.Message, StringComparison.Ordinal);
        Assert.Contains("$env:CONNECTION_URL", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyValueInTheEnvFileFallsBackToTheEnvironment()
    {
        const string name = "CRUDDUR_T_LOOKUP_7";
        Assert.Null(DbConnectionSource.Lookup(name, new Dictionary<string, string> { [name] = "" }));
        Assert.Equal("v", DbConnectionSource.Lookup(name, new Dictionary<string, string> { [name] = "v" }));
        Assert.Null(DbConnectionSource.Lookup(name, null));
    }
}
