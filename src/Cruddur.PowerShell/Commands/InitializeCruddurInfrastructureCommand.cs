using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Edge;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Creates the seed's one-time AWS set-up (log group, cluster, ECR repositories, IAM roles, security group) and, with -Domain, its public edge (load balancer, HTTPS, DNS), idempotently.</para>
/// </summary>
[Cmdlet(VerbsData.Initialize, "CruddurInfrastructure", SupportsShouldProcess = true, DefaultParameterSetName = BaseSet)]
[OutputType(typeof(InfrastructureResource))]
public sealed class InitializeCruddurInfrastructureCommand : AwsCmdlet
{
    private const string BaseSet = "Base";
    private const string EdgeSet = "Edge";

    /// <summary><para type="description">The ECS cluster to create (with a Service Connect namespace of the same name); the log group has this name too.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = SeedDefaults.Cluster;

    /// <summary><para type="description">The services; each gets an ECR repository of its name, besides cruddur-python for the base image.</para></summary>
    [Parameter]
    [ArgumentCompleter(typeof(SeedServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Service { get; set; } = [.. SeedDefaults.Services];

    /// <summary><para type="description">How many days the log group keeps logs (a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, ...).</para></summary>
    [Parameter]
    [ArgumentCompleter(typeof(LogRetentionCompleter))]
    public int LogRetentionDays { get; set; } = 1;

    /// <summary><para type="description">The folder with the seed's policy files: service/service-assume-execution-role.json, service/service-execution-policy.json, task/task-assume-execution-role.json, task/task-execution-policy.json. A file that is absent is replaced by its built-in equivalent.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string PolicyPath { get; set; } = SeedDefaults.PolicyFolder;

    /// <summary><para type="description">The apex domain to serve Cruddur on (example.com): adds the load balancer, its security group, the target groups, the hosted zone, the certificate for the domain and *.domain, the listeners (80 redirects to 443; 443 forwards to the frontend, Host api.&lt;domain&gt; to the backend) and the alias records.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = EdgeSet)]
    [ValidateNotNullOrEmpty]
    public string Domain { get; set; } = null!;

    /// <summary><para type="description">IPv4 CIDRs that may reach the load balancer on 80 and 443 (default 0.0.0.0/0, anywhere). Rules for other sources on those ports are removed.</para></summary>
    [Parameter(ParameterSetName = EdgeSet)]
    [ValidateNotNullOrEmpty]
    public string[] AllowedCidr { get; set; } = [EdgeOptions.Anywhere];

    /// <summary><para type="description">An existing ACM certificate (covering the domain and api.&lt;domain&gt;) to use instead of requesting one.</para></summary>
    [Parameter(ParameterSetName = EdgeSet)]
    [ValidateNotNullOrEmpty]
    public string CertificateArn { get; set; } = null!;

    /// <summary><para type="description">The hosted zone of the domain, by id; default: the zone named after the domain, created when missing.</para></summary>
    [Parameter(ParameterSetName = EdgeSet)]
    [ValidateNotNullOrEmpty]
    public string HostedZoneId { get; set; } = null!;

    /// <summary><para type="description">The load balancer's name (default cruddur-application-loadbalancer, the seed's).</para></summary>
    [Parameter(ParameterSetName = EdgeSet)]
    [ValidateNotNullOrEmpty]
    public string LoadBalancerName { get; set; } = SeedDefaults.LoadBalancerName;

    /// <summary><para type="description">How long to wait for the certificate to be issued (default 600 seconds). ACM issues it once the validation records resolve publicly, which needs the zone's name servers set at the registrar.</para></summary>
    [Parameter(ParameterSetName = EdgeSet)]
    [ValidateRange(1, 86400)]
    public int CertificateTimeoutSeconds { get; set; } = 600;

    /// <summary><para type="description">Also removes the load balancer's listeners other than 80 and 443 (the seed's temporary HTTP 4567 and 3000 ones); without it they are reported and kept.</para></summary>
    [Parameter(ParameterSetName = EdgeSet)]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        var policyPath = GetUnresolvedProviderPathFromPSPath(PolicyPath);
        if (MyInvocation.BoundParameters.ContainsKey(nameof(PolicyPath)) && !Directory.Exists(policyPath) && !File.Exists(policyPath))
        {
            ThrowTerminating(new CruddurException("PolicyPathNotFound", ErrorKind.ObjectNotFound,
                $"The policy folder '{PolicyPath}' does not exist. Pass the folder that holds service/ and task/ (the seed's aws/policies), or leave -PolicyPath out to use the built-in policies.", target: PolicyPath));
        }

        var edge = ParameterSetName != EdgeSet ? null : new EdgeOptions
        {
            Domain = Domain,
            AllowedCidrs = AllowedCidr,
            CertificateArn = MyInvocation.BoundParameters.ContainsKey(nameof(CertificateArn)) ? CertificateArn : null,
            HostedZoneId = MyInvocation.BoundParameters.ContainsKey(nameof(HostedZoneId)) ? HostedZoneId : null,
            LoadBalancerName = LoadBalancerName,
            CertificateTimeout = TimeSpan.FromSeconds(CertificateTimeoutSeconds),
            Force = Force,
        };
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
