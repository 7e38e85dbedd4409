using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cruddur.Core.Database;
using Npgsql;

namespace Cruddur.Core.Tests.Database;

/// <summary>
/// A throwaway PostgreSQL server on a free loopback port for the tests that need a real one (the DbSetup steps).
/// Its data folder is a copy of the stack harness's initialised template when there is one (initdb is the slow part),
/// else made with initdb; authentication is trust, so URLs carry a password only to show it never leaks. Stopped (fast
/// shutdown) and deleted on dispose.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("cruddur-pgtest-").FullName;
    // $0: this test host's pid; $1: the folder; then the server's command line. Prints the server's pid first.
    private const string Guard = "root=$1; shift; \"$@\" & server=$!; echo $server; " +
        "while kill -0 $0 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 1; done; " +
        "kill -INT $server 2>/dev/null; wait $server; kill -0 $0 2>/dev/null || rm -rf \"$root\"";

    private Process? _postgres; // the guard
    private int _serverPid;

    public int Port { get; private set; }

    /// <summary>postgresql://postgres:pw-secret@127.0.0.1:port/<paramref name="database"/>.</summary>
    public DbConnectionUrl Url(string database) => DbConnectionUrl.Parse($"postgresql://postgres:pw-secret@127.0.0.1:{Port}/{database}");

    public async Task InitializeAsync()
    {
        // postgres refuses to run as root: then it runs as the postgres account.
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var data = Path.Combine(_root, "data");
        var template = Directory.GetDirectories(Path.GetTempPath(), "cruddur-pg-template-*").FirstOrDefault(d => File.Exists(Path.Combine(d, "PG_VERSION")));
        if (template is not null)
        {
            await Run("cp", ["-a", template, data]);
        }
        else
        {
            if (runAs is not null)
            {
                await Run("chown", [runAs, _root]);
            }

            await Run(runAs, "initdb", ["-D", data, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "-N"]);
        }

        File.WriteAllText(Path.Combine(data, "pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\n");
        if (runAs is not null)
        {
            await Run("chown", ["-R", runAs, _root]);
        }

        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        // Under a guard shell: if this test host dies without DisposeAsync (a killed run, a mutation run's timeout), the
        // guard stops the server and deletes its folder, so none outlives the tests.
        var server = Spec(runAs, "postgres", ["-D", data, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-h", "127.0.0.1", "-k", _root,
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        var guard = Spec(null, "sh", ["-c", Guard, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), _root, server.FileName, .. server.ArgumentList]);
        _postgres = Process.Start(guard)!;
        _serverPid = int.Parse((await _postgres.StandardOutput.ReadLineAsync())!, System.Globalization.CultureInfo.InvariantCulture);
        // Read and dropped, so a full pipe never blocks the server.
        _ = _postgres.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        _ = _postgres.StandardError.BaseStream.CopyToAsync(Stream.Null);
        var ready = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(Url("postgres").ToConnectionString(2));
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (ready.Elapsed < TimeSpan.FromSeconds(60) && !_postgres.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_postgres is { HasExited: false })
        {
            await Run("kill", ["-INT", _serverPid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _postgres.WaitForExitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                _postgres.Kill(entireProcessTree: true);
            }
        }

        _postgres?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Runs one statement in <paramref name="database"/>; returns the first column of the first row.</summary>
    public async Task<object?> QueryAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(Url(database).ToConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static ProcessStartInfo Spec(string? runAs, string program, IEnumerable<string> arguments)
    {
        var spec = new ProcessStartInfo(runAs is null ? program : "setpriv") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (runAs is not null)
        {
            foreach (var a in new[] { "--reuid", runAs, "--regid", runAs, "--init-groups", program })
            {
                spec.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            spec.ArgumentList.Add(a);
        }

        return spec;
    }

    private static Task Run(string program, IEnumerable<string> arguments) => Run(null, program, arguments);

    private static async Task Run(string? runAs, string program, IEnumerable<string> arguments)
    {
        using var process = Process.Start(Spec(runAs, program, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} failed: {await output}{await error}");
    }
}
