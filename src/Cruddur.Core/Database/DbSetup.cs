using System.Diagnostics;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Npgsql;

namespace Cruddur.Core.Database;

/// <summary>The seed's bin/postgresdb scripts, in the order its setup script runs them (kill-all first).</summary>
public enum DbSetupStep
{
    KillConnections,
    Drop,
    Create,
    Schema,
    Seed,
    CognitoUserIds,
}

/// <summary>What Invoke-CruddurDbSetup was asked to do.</summary>
public sealed class DbSetupRequest
{
    public DbSetupRequest(DbConnectionUrl url, IReadOnlyCollection<DbSetupStep> steps)
    {
        Url = url;
        Steps = steps;
    }

    public DbConnectionUrl Url { get; }

    public IReadOnlyCollection<DbSetupStep> Steps { get; }

    public string? SchemaPath { get; init; }

    public string? SeedPath { get; init; }

    public string? UserPoolId { get; init; }

    /// <summary>Allows the destructive steps (<see cref="DbSetup.IsDestructive"/>) against a host that is not local.</summary>
    public bool Force { get; init; }

}

/// <summary>What one step did.</summary>
public sealed class DbSetupResult
{
    internal DbSetupResult(DbSetupStep step, DbConnectionUrl url, string status, TimeSpan duration, string message)
    {
        Step = step.ToString();
        Database = url.Database;
        Server = $"{url.Host}:{url.Port}";
        Status = status;
        Duration = duration;
        Message = message;
    }

    public string Step { get; }

    public string Database { get; }

    /// <summary>host:port.</summary>
    public string Server { get; }

    /// <summary>Succeeded, or Skipped when there was nothing to do (no database to drop).</summary>
    public string Status { get; }

    public TimeSpan Duration { get; }

    /// <summary>Statements run (Schema, Seed).</summary>
    public int Statements { get; init; }

    /// <summary>Rows inserted/updated (Seed, CognitoUserIds) or connections terminated (KillConnections).</summary>
    public long RowsAffected { get; init; }

    /// <summary>CognitoUserIds: Cognito users whose preferred_username matched a handle in public.users.</summary>
    public int? Matched { get; init; }

    /// <summary>CognitoUserIds: Cognito users with no matching handle.</summary>
    public int? Unmatched { get; init; }

    public string Message { get; }
}

/// <summary>
/// Creates and loads the Cruddur database as the seed's bin/postgresdb/setup does: kill-all, drop, create, schema-load,
/// seed, update_cognito_user_ids. Everything that can be checked is checked before the first step changes anything.
/// </summary>
public sealed class DbSetup
{
    private const int ProgressId = 7001;
    private static readonly string[] ProtectedDatabases = [DbConnectionUrl.MaintenanceDatabase, "template0", "template1"];
    private readonly DbSetupRequest _request;
    private readonly Func<IOperationHost, ICognitoClient>? _cognito;
    private readonly Lazy<SqlScript> _schema;
    private readonly Lazy<SqlScript> _seed;

    /// <param name="app">The workflows of the command, made for the host of the step that runs: the CognitoUserIds step
    /// asks it for Cognito.</param>
    public DbSetup(DbSetupRequest request, Func<IOperationHost, CruddurApp> app)
        : this(request, host => app(host).Cognito())
    {
    }

    /// <param name="cognito">The Cognito client for the CognitoUserIds step, made for the host of the step that runs it.</param>
    internal DbSetup(DbSetupRequest request, Func<IOperationHost, ICognitoClient>? cognito = null)
    {
        _request = request;
        _cognito = cognito;
        _schema = new Lazy<SqlScript>(() => LoadScript(request.SchemaPath, "schema", SeedDefaults.SchemaPath));
        _seed = new Lazy<SqlScript>(() => LoadScript(request.SeedPath, "seed", SeedDefaults.SeedPath));
    }

    private DbConnectionUrl Url => _request.Url;

    private string UserPoolId => string.IsNullOrEmpty(_request.UserPoolId)
        ? throw new CruddurException(ErrorIds.DbUserPoolIdMissing, ErrorKind.InvalidArgument,
            "The CognitoUserIds step needs a Cognito user pool: set AWS_COGNITO_USER_POOL_ID.")
        : _request.UserPoolId;

    /// <summary>
    /// The one rule for destructive database work: steps that drop, kill, or run the user's SQL files (the seed's
    /// schema.sql starts with DROP TABLE). On a host that is not local they need -Force and a high-impact confirmation.
    /// </summary>
    internal static bool IsDestructive(DbSetupStep step) => step is DbSetupStep.KillConnections or DbSetupStep.Drop or DbSetupStep.Schema or DbSetupStep.Seed;

    /// <summary>Whether <paramref name="step"/> on this host asks at ConfirmImpact High: KillConnections and Drop anywhere, every destructive step on a host that is not local.</summary>
    public static bool IsHighImpact(DbSetupStep step, bool localHost) =>
        step is DbSetupStep.KillConnections or DbSetupStep.Drop || (!localHost && IsDestructive(step));

