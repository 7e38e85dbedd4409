using System.Management.Automation;
using Cruddur.Core.Database;
using Cruddur.Core.EnvFiles;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Tests whether the Cruddur database accepts a connection (the seed's db connection test).</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "CruddurDatabase", HelpUri = OnlineHelp.Docs + "Test-CruddurDatabase.md")]
[OutputType(typeof(DbTestResult), typeof(bool))]
public sealed class TestCruddurDatabaseCommand : CruddurCmdlet
{
    /// <summary><para type="description">The database: postgresql://user:password@host:5432/cruddur. Default: the piped env file's CONNECTION_URL, then $env:CONNECTION_URL (PROD_CONNECTION_URL with -Environment Prod).</para></summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionUrl { get; set; }

    /// <summary><para type="description">An env file (New-CruddurEnvFile output, or a path) whose CONNECTION_URL to test.</para></summary>
    [Parameter(ValueFromPipeline = true)]
    [EnvFileTransformation]
    public EnvFile? EnvFile { get; set; }

    /// <summary><para type="description">Prod tests PROD_CONNECTION_URL instead of CONNECTION_URL.</para></summary>
    [Parameter]
    [ValidateSet(DbConnectionSource.Dev, DbConnectionSource.Prod)]
    public string Environment { get; set; } = DbConnectionSource.Dev;

    /// <summary><para type="description">Seconds to wait for the connection. Default: 5.</para></summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int TimeoutSeconds { get; set; } = 5;

    /// <summary><para type="description">Return only $true or $false, for scripts.</para></summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var url = DbConnectionSource.Resolve(ConnectionUrl, EnvFile, EnvFile?.ReadValues(), Environment);
            var result = Run((_, token) => DbProbe.TestAsync(url, TimeoutSeconds, token));
            WriteVerbose(result.Reachable ? $"{result.Url}: PostgreSQL {result.ServerVersion} in {result.Latency.TotalMilliseconds:0} ms." : $"{result.Url}: {result.Error}");
            WriteObject(Quiet ? result.Reachable : result);
        });
    }
}
