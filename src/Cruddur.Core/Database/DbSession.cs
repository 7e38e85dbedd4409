using Cruddur.Core.Hosting;
using Npgsql;

namespace Cruddur.Core.Database;

/// <summary>Opening connections and turning driver failures into Cruddur errors that never contain the password.</summary>
internal static class DbSession
{
    public static async Task<NpgsqlConnection> OpenAsync(DbConnectionUrl url, CancellationToken cancellationToken, int? timeoutSeconds = null)
    {
        var connection = new NpgsqlConnection(url.ToConnectionString(timeoutSeconds));
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw ConnectFailed(url, e);
        }
    }

    public static async Task<bool> DatabaseExistsAsync(NpgsqlConnection maintenance, string database, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", maintenance);
        command.Parameters.Add(new NpgsqlParameter { Value = database });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A failure to connect: wrong password, no such database, or no server there.</summary>
    public static CruddurException ConnectFailed(DbConnectionUrl url, Exception e)
    {
        var detail = url.Scrub(Describe(e));
        return e switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } =>
                new CruddurException(ErrorIds.DbAuthenticationFailed, ErrorKind.AuthenticationError,
                    $"PostgreSQL at {url} refused user '{url.User}': {detail}. Check the user and password in the connection URL.", target: url.ToString()),
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } =>
                new CruddurException(ErrorIds.DbDatabaseNotFound, ErrorKind.ObjectNotFound,
                    $"The database '{url.Database}' does not exist on {url.Host}:{url.Port}. Create it with Invoke-CruddurDbSetup (its Create step).", target: url.ToString()),
            PostgresException => Failed(url, "connecting", e),
            _ => new CruddurException(ErrorIds.DbConnectionFailed, ErrorKind.ConnectionError,
                $"Could not reach PostgreSQL at {url}: {detail}. Check the host and port and that the server is running.", target: url.ToString()),
        };
    }

    /// <summary>A statement the server rejected, or a connection lost while it ran.</summary>
    public static CruddurException Failed(DbConnectionUrl url, string doing, Exception e) => e is PostgresException
        ? new CruddurException(ErrorIds.DbCommandFailed, ErrorKind.InvalidOperation, $"PostgreSQL at {url} failed {doing}: {url.Scrub(Describe(e))}.", target: url.ToString())
        : new CruddurException(ErrorIds.DbConnectionFailed, ErrorKind.ConnectionError,
            $"The connection to PostgreSQL at {url} failed while {doing}: {url.Scrub(Describe(e))}.", target: url.ToString());

    /// <summary>The server's message and SQLSTATE, or the innermost network error; no connection string.</summary>
    public static string Describe(Exception e)
    {
        if (e is PostgresException p)
        {
            return $"{p.MessageText} (SQLSTATE {p.SqlState})";
        }

        var inner = e;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner == e ? e.Message : $"{e.Message} {inner.Message}";
    }
}
