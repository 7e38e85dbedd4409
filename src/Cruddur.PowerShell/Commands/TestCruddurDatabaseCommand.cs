using System.Management.Automation;
using Cruddur.Core.Database;
using Cruddur.Core.EnvFiles;
using Cruddur.PowerShell.Arguments;
using Cruddur.Core.Hosting;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Tests whether the Cruddur database accepts a connection (the seed's db connection test).</summary>
[Cmdlet(VerbsDiagnostic.Test, "CruddurDatabase", HelpUri = OnlineHelp.Docs + "Test-CruddurDatabase.md")]
[OutputType(typeof(DbTestResult), typeof(bool))]
[ErrorHint(ErrorIds.DbConnectionUrlMissing, CommonHints.ConnectionUrlMissing)]
public sealed class TestCruddurDatabaseCommand : CruddurCmdlet
{
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionUrl { get; set; }

    [Parameter(ValueFromPipeline = true)]
    [EnvFileTransformation]
    public EnvFile? EnvFile { get; set; }

    [Parameter]
    [ValidateSet(DbConnectionSource.Dev, DbConnectionSource.Prod)]
    public string Environment { get; set; } = DbConnectionSource.Dev;

    /// <summary>How long connecting may take: seconds (5) or a TimeSpan; -TimeoutSeconds still works.</summary>
    [Parameter]
    [Alias("TimeoutSeconds")]
    [SecondsArgument]
    [ValidateDuration(1, 300)]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var url = DbConnectionSource.Resolve(ConnectionUrl, EnvFile, EnvFile?.ReadValues(), Environment);
            var result = Run((_, token) => DbProbe.TestAsync(url, (int)Math.Ceiling(Timeout.TotalSeconds), token));
            WriteVerbose(result.Reachable ? $"{result.Url}: PostgreSQL {result.ServerVersion} in {result.Latency.TotalMilliseconds:0} ms." : $"{result.Url}: {result.Error}");
            WriteObject(Quiet ? result.Reachable : result);
        });
    }
}