    /// <summary>
    /// Checks the request (files readable, user pool given, host allowed) and asks about each step. Returns the steps to
    /// run in the seed's order; none under -WhatIf. Connects to nothing.
    /// </summary>
    public IReadOnlyList<DbSetupStep> Prepare(IOperationHost host)
    {
        var steps = Enum.GetValues<DbSetupStep>().Where(_request.Steps.Contains).ToList();
        var destructive = steps.Where(IsDestructive).ToList();
        if (destructive.Count > 0 && !Url.IsLocal && !_request.Force)
        {
            throw new CruddurException(ErrorIds.DbRemoteHostNeedsForce, ErrorKind.InvalidOperation,
                $"{string.Join(" and ", destructive)} would act on '{Url.Database}' at {Url.Host}, which is not this machine; nothing was done.",
                target: Url.ToString());
        }

        if (steps.Any(s => s is DbSetupStep.KillConnections or DbSetupStep.Drop or DbSetupStep.Create) && ProtectedDatabases.Contains(Url.Database, StringComparer.Ordinal))
        {
            throw new CruddurException(ErrorIds.DbDatabaseProtected, ErrorKind.InvalidArgument,
                $"'{Url.Database}' is a PostgreSQL system database; its connections are not killed and it cannot be dropped or created. Put the application's database in the URL, e.g. .../{SeedDefaults.Database}.",
                target: Url.ToString());
        }

        if (steps.Contains(DbSetupStep.Schema))
        {
            _ = _schema.Value;
        }

        if (steps.Contains(DbSetupStep.Seed))
        {
            _ = _seed.Value;
        }

        if (steps.Contains(DbSetupStep.CognitoUserIds))
        {
            _ = UserPoolId;
        }

        return steps.Where(step => host.ShouldProcess($"database '{Url.Database}' at {Url.Host}:{Url.Port}", Describe(step))).ToList();
    }

    public async Task<DbSetupResult> RunAsync(DbSetupStep step, IOperationHost host, CancellationToken cancellationToken)
    {
        host.WriteProgress(new ProgressUpdate(ProgressId, "Setting up the Cruddur database", $"{step}: {Describe(step)}"));
        try
        {
            return step switch
            {
                DbSetupStep.KillConnections => await KillConnectionsAsync(host, cancellationToken).ConfigureAwait(false),
                DbSetupStep.Drop => await DropAsync(host, cancellationToken).ConfigureAwait(false),
                DbSetupStep.Create => await CreateAsync(host, cancellationToken).ConfigureAwait(false),
                DbSetupStep.Schema => await LoadAsync(step, _schema.Value, host, cancellationToken).ConfigureAwait(false),
                DbSetupStep.Seed => await LoadAsync(step, _seed.Value, host, cancellationToken).ConfigureAwait(false),
                _ => await new CognitoUserLink(
                        (_cognito ?? throw new InvalidOperationException("The CognitoUserIds step needs a Cognito client."))(host), host)
                    .LinkAsync(Url, UserPoolId, cancellationToken).ConfigureAwait(false),
            };
        }
        finally
        {
            host.WriteProgress(new ProgressUpdate(ProgressId, "Setting up the Cruddur database", step.ToString(), Completed: true));
        }
    }

    private string Describe(DbSetupStep step) => step switch
    {
        DbSetupStep.KillConnections => "Terminate the other connections to the database",
        DbSetupStep.Drop => "Drop the database",
        DbSetupStep.Create => "Create the database",
        DbSetupStep.Schema => $"Load the schema {_request.SchemaPath}",
        DbSetupStep.Seed => $"Load the seed data {_request.SeedPath}",
        _ => $"Set public.users.cognito_user_id from the Cognito user pool {_request.UserPoolId}",
    };

    private static SqlScript LoadScript(string? path, string what, string seedPath)
    {
        if (path is null || !File.Exists(path))
        {
            throw new CruddurException(ErrorIds.DbScriptNotFound, ErrorKind.ObjectNotFound,
                $"The {what} file '{path}' does not exist. Pass -{char.ToUpperInvariant(what[0])}{what[1..]}Path, or run from the project root that holds {seedPath}.",
                target: path);
        }

        return SqlScript.Load(path);
    }

    private async Task<DbSetupResult> KillConnectionsAsync(IOperationHost host, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await using (var maintenance = await DbSession.OpenAsync(Url.WithDatabase(DbConnectionUrl.MaintenanceDatabase), cancellationToken).ConfigureAwait(false))
        {
            if (!await DbSession.DatabaseExistsAsync(maintenance, Url.Database, cancellationToken).ConfigureAwait(false))
            {
                return new DbSetupResult(DbSetupStep.KillConnections, Url, "Skipped", Stopwatch.GetElapsedTime(started), "The database does not exist.");
            }
        }

        // As the seed's kill-all does: from inside the database, every backend but our own.
        await using var connection = await DbSession.OpenAsync(Url, cancellationToken).ConfigureAwait(false);
        long killed;
        try
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
                connection);
            killed = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (NpgsqlException e)
        {
            throw DbSession.Failed(Url, "terminating connections", e);
        }

