using System.Diagnostics;
using Cruddur.Core.Hosting;
using Npgsql;

namespace Cruddur.Core.Database;

/// <summary>The outcome of one connection attempt. Never holds the password.</summary>
public sealed class DbTestResult
{
    internal DbTestResult(DbConnectionUrl url, bool reachable, string? serverVersion, TimeSpan latency, string? error, string? errorId)
    {
        Url = url.ToString();
        Server = $"{url.Host}:{url.Port}";
        Database = url.Database;
        User = url.User;
        Reachable = reachable;
        ServerVersion = serverVersion;
        Latency = latency;
        Error = error;
        ErrorId = errorId;
    }

    /// <summary>The URL without its password.</summary>
    public string Url { get; }

    public string Server { get; }

    public string Database { get; }

    public string User { get; }

    /// <summary>True when a connection opened and answered a query.</summary>
    public bool Reachable { get; }

    public string? ServerVersion { get; }

    /// <summary>Connect, authenticate and one round trip.</summary>
    public TimeSpan Latency { get; }

    public string? Error { get; }

    /// <summary>DbConnectionFailed, DbAuthenticationFailed, DbDatabaseNotFound or DbCommandFailed.</summary>
    public string? ErrorId { get; }
}

/// <summary>The seed's connection test (psycopg.connect(CONNECTION_URL)): can we connect, and to what.</summary>
public static class DbProbe
{
    public static async Task<DbTestResult> TestAsync(DbConnectionUrl url, int timeoutSeconds, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var connection = await DbSession.OpenAsync(url, cancellationToken, timeoutSeconds).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SHOW server_version", connection);
            var version = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return new DbTestResult(url, true, version, Stopwatch.GetElapsedTime(started), null, null);
        }
        catch (NpgsqlException e)
        {
            var failure = DbSession.Failed(url, "answering a query", e);
            return new DbTestResult(url, false, null, Stopwatch.GetElapsedTime(started), failure.Message, failure.ErrorId);
        }
        catch (CruddurException e)
        {
            return new DbTestResult(url, false, null, Stopwatch.GetElapsedTime(started), e.Message, e.ErrorId);
        }
    }
}
