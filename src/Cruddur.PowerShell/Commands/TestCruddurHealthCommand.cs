using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Health;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Checks a Cruddur backend's /api/health-check endpoint (the seed's bin/flask/health-check).</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "CruddurHealth", HelpUri = OnlineHelp.Docs + "Test-CruddurHealth.md")]
[OutputType(typeof(HealthCheckResult), typeof(bool))]
public sealed class TestCruddurHealthCommand : CruddurCmdlet
{
    /// <summary><para type="description">The service's base URL. Default: http://localhost:4567, where the Flask backend listens.</para></summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Url { get; set; } = SeedDefaults.HealthUrl;

    /// <summary><para type="description">The health-check path. Default: /api/health-check.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = SeedDefaults.HealthPath;

    /// <summary><para type="description">Seconds to wait for each answer. Default: 5.</para></summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int TimeoutSeconds { get; set; } = 5;

    /// <summary><para type="description">How many more times to try after an unhealthy answer. Default: 2.</para></summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int RetryCount { get; set; } = 2;

    /// <summary><para type="description">Seconds between attempts. Default: 1.</para></summary>
    [Parameter]
    [ValidateRange(0, 300)]
    public double RetryIntervalSeconds { get; set; } = 1;

    /// <summary><para type="description">Return only $true or $false, for scripts and container health checks.</para></summary>
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