        host.WriteVerbose($"Terminated {killed} other connection(s) to '{Url.Database}'.");
        return new DbSetupResult(DbSetupStep.KillConnections, Url, "Succeeded", Stopwatch.GetElapsedTime(started), $"Terminated {killed} connection(s).")
        {
            RowsAffected = killed,
        };
    }

    private async Task<DbSetupResult> DropAsync(IOperationHost host, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await using var maintenance = await DbSession.OpenAsync(Url.WithDatabase(DbConnectionUrl.MaintenanceDatabase), cancellationToken).ConfigureAwait(false);
        if (!await DbSession.DatabaseExistsAsync(maintenance, Url.Database, cancellationToken).ConfigureAwait(false))
        {
            return new DbSetupResult(DbSetupStep.Drop, Url, "Skipped", Stopwatch.GetElapsedTime(started), "The database did not exist.");
        }

        try
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE {DbSession.QuoteIdentifier(Url.Database)}", maintenance);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse)
        {
            throw new CruddurException(ErrorIds.DbDatabaseInUse, ErrorKind.ResourceUnavailable,
                $"'{Url.Database}' at {Url.Host}:{Url.Port} cannot be dropped while other sessions use it ({e.Detail ?? e.MessageText}). Run the KillConnections step before it, or close them.",
                target: Url.ToString());
        }
        catch (NpgsqlException e)
        {
            throw DbSession.Failed(Url, "dropping the database", e);
        }

        host.WriteVerbose($"Dropped '{Url.Database}'.");
        return new DbSetupResult(DbSetupStep.Drop, Url, "Succeeded", Stopwatch.GetElapsedTime(started), "Dropped.");
    }

    private async Task<DbSetupResult> CreateAsync(IOperationHost host, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await using var maintenance = await DbSession.OpenAsync(Url.WithDatabase(DbConnectionUrl.MaintenanceDatabase), cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand($"CREATE DATABASE {DbSession.QuoteIdentifier(Url.Database)}", maintenance);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            throw new CruddurException(ErrorIds.DbDatabaseExists, ErrorKind.ResourceExists,
                $"'{Url.Database}' already exists at {Url.Host}:{Url.Port}; the Drop step before Create recreates it.",
                target: Url.ToString());
        }
        catch (NpgsqlException e)
        {
            throw DbSession.Failed(Url, "creating the database", e);
        }

        host.WriteVerbose($"Created '{Url.Database}'.");
        return new DbSetupResult(DbSetupStep.Create, Url, "Succeeded", Stopwatch.GetElapsedTime(started), "Created.");
    }

    /// <summary>
    /// Runs the file's statements one by one, as psql does, inside one transaction: all of it is applied, or none. One at
    /// a time, so the statement that failed is known and the server's position in it maps to the file's line and column.
    /// </summary>
    private async Task<DbSetupResult> LoadAsync(DbSetupStep step, SqlScript script, IOperationHost host, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await using var connection = await DbSession.OpenAsync(Url, cancellationToken).ConfigureAwait(false);
        long rows = 0;
        SqlStatement? current = null;
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var statement in script.Statements)
            {
                current = statement;
                await using var command = new NpgsqlCommand(statement.Text, connection, transaction);
                rows += Math.Max(await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false), 0);
            }

            current = null;

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            throw ScriptFailed(step, script, current, e);
        }
        catch (NpgsqlException e)
        {
            throw DbSession.Failed(Url, $"loading {script.Path} (nothing of it was applied)", e);
        }

        host.WriteVerbose($"Ran {script.Statements.Count} statement(s) of {script.Path} in one transaction; {rows} row(s) affected.");
        return new DbSetupResult(step, Url, "Succeeded", Stopwatch.GetElapsedTime(started), $"Loaded {Path.GetFileName(script.Path)}.")
        {
            Statements = script.Statements.Count,
            RowsAffected = rows,
        };
    }

    private CruddurException ScriptFailed(DbSetupStep step, SqlScript script, SqlStatement? statement, PostgresException e)
    {
        var where = script.Path;
        if (statement is not null)
        {
            // The server's position counts characters from 1 within the statement; without one, the statement's start.
            var (line, column) = script.LineColumnOf(statement.Offset + Math.Max(e.Position - 1, 0));
            where = $"{script.Path}:{line}:{column}";
        }

        var detail = e.Detail is null ? string.Empty : $" {e.Detail}";
        return new CruddurException(ErrorIds.DbScriptFailed, ErrorKind.InvalidData,
            $"{where}: {e.MessageText}{Url.Scrub(detail)} (SQLSTATE {e.SqlState}). The {step} step was rolled back: nothing of {Path.GetFileName(script.Path)} was applied to '{Url.Database}'.",
            target: script.Path);
    }
}
