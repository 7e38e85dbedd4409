using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Database;

/// <summary>Where a cmdlet's connection URL comes from: -ConnectionUrl, else the piped env file, else the environment.</summary>
public static class DbConnectionSource
{
    public const string Dev = "Dev";
    public const string Prod = "Prod";

    /// <summary>CONNECTION_URL, or PROD_CONNECTION_URL for <see cref="Prod"/>, as the seed's scripts choose.</summary>
    public static string VariableFor(string environment) => environment == Prod ? "PROD_CONNECTION_URL" : "CONNECTION_URL";

    public static DbConnectionUrl Resolve(string? connectionUrl, EnvFile? envFile, IReadOnlyDictionary<string, string>? envFileValues, string environment)
    {
        if (connectionUrl is not null)
        {
            return DbConnectionUrl.Parse(connectionUrl);
        }

        var name = VariableFor(environment);
        if (envFile is not null)
        {
            // The seed's scripts read PROD_CONNECTION_URL from the shell; its env file holds only CONNECTION_URL.
            return DbConnectionUrl.Parse(Lookup(name, envFileValues) ?? throw new CruddurException(ErrorIds.DbConnectionUrlMissing, ErrorKind.InvalidArgument,
                $"The env file '{envFile.Path}' has no {name}, and $env:{name} is not set. Add {name}=postgresql://user:password@host:5432/cruddur to either.",
                target: envFile.Path));
        }

        return DbConnectionUrl.Parse(Lookup(name, null) ?? throw new CruddurException(ErrorIds.DbConnectionUrlMissing, ErrorKind.InvalidArgument,
            $"No database given: pipe in the backend's env file, or set $env:{name} (postgresql://user:password@host:5432/cruddur)."));
    }

    /// <summary>A non-empty value from the env file's values, else from the process environment.</summary>
    public static string? Lookup(string name, IReadOnlyDictionary<string, string>? envFileValues) =>
        envFileValues?.GetValueOrDefault(name) is { Length: > 0 } fromFile ? fromFile
        : Environment.GetEnvironmentVariable(name) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
}
