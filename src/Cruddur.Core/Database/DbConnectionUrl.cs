using System.Net;
using System.Net.Sockets;
using Cruddur.Core.Hosting;
using Npgsql;

namespace Cruddur.Core.Database;

/// <summary>
/// A parsed <c>postgresql://user:pass@host:port/db?sslmode=...</c> URL, the form the Cruddur workflow keeps in
/// CONNECTION_URL. <see cref="ToString"/> and every other public member leave the password out; only
/// <see cref="ToConnectionString"/> carries it, for Npgsql alone.
/// </summary>
public sealed class DbConnectionUrl
{
    public const int DefaultPort = 5432;

    /// <summary>The database that Create and Drop connect to (a database cannot drop itself).</summary>
    public const string MaintenanceDatabase = "postgres";

    /// <summary>The form error messages show: the seed's database on the default port.</summary>
    private static readonly string Example = $"postgresql://user:password@host:{DefaultPort}/{SeedDefaults.Database}";
    private static readonly string[] Schemes = ["postgresql://", "postgres://"];
    private static readonly string[] SslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
    private readonly string? _password;
    private readonly string? _sslMode;
    private readonly int? _connectTimeout;
    private readonly string? _applicationName;

    private DbConnectionUrl(string host, int port, string database, string user, string? password, string? sslMode, int? connectTimeout, string? applicationName)
    {
        Host = host;
        Port = port;
        Database = database;
        User = user;
        _password = password;
        _sslMode = sslMode;
        _connectTimeout = connectTimeout;
        _applicationName = applicationName;
    }

    public string Host { get; }

    public int Port { get; }

    public string Database { get; }

    public string User { get; }

    public bool HasPassword => !string.IsNullOrEmpty(_password);

    /// <summary>
    /// True for this machine (localhost, 127.0.0.0/8, ::1) and for the compose service name <c>db</c>: the hosts where
    /// dropping a database is a development routine, not an accident.
    /// </summary>
    public bool IsLocal => IsLocalHost(Host);

    /// <summary>Replaces the password (raw and percent-encoded) in text that may have picked it up, e.g. a driver error.</summary>
    public string Scrub(string text) => ScrubSecret(text, _password);

    /// <summary>The same server and credentials, another database (the maintenance database for Create and Drop).</summary>
    public DbConnectionUrl WithDatabase(string database) =>
        new(Host, Port, database, User, _password, _sslMode, _connectTimeout, _applicationName);

