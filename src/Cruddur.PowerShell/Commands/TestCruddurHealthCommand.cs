using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Health;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Checks a Cruddur backend's /api/health-check endpoint (the seed's bin/flask/health-check).</summary>
[Cmdlet(VerbsDiagnostic.Test, "CruddurHealth", HelpUri = OnlineHelp.Docs + "Test-CruddurHealth.md")]
[OutputType(typeof(HealthCheckResult), typeof(bool))]
public sealed class TestCruddurHealthCommand : CruddurCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Url { get; set; } = SeedDefaults.HealthUrl;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = SeedDefaults.HealthPath;

    [Parameter]
    [ValidateRange(1, 300)]
    public int TimeoutSeconds { get; set; } = 5;

    [Parameter]
    [ValidateRange(0, 100)]
    public int RetryCount { get; set; } = 2;

    [Parameter]
    [ValidateRange(0, 300)]
    public double RetryIntervalSeconds { get; set; } = 1;

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var request = new HealthCheckRequest(HealthCheck.BuildUrl(Url, Path), TimeSpan.FromSeconds(TimeoutSeconds), RetryCount, TimeSpan.FromSeconds(RetryIntervalSeconds));
            var result = Run((host, token) => HealthCheck.CheckAsync(request, host, token));
            WriteVerbose(result.Healthy ? $"{result.Url} is healthy ({result.Latency.TotalMilliseconds:0} ms)." : $"{result.Url} is not healthy after {result.Attempts} attempt(s): {result.Error}");
            WriteObject(Quiet ? result.Healthy : result);
        });
    }
}
