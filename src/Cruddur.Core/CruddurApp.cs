using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Deployments.Preflight;
using Cruddur.Core.Edge;
using Cruddur.Core.Hosting;
using Cruddur.Core.Logs;
using Cruddur.Core.Parameters;
using Cruddur.Core.Tasks;

namespace Cruddur.Core;

/// <summary>
/// The one place that builds the AWS clients a command needs and wires them into the workflows: a cmdlet (or a tab
/// completer) asks for the workflow, never for a client, so the clients stay inside the core.
/// </summary>
public sealed class CruddurApp
{
    private readonly AwsContext _aws;
    private readonly IOperationHost _host;

    /// <param name="aws">Region, credentials and endpoints of the command.</param>
    /// <param name="host">Where the workflows' messages, progress and confirmations go.</param>
    public CruddurApp(AwsContext aws, IOperationHost host)
    {
        _aws = aws;
        _host = host;
    }

    /// <summary>For tab completion: nothing is shown while it lists names.</summary>
    public static CruddurApp Silent(AwsContext aws) => new(aws, SilentHost.Instance);

    private EcsClient Ecs => new(_aws, _host);

    private CloudWatchLogSource Logs => CloudWatchLogSource.For(_aws, _host);

    public EcsDeployer Deployer() =>
        new(Ecs, _host, PlaceholderValues.For(_aws), logs: Logs, region: _aws.Region, elb: new Elbv2Client(_aws, _host), iam: new IamClient(_aws, _host),
            urls: PublicUrls.For(_aws, _host), preflight: DeployPreflight.For(_aws, _host));

    public TaskRunner TaskRunner() => new(Ecs, Logs, _host, _aws.Region);

    public LogReader LogReader() => new(Ecs, Logs, _host, _aws.Region);

    public ServiceStatusReader ServiceStatus() => new(Ecs) { Region = _aws.Region };

    public IngressRules IngressRules(HttpClient http) => new(new Ec2Client(_aws, _host), http, _host);

    /// <summary>Cognito for the database set-up's user-id step.</summary>
    internal ICognitoClient Cognito() => new CognitoClient(_aws, _host);

    /// <summary>The services a -Service value stands for (itself, or a pattern's matches in the cluster).</summary>
    public Task<IReadOnlyList<string>> MatchServicesAsync(string cluster, string service, CancellationToken cancellationToken) =>
        EcsServices.MatchAsync(Ecs, cluster, service, _aws.Region, cancellationToken);

    public Task<IReadOnlyList<StoredParameter>> ParametersByPathAsync(string path, CancellationToken cancellationToken) =>
        ParameterStore.GetByPathAsync(new SsmClient(_aws, _host), path, cancellationToken);

    public Task<IReadOnlyList<ParameterWriteResult>> WriteParametersAsync(string path, IReadOnlyList<string> names, IReadOnlyDictionary<string, string> values,
        string source, CancellationToken cancellationToken) =>
        ParameterWriter.WriteAsync(new SsmClient(_aws, _host), path, names, values, source, _host, cancellationToken);

    // Names for tab completion.
    public async Task<IReadOnlyList<string>> ClusterNamesAsync(CancellationToken cancellationToken) =>
        await Ecs.ListClusterNamesAsync(cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<string>> ServiceNamesAsync(string cluster, CancellationToken cancellationToken) =>
        await Ecs.ListServiceNamesAsync(cluster, cancellationToken).ConfigureAwait(false);

    public Task<IReadOnlyList<string>> ActiveRevisionNamesAsync(string family, CancellationToken cancellationToken) =>
        EcsServices.ActiveRevisionNamesAsync(Ecs, family, cancellationToken);

    public Task<IReadOnlyList<string>> TaskIdsAsync(string cluster, string? service, CancellationToken cancellationToken) =>
        EcsServices.ListTaskIdsAsync(Ecs, cluster, service, cancellationToken);

    public Task<IReadOnlyList<string>> ContainerNamesAsync(string cluster, string service, CancellationToken cancellationToken) =>
        EcsServices.ContainerNamesAsync(Ecs, cluster, service, cancellationToken);

    public async Task<IReadOnlyList<string>> LoadBalancerNamesAsync(CancellationToken cancellationToken) =>
        (await new Elbv2Client(_aws, _host).ListLoadBalancersAsync(null, cancellationToken).ConfigureAwait(false)).Select(l => l.Name).ToList();

    /// <summary>The account's public hosted zones: id and domain name (without the trailing dot).</summary>
    public async Task<IReadOnlyList<(string Id, string Name)>> PublicHostedZonesAsync(CancellationToken cancellationToken) =>
        (await new Route53Client(_aws, _host).ListHostedZonesAsync(cancellationToken).ConfigureAwait(false))
            .Where(z => !z.Private).Select(z => (z.Id, z.Name.TrimEnd('.'))).ToList();

    /// <summary>The region's security groups: id and name.</summary>
    public async Task<IReadOnlyList<(string Id, string Name)>> SecurityGroupsAsync(CancellationToken cancellationToken) =>
        (await new Ec2Client(_aws, _host).ListSecurityGroupsAsync(cancellationToken).ConfigureAwait(false)).Select(g => (g.GroupId, g.GroupName)).ToList();
}
