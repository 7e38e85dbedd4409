using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments.Preflight;

/// <summary>
/// One service to check: the task definition it would register and the service's networkConfiguration and loadBalancers
/// (as ECS describes them, or as the definition it would be created from gives them).
/// </summary>
internal sealed record PreflightSubject(string Service, JsonObject TaskDefinition, JsonObject? NetworkConfiguration, JsonArray? LoadBalancers);

/// <summary>
/// The checks a deploy runs before it registers anything: for each service, whether its new tasks could start (images,
/// roles, secrets, log groups, network, target groups). Every check of every service runs at once; each AWS answer is
/// asked once per run (<see cref="PreflightFacts"/>). A check that cannot be made (IAM refusing to be read, say) is Info
/// with the reason, never a Pass.
/// </summary>
internal sealed class DeployPreflight
{
    private readonly PreflightClients _clients;
    private readonly IOperationHost _host;

    internal DeployPreflight(PreflightClients clients, IOperationHost host)
    {
        _clients = clients;
        _host = host;
    }

    /// <summary>The checks with the context's credentials and endpoints; log groups are looked up in the region each awslogs configuration names.</summary>
    public static DeployPreflight For(AwsContext aws, IOperationHost host)
    {
        var logs = new System.Collections.Concurrent.ConcurrentDictionary<string, ILogsClient>(StringComparer.Ordinal);
        return new DeployPreflight(new PreflightClients(
            new EcrClient(aws, host), new IamClient(aws, host), new SsmClient(aws, host), new SecretsManagerClient(aws, host), new Ec2Client(aws, host), new Elbv2Client(aws, host),
            region => logs.GetOrAdd(region, r => new LogsClient(r == aws.Region ? aws : new AwsContext(aws.Settings with { Region = r }), host)),
            aws.GetAccountIdAsync, aws.Region), host);
    }

    internal async Task<IReadOnlyList<DeployCheck>> CheckAsync(IReadOnlyList<PreflightSubject> subjects, CancellationToken cancellationToken)
    {
        var facts = new PreflightFacts(_clients, _host);
        var rows = await Task.WhenAll(subjects.Select(s => CheckAsync(facts, s, cancellationToken))).ConfigureAwait(false);
        return rows.SelectMany(r => r).ToList();
    }

    private static async Task<IReadOnlyList<DeployCheck>> CheckAsync(PreflightFacts facts, PreflightSubject subject, CancellationToken token)
    {
        var service = subject.Service;
        var definition = subject.TaskDefinition;
        var containers = (definition["containerDefinitions"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var checks = new List<Task<IReadOnlyList<DeployCheck>>>();
        foreach (var container in containers)
        {
            checks.Add(Guard(service, DeployCheck.ImageCheck, () => ImageChecks.CheckAsync(facts, service, definition, container, token)));
            foreach (var secret in (container["secrets"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                checks.Add(Guard(service, DeployCheck.SecretCheck, () => SecretChecks.CheckAsync(facts, service, container, secret, token)));
            }

            if (LogChecks.AwsLogs(container) is { } options)
            {
                checks.Add(Guard(service, DeployCheck.LogGroupCheck, () => LogChecks.CheckAsync(facts, service, (string?)container["name"] ?? "?", options, token)));
            }
        }

        checks.Add(Guard(service, DeployCheck.ExecutionRoleCheck, () => RoleChecks.ExecutionRoleAsync(facts, service, definition, containers, token)));
        checks.Add(Guard(service, DeployCheck.TaskRoleCheck, () => RoleChecks.TaskRoleAsync(facts, service, definition, token)));
        checks.Add(Guard(service, DeployCheck.NetworkCheck, () => NetworkChecks.NetworkAsync(facts, service, definition, subject.NetworkConfiguration, token)));
        checks.Add(Guard(service, DeployCheck.TargetGroupCheck, () => NetworkChecks.TargetGroupsAsync(facts, service, definition, subject.LoadBalancers, token)));

        return (await Task.WhenAll(checks).ConfigureAwait(false)).SelectMany(c => c).ToList();
    }

    /// <summary>A check whose facts could not be read says so (Info) instead of failing the others or passing silently.</summary>
    private static async Task<IReadOnlyList<DeployCheck>> Guard(string service, string check, Func<Task<IReadOnlyList<DeployCheck>>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (CruddurException e)
        {
            return [DeployCheck.Info(service, check, $"Not checked: {e.Message}")];
        }
    }

    /// <summary>An image reference split as a registry reads it: host, repository and tag or digest (latest when neither is given).</summary>
    internal sealed record ImageReference(string? Host, string Repository, string Reference)
    {
        private static readonly Regex EcrHost = new(@"^(?<account>\d{12})\.dkr\.ecr(-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?$", RegexOptions.CultureInvariant);

        /// <summary>The host of Docker Hub's registry API, which an image without a registry name (or docker.io) is pulled from.</summary>
        public const string DockerHub = "registry-1.docker.io";

        /// <summary>The host a registry client asks: the image's, or Docker Hub's for none, docker.io or index.docker.io.</summary>
        public string RegistryHost => Host is null or "docker.io" or "index.docker.io" ? DockerHub : Host;

        /// <summary>The repository as the registry names it: Docker Hub's official images are library/&lt;name&gt; (nginx → library/nginx).</summary>
        public string RegistryRepository => RegistryHost == DockerHub && !Repository.Contains('/', StringComparison.Ordinal) ? "library/" + Repository : Repository;

        /// <summary>The account (registry id) and region of a private ECR registry, or null for any other registry.</summary>
        public (string Account, string Region)? Ecr => Host is not null && EcrHost.Match(Host) is { Success: true } m ? (m.Groups["account"].Value, m.Groups["region"].Value) : null;

        public static ImageReference Parse(string image)
        {
            var at = image.IndexOf('@', StringComparison.Ordinal);
            var name = at >= 0 ? image[..at] : image;
            var digest = at >= 0 ? image[(at + 1)..] : null;
            var slash = name.IndexOf('/', StringComparison.Ordinal);
            string? host = null;
            if (slash > 0 && (name[..slash].Contains('.', StringComparison.Ordinal) || name[..slash].Contains(':', StringComparison.Ordinal) || name[..slash] == "localhost"))
            {
                host = name[..slash];
                name = name[(slash + 1)..];
            }

            var colon = name.LastIndexOf(':');
            var tag = colon >= 0 ? name[(colon + 1)..] : null;
            var repository = colon >= 0 ? name[..colon] : name;
            return new ImageReference(host, repository, digest ?? tag ?? "latest");
        }
    }
}