    /// <summary>Npgsql's connection string. Holds the password: never log, show or put it in an error.</summary>
    internal string ToConnectionString(int? timeoutSeconds = null)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = Database,
            Username = User,
            Password = _password,
            ApplicationName = _applicationName ?? "Cruddur",
            // Pooled idle connections to the database would keep the next Drop from succeeding.
            Pooling = false,
            Timeout = timeoutSeconds ?? _connectTimeout ?? 15,
            CommandTimeout = 0, // long seeds are stopped by Ctrl+C (the cancellation token), not by a clock
            PersistSecurityInfo = false,
            // The server's DETAIL names the conflicting key of a failed seed; errors are still scrubbed of the password.
            IncludeErrorDetail = true,
        };
        if (_sslMode is not null)
        {
            builder.SslMode = Enum.Parse<SslMode>(_sslMode.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true);
        }

        return builder.ConnectionString;
    }

    /// <summary>postgresql://user@host:port/db — the password is never part of it.</summary>
    public override string ToString()
    {
        var host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return $"postgresql://{Uri.EscapeDataString(User)}@{host}:{Port}/{Uri.EscapeDataString(Database)}";
    }

    public static DbConnectionUrl Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var scheme = Schemes.FirstOrDefault(s => url.StartsWith(s, StringComparison.OrdinalIgnoreCase));
        if (scheme is null)
        {
            var given = url.Contains("://", StringComparison.Ordinal) ? url[..url.IndexOf("://", StringComparison.Ordinal)] : "none";
            throw Invalid(url, $"its scheme is '{given}', not postgresql:// or postgres://");
        }

        // The user info ends at the last '@' (a generated password may hold an unencoded '/', '?' or '#'), and only then
        // are path and query split off what follows it.
        var rest = url[scheme.Length..];
        var at = rest.LastIndexOf('@');
        var (user, password) = at >= 0 ? SplitUserInfo(rest[..at]) : (null, null);
        rest = rest[(at + 1)..];

        var query = string.Empty;
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash >= 0 ? rest[..slash] : rest;
        var path = slash >= 0 ? rest[(slash + 1)..] : string.Empty;

        var (host, portText) = SplitHostPort(url, authority);
        if (host.Length == 0)
        {
            throw Invalid(url, "it names no host; write it as " + Example);
        }

        var port = DefaultPort;
        if (portText is not null && (!int.TryParse(portText, System.Globalization.NumberStyles.None, null, out port) || port is < 1 or > 65535))
        {
            throw Invalid(url, $"its port '{portText}' is not a number from 1 to 65535");
        }

        user = string.IsNullOrEmpty(user) ? "postgres" : user;
        var database = Decode(path);
        // As libpq does: no database means the user's own.
        database = database.Length == 0 ? user : database;
        if (database.Any(char.IsControl) || host.Any(char.IsControl) || user.Any(char.IsControl))
        {
            throw Invalid(url, "its user, host or database name holds a control character (such as NUL or a newline)");
        }

        var (sslMode, connectTimeout, applicationName) = ParseOptions(url, query);
        return new DbConnectionUrl(host, port, database, user, password, sslMode, connectTimeout, applicationName);
    }

    /// <summary>user[:password], each percent-decoded; no ':' means no password.</summary>
    private static (string? User, string? Password) SplitUserInfo(string userInfo)
    {
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? (Decode(userInfo[..colon]), Decode(userInfo[(colon + 1)..])) : (Decode(userInfo), null);
    }

    /// <summary>The query's sslmode, connect_timeout and application_name; any other option is an error.</summary>
    private static (string? SslMode, int? ConnectTimeout, string? ApplicationName) ParseOptions(string url, string query)
    {
        string? sslMode = null;
        int? connectTimeout = null;
        string? applicationName = null;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(eq >= 0 ? pair[..eq] : pair);
            var value = eq >= 0 ? Decode(pair[(eq + 1)..]) : string.Empty;
            switch (name)
            {
                case "sslmode" when SslModes.Contains(value, StringComparer.Ordinal):
                    sslMode = value;
                    break;
                case "sslmode":
                    throw Invalid(url, $"sslmode '{value}' is not one of {string.Join(", ", SslModes)}");
                case "connect_timeout" when int.TryParse(value, System.Globalization.NumberStyles.None, null, out var seconds):
                    connectTimeout = seconds;
                    break;
                case "connect_timeout":
                    throw Invalid(url, $"connect_timeout '{value}' is not a whole number of seconds");
                case "application_name":
                    applicationName = value;
                    break;
                default:
                    throw Invalid(url, $"the option '{name}' is not supported (supported: sslmode, connect_timeout, application_name)");
            }
        }

        return (sslMode, connectTimeout, applicationName);
    }

    internal static string ScrubSecret(string text, string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return text;
        }

        text = text.Replace(secret, "***", StringComparison.Ordinal);
        return text.Replace(Uri.EscapeDataString(secret), "***", StringComparison.Ordinal);
    }

    internal static bool IsLocalHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || host == "db")
        {
            return true;
        }

        return IPAddress.TryParse(host, out var address) && (address.AddressFamily == AddressFamily.InterNetwork
            ? address.GetAddressBytes()[0] == 127
            : address.Equals(IPAddress.IPv6Loopback));
    }

    private static (string Host, string? Port) SplitHostPort(string url, string authority)
    {
        if (authority.Contains(',', StringComparison.Ordinal))
        {
            throw Invalid(url, "it names several hosts; pass one host");
        }

        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Invalid(url, "its IPv6 host has no closing ']'");
            }

            var after = authority[(close + 1)..];
            if (after.Length > 0 && !after.StartsWith(':'))
            {
                throw Invalid(url, $"text follows its IPv6 host; write [::1]:{DefaultPort}");
            }

            return (authority[1..close], after.Length > 0 ? after[1..] : null);
        }

        var colon = authority.LastIndexOf(':');
        return colon >= 0 ? (Decode(authority[..colon]), authority[(colon + 1)..]) : (Decode(authority), null);
    }

    // A malformed escape is kept as written.
    private static string Decode(string text) => Uri.UnescapeDataString(text);

    private static CruddurException Invalid(string url, string why)
    {
        // Without a scheme the redaction rule cannot see a URL: then everything before the last '@' is hidden.
        var shown = url.Contains("://", StringComparison.Ordinal) ? Redaction.Redact(url)
            : url.Contains('@', StringComparison.Ordinal) ? Redaction.Mask + url[url.LastIndexOf('@')..] : url;
        return new CruddurException(ErrorIds.DbConnectionUrlInvalid, ErrorKind.InvalidArgument,
            $"The connection URL '{shown}' is not usable: {why}. The form is {Example}?sslmode=require.", target: shown);
    }
}
