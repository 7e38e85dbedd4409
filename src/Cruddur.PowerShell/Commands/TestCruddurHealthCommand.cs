using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Health;
using Cruddur.PowerShell.Arguments;
using Cruddur.Core.Hosting;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Checks a Cruddur backend's /api/health-check endpoint (the seed's bin/flask/health-check).</summary>
[Cmdlet(VerbsDiagnostic.Test, "CruddurHealth", HelpUri = OnlineHelp.Docs + "Test-CruddurHealth.md")]
[OutputType(typeof(HealthCheckResult), typeof(bool))]
[ErrorHint(ErrorIds.HealthUrlInvalid, "Pass the service's address as -Url.")]
public sealed class TestCruddurHealthCommand : CruddurCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Url { get; set; } = SeedDefaults.HealthUrl;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = SeedDefaults.HealthPath;

    /// <summary>How long one attempt may take: seconds (5) or a TimeSpan; -TimeoutSeconds still works.</summary>
    [Parameter]
    [Alias("TimeoutSeconds")]
    [SecondsArgument]
    [ValidateDuration(1, 300)]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    [Parameter]
    [ValidateRange(0, 100)]
    public int RetryCount { get; set; } = 2;

    /// <summary>The pause between attempts: seconds (1, 0.5) or a TimeSpan; -RetryIntervalSeconds still works.</summary>
    [Parameter]
    [Alias("RetryIntervalSeconds")]
    [SecondsArgument]
    [ValidateDuration(0, 300)]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var request = new HealthCheckRequest(HealthCheck.BuildUrl(Url, Path), Timeout, RetryCount, RetryInterval);
            var result = Run((host, token) => HealthCheck.CheckAsync(request, host, token));
            WriteVerbose(result.Healthy ? $"{result.Url} is healthy ({result.Latency.TotalMilliseconds:0} ms)." : $"{result.Url} is not healthy after {result.Attempts} attempt(s): {result.Error}");
            WriteObject(Quiet ? result.Healthy : result);
        });
    }
}
