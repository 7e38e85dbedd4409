using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;
using Cruddur.Core.Edge;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// Creates the seed's one-time AWS set-up (log group, cluster, ECR repositories, IAM roles, security group) and, with -Domain,
/// its public edge (load balancer, HTTPS, DNS), idempotently; with -Strategy BlueGreen (Linear, Canary) the edge ECS shifts
/// traffic in.
/// </summary>
[Cmdlet(VerbsData.Initialize, "CruddurInfrastructure", SupportsShouldProcess = true, DefaultParameterSetName = BaseSet, HelpUri = OnlineHelp.Docs + "Initialize-CruddurInfrastructure.md")]
[OutputType(typeof(InfrastructureResource))]
[ErrorHint(ErrorIds.EdgeCertificateNotFound, "Pass an existing -CertificateArn, or leave it out to request one.")]
[ErrorHint(ErrorIds.EdgeCertificateMismatch, "Pass such a -CertificateArn, or leave it out to request one.")]
[ErrorHint(ErrorIds.EdgeCertificateNotIssued, "A longer -CertificateTimeout waits longer.")]
[ErrorHint(ErrorIds.EdgeHostedZoneNotFound, "Pass the id of a zone of this account with -HostedZoneId, or leave it out to find or create the zone.")]
[ErrorHint(ErrorIds.EdgeHostedZoneMismatch, "Pass the domain's zone with -HostedZoneId, or leave it out.")]
[ErrorHint(ErrorIds.EdgeLoadBalancerSchemeMismatch, "Pass another -LoadBalancerName to keep it.")]
[ErrorHint(ErrorIds.InfraPolicyPathNotFolder, "Pass that folder as -PolicyPath.")]
public sealed class InitializeCruddurInfrastructureCommand : AwsCmdlet
{
    private const string BaseSet = "Base";
    private const string EdgeSet = "Edge";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    [Parameter]
    [ArgumentCompleter(typeof(SeedServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Service { get; set; } = [.. SeedDefaults.Services];

    [Parameter]
    [ArgumentCompleter(typeof(LogRetentionCompleter))]
    public int LogRetentionDays { get; set; } = SeedDefaults.LogRetentionDays;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string PolicyPath { get; set; } = SeedDefaults.PolicyFolder;

    [Parameter(Mandatory = true, ParameterSetName = EdgeSet)]
    [ArgumentCompleter(typeof(HostedZoneNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Domain { get; set; } = null!;

    [Parameter(ParameterSetName = EdgeSet)]
    [ValidateNotNullOrEmpty]
    public string[] AllowedCidr { get; set; } = [EdgeOptions.Anywhere];

    [Parameter(ParameterSetName = EdgeSet)]
    [ValidateNotNullOrEmpty]
    public string? CertificateArn { get; set; }

    [Parameter(ParameterSetName = EdgeSet)]
    [ArgumentCompleter(typeof(HostedZoneIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string? HostedZoneId { get; set; }

    [Parameter(ParameterSetName = EdgeSet)]
    [ArgumentCompleter(typeof(LoadBalancerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string LoadBalancerName { get; set; } = SeedDefaults.LoadBalancerName;

    /// <summary>How long to wait for the certificate to be issued: seconds (600) or a TimeSpan; -CertificateTimeoutSeconds still works.</summary>
    [Parameter(ParameterSetName = EdgeSet)]
    [Alias("CertificateTimeoutSeconds")]
    [SecondsArgument]
    [ValidateDuration(1, 86400)]
    public TimeSpan CertificateTimeout { get; set; } = SeedDefaults.CertificateTimeout;

    [Parameter(ParameterSetName = EdgeSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// The deployment strategy the edge is for; BlueGreen, Linear and Canary build the same edge. A string (the set is the
    /// core's enum names, fixed at compile time): an enum-typed property would load the core before the module's resolver.
    /// </summary>
    [Parameter(ParameterSetName = EdgeSet)]
    [ValidateSet(nameof(DeploymentStrategy.Rolling), nameof(DeploymentStrategy.BlueGreen), nameof(DeploymentStrategy.Linear), nameof(DeploymentStrategy.Canary))]
    public string Strategy { get; set; } = nameof(DeploymentStrategy.Rolling);

    /// <summary>The HTTPS port of the test listener that -Strategy BlueGreen (Linear, Canary) creates.</summary>
    [Parameter(ParameterSetName = EdgeSet)]
    public int TestListenerPort { get; set; } = SeedDefaults.TestListenerPort;

    protected override void EndProcessing()
    {
        var policyPath = GetUnresolvedProviderPathFromPSPath(PolicyPath);
        if (MyInvocation.BoundParameters.ContainsKey(nameof(PolicyPath)) && !Directory.Exists(policyPath) && !File.Exists(policyPath))
        {
            ThrowTerminating(new CruddurException(ErrorIds.InfraPolicyPathNotFound, ErrorKind.ObjectNotFound,
                $"The policy folder '{PolicyPath}' does not exist. Pass the folder that holds service/ and task/ (the seed's {SeedDefaults.PolicyFolder}), or leave -PolicyPath out to use the built-in policies.", target: PolicyPath));
        }

        var strategy = Enum.Parse<DeploymentStrategy>(Strategy, ignoreCase: true);
        var edge = ParameterSetName != EdgeSet ? null : new EdgeOptions
        {
            Domain = Domain,
            AllowedCidrs = AllowedCidr,
            CertificateArn = CertificateArn,
            HostedZoneId = HostedZoneId,
            LoadBalancerName = LoadBalancerName,
            CertificateTimeout = CertificateTimeout,
            Force = Force,
            Strategy = strategy,
            TestListenerPort = TestListenerPort,
        };
        if (edge is not null && !strategy.ShiftsTraffic() && MyInvocation.BoundParameters.ContainsKey(nameof(TestListenerPort)))
        {
            WriteWarning($"-TestListenerPort {TestListenerPort} has no effect with -Strategy {strategy}: only BlueGreen, Linear and Canary create the test listener.");
        }

        var options = new InfrastructureOptions { Cluster = Cluster, Services = Service, LogRetentionDays = LogRetentionDays, PolicyPath = policyPath, Edge = edge };
        IReadOnlyList<InfrastructureResource> results;
        try
        {
            results = Run(async (host, token) =>
                await InfrastructureReconciler.ReconcileAsync(await InfrastructurePlan.CreateAsync(Aws, options, host, token).ConfigureAwait(false), host, token).ConfigureAwait(false));
        }
        catch (InfrastructureException e)
        {
            WriteObject(e.Results, enumerateCollection: true);
            ThrowTerminating(e);
            return;
        }
        catch (CruddurException e)
        {
            ThrowTerminating(e);
            return;
        }

        WriteObject(results, enumerateCollection: true);
    }
}
