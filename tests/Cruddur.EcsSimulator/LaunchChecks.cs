using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Cruddur.EcsSimulator;

/// <summary>Why ECS could not launch a task: the task's stoppedReason, and the service event ECS adds beside it (if any).</summary>
public sealed record LaunchFailure(string Reason, string? ServiceEvent = null);

/// <summary>
/// What ECS (Fargate) itself looks up when it launches a task, asked of the AWS upstream (moto) in ECS's order: the execution
/// role and the task role (each must exist and trust ecs-tasks.amazonaws.com, or ECS cannot assume it), the SSM parameters
/// and Secrets Manager secrets of <c>secrets[].valueFrom</c> (with a secret's version and JSON key), the Secrets Manager
/// secret of each <c>repositoryCredentials</c>, and each private ECR image (repository, then tag or digest). Registries other
/// than ECR are not looked up: the simulator cannot see them. The awslogs group is the runtime's
/// (<see cref="LogsWriter.PrepareAsync"/>), as the log driver is set up after the pull. Without an upstream nothing is checked.
/// </summary>
public sealed partial class LaunchChecks(Uri upstream)
{
    public const string TasksPrincipal = "ecs-tasks.amazonaws.com";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The upstream from --aws-upstream; null: no launch checks.</summary>
    public static LaunchChecks? Of(IConfiguration config) =>
        config["aws-upstream"] is { Length: > 0 } u ? new LaunchChecks(new Uri(u, UriKind.Absolute)) : null;

    /// <summary>ECS's text when it cannot assume the execution role.</summary>
    public static string UnableToAssume(string roleArn) =>
        $"ECS was unable to assume the role '{roleArn}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.";

    /// <summary>The Fargate agent's text when SSM answers some secrets' parameters as invalid (absent).</summary>
    public static string MissingParameters(IEnumerable<string> valueFroms) =>
        $"ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: {string.Join(',', valueFroms)}";

    /// <summary>The Fargate agent's text when Secrets Manager cannot find a secret (or the version) a <c>valueFrom</c> names;
    /// <paramref name="error"/> is Secrets Manager's own "ResourceNotFoundException: ..." answer.</summary>
    public static string MissingSecret(string secretId, string error) =>
        $"ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret {secretId} from secrets manager: {error}";

    /// <summary>The Fargate agent's text when a secret's value has no JSON key a <c>valueFrom</c> names.</summary>
    public static string MissingJsonKey(string key) =>
        $"ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): retrieved secret from Secrets Manager did not contain json key {key}";

    /// <summary>The agent's text when Secrets Manager cannot give it a <c>repositoryCredentials</c> secret.</summary>
    public static string MissingRegistryCredentials(string secretId, string error) =>
        $"Asm fetching secret from the service for {secretId}: {error}";

    /// <summary>The Fargate agent's text when the registry has no such repository or image.</summary>
    public static string CannotPull(string image) =>
        $"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {image}: {image}: not found";

    /// <summary>The first thing that stops the task from launching, or null when ECS would launch it.</summary>
    public async Task<LaunchFailure?> CheckAsync(TaskRec t)
    {
        var region = t.Region;
        var containers = t.TaskDef.Containers.ToList();
        var role = (t.Overrides is { } o ? Json.Str(o, "executionRoleArn") : null) ?? Json.Str(t.TaskDef.Body, "executionRoleArn");
        if (role is not null && !await RoleTrustsTasksAsync(region, role).ConfigureAwait(false))
        {
            var reason = UnableToAssume(role);
            return new LaunchFailure(reason, t.Service is { } svc ? $"(service {svc.Name}) failed to launch a task with (error {reason})" : null);
        }
        var taskRole = (t.Overrides is { } ov ? Json.Str(ov, "taskRoleArn") : null) ?? Json.Str(t.TaskDef.Body, "taskRoleArn");
        if (taskRole is not null && !await RoleTrustsTasksAsync(region, taskRole).ConfigureAwait(false))
        {
            var reason = UnableToAssume(taskRole);
            return new LaunchFailure(reason, t.Service is { } svc ? $"(service {svc.Name}) failed to launch a task with (error {reason})" : null);
        }
        var secrets = containers.SelectMany(c => c["secrets"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(s => Json.Str(s, "valueFrom")).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var missing = new List<string>();
        foreach (var byRegion in secrets.Select(v => (ValueFrom: v, Parameter: SsmParameter(v, region))).Where(p => p.Parameter is not null).GroupBy(p => p.Parameter!.Value.Region))
        {
            foreach (var chunk in byRegion.Chunk(10))
            {
                var invalid = await InvalidParametersAsync(byRegion.Key, chunk.Select(p => p.Parameter!.Value.Name).ToList()).ConfigureAwait(false);
                missing.AddRange(chunk.Where(p => invalid.Contains(p.Parameter!.Value.Name)).Select(p => p.ValueFrom));
            }
        }
        if (missing.Count > 0)
        {
            return new LaunchFailure(MissingParameters(missing));
        }
        foreach (var secret in secrets.Select(AsmSecret.Parse).OfType<AsmSecret>())
        {
            var (value, notFound) = await SecretValueAsync(secret.Region ?? region, secret.Id, secret.VersionStage, secret.VersionId).ConfigureAwait(false);
            if (notFound is not null && secret.VersionStage is { } stage && secret.VersionId is null
                && (await SecretValueAsync(secret.Region ?? region, secret.Id, null, null).ConfigureAwait(false)).NotFound is null)
            {
                // moto answers a missing stage as a missing secret; Secrets Manager names the stage.
                notFound = $"ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: {stage}";
            }
            if (notFound is not null)
            {
                return new LaunchFailure(MissingSecret(secret.Id, notFound));
            }
            if (secret.JsonKey is { } key && value is not null && !(TryParseObject(value) is { } map && map.ContainsKey(key)))
            {
                return new LaunchFailure(MissingJsonKey(key));
            }
        }
        foreach (var credentials in containers.Select(c => c["repositoryCredentials"]?["credentialsParameter"]?.GetValue<string>()).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var (_, notFound) = await SecretValueAsync(credentials.StartsWith("arn:", StringComparison.Ordinal) ? credentials.Split(':')[3] : region, credentials, null, null).ConfigureAwait(false);
            if (notFound is not null)
            {
                return new LaunchFailure(MissingRegistryCredentials(credentials, notFound));
            }
        }
        foreach (var image in containers.Select(c => Json.Str(c, "image")).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (EcrImage.Parse(image) is { } ecr && !await ImageExistsAsync(ecr).ConfigureAwait(false))
            {
                return new LaunchFailure(CannotPull(image));
            }
        }
        return null;
    }

    /// <summary>The region and name SSM knows a <c>valueFrom</c> by (an ARN's region, else the task's), or null for a Secrets
    /// Manager secret.</summary>
    public static (string Region, string Name)? SsmParameter(string valueFrom, string taskRegion)
    {
        if (!valueFrom.StartsWith("arn:", StringComparison.Ordinal))
        {
            return (taskRegion, valueFrom);
        }
        var parts = valueFrom.Split(':', 6);
        if (parts.Length < 6 || parts[2] != "ssm" || !parts[5].StartsWith("parameter/", StringComparison.Ordinal))
        {
            return null;
        }
        var path = parts[5]["parameter".Length..];
        // A hierarchical name keeps its leading slash (parameter/a/b is /a/b); a flat one has none (parameter/a is a).
        return (parts[3], path.IndexOf('/', 1) > 0 ? path : path[1..]);
    }

    /// <summary>A Secrets Manager <c>valueFrom</c>: arn:...:secret:name-AbCdEf[:json-key[:version-stage[:version-id]]], each
    /// part possibly empty; the secret's id is the ARN up to its name.</summary>
    public sealed record AsmSecret(string Id, string? Region, string? JsonKey, string? VersionStage, string? VersionId)
    {
        public static AsmSecret? Parse(string valueFrom)
        {
            var parts = valueFrom.Split(':');
            if (parts.Length < 7 || parts[0] != "arn" || parts[2] != "secretsmanager" || parts[5] != "secret")
            {
                return null;
            }
            string? Part(int i) => parts.Length > i && parts[i].Length > 0 ? parts[i] : null;
            return new AsmSecret(string.Join(':', parts[..7]), Part(3), Part(7), Part(8), Part(9));
        }
    }

    /// <summary>A private ECR image: registry (account), region, repository and tag or digest (latest when neither).</summary>
    public sealed partial record EcrImage(string Account, string Region, string Repository, string? Tag, string? Digest)
    {
        [GeneratedRegex(@"^(?<account>\d{12})\.dkr\.ecr(-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?<repository>[^:@]+)(:(?<tag>[^@]+))?(@(?<digest>.+))?$", RegexOptions.CultureInvariant)]
        private static partial Regex Pattern();

        public static EcrImage? Parse(string image) => Pattern().Match(image) is { Success: true } m
            ? new EcrImage(m.Groups["account"].Value, m.Groups["region"].Value, m.Groups["repository"].Value,
                m.Groups["tag"].Success ? m.Groups["tag"].Value : null, m.Groups["digest"].Success ? m.Groups["digest"].Value : null)
            : null;
    }

    /// <summary>Whether the role exists and its trust policy lets ecs-tasks.amazonaws.com assume it.</summary>
    private async Task<bool> RoleTrustsTasksAsync(string region, string roleArn)
    {
        var name = roleArn[(roleArn.LastIndexOf('/') + 1)..];
        var (status, text) = await SendAsync(region, "iam", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Action"] = "GetRole", ["Version"] = "2010-05-08", ["RoleName"] = name,
        }), null).ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            return !text.Contains("NoSuchEntity", StringComparison.Ordinal); // only a role that is not there is refused
        }
        var document = XDocument.Parse(text).Descendants().FirstOrDefault(e => e.Name.LocalName == "AssumeRolePolicyDocument")?.Value;
        return document is not null && Trusts(document.TrimStart().StartsWith('{') ? document : WebUtility.UrlDecode(document));
    }

    /// <summary>Whether a trust policy allows sts:AssumeRole to the ECS tasks service principal.</summary>
    public static bool Trusts(string policy)
    {
        if (JsonNode.Parse(policy)?["Statement"] is not { } statements)
        {
            return false;
        }
        foreach (var statement in (statements as JsonArray ?? [statements]).OfType<JsonObject>())
        {
            if (Json.Str(statement, "Effect") == "Allow" && Strings(statement["Action"]).Any(a => a is "sts:AssumeRole" or "sts:*" or "*")
                && statement["Principal"] is JsonObject principal && Strings(principal["Service"]).Contains(TasksPrincipal))
            {
                return true;
            }
        }
        return false;
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(n => n?.GetValue<string>()).OfType<string>(),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    private async Task<HashSet<string>> InvalidParametersAsync(string region, List<string> names)
    {
        var (status, text) = await SendAsync(region, "ssm", Json11(new JsonObject { ["Names"] = new JsonArray(names.Select(n => (JsonNode)n).ToArray()) }),
            "AmazonSSM.GetParameters").ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            return [];
        }
        return (JsonNode.Parse(text)?["InvalidParameters"] as JsonArray ?? []).Select(n => n?.GetValue<string>()).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>GetSecretValue: the SecretString when Secrets Manager has the secret and version; NotFound, its
    /// "ResourceNotFoundException: message", when it has not. Any other answer is not ECS refusing the task: neither.</summary>
    private async Task<(string? Value, string? NotFound)> SecretValueAsync(string region, string secretId, string? versionStage, string? versionId)
    {
        var request = new JsonObject { ["SecretId"] = secretId };
        if (versionStage is not null)
        {
            request["VersionStage"] = versionStage;
        }
        if (versionId is not null)
        {
            request["VersionId"] = versionId;
        }
        var (status, text) = await SendAsync(region, "secretsmanager", Json11(request), "secretsmanager.GetSecretValue").ConfigureAwait(false);
        if (status == HttpStatusCode.OK)
        {
            return (TryParseObject(text)?["SecretString"]?.GetValue<string>(), null);
        }
        var error = TryParseObject(text);
        if (error is not null && (Json.Str(error, "__type") ?? "").EndsWith("ResourceNotFoundException", StringComparison.Ordinal))
        {
            return (null, $"ResourceNotFoundException: {Json.Str(error, "message") ?? Json.Str(error, "Message")}");
        }
        return (null, null);
    }

    private static JsonObject? TryParseObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private async Task<bool> ImageExistsAsync(EcrImage image)
    {
        var id = image.Digest is { } digest ? new JsonObject { ["imageDigest"] = digest } : new JsonObject { ["imageTag"] = image.Tag ?? "latest" };
        var (status, text) = await SendAsync(image.Region, "ecr", Json11(new JsonObject
        {
            ["registryId"] = image.Account, ["repositoryName"] = image.Repository, ["imageIds"] = new JsonArray(id),
        }), "AmazonEC2ContainerRegistry_V20150921.DescribeImages").ConfigureAwait(false);
        // RepositoryNotFoundException, ImageNotFoundException: what the registry would answer the pull with.
        return status == HttpStatusCode.OK || !text.Contains("NotFoundException", StringComparison.Ordinal);
    }

    private static StringContent Json11(JsonObject body)
    {
        var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/x-amz-json-1.1");
        content.Headers.ContentType!.CharSet = null;
        return content;
    }

    // moto routes by the service in the SigV4 credential scope and does not verify signatures.
    private async Task<(HttpStatusCode Status, string Text)> SendAsync(string region, string service, HttpContent content, string? target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, upstream) { Content = content };
        if (target is not null)
        {
            request.Headers.Add("X-Amz-Target", target);
        }
        var date = DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential=testing/{date}/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0");
        using var response = await Http.SendAsync(request).ConfigureAwait(false);
        return (response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
    }
}

public sealed partial class SimState
{
    /// <summary>ECS's own launch checks against the AWS upstream; null (no upstream) launches every task.</summary>
    public LaunchChecks? Launch { get; set; }

    /// <summary>At PENDING → RUNNING, before the containers start: true when the task may start; null while the look-ups run
    /// (asked again shortly); false when they failed it (the task is stopping: TaskFailedToStart, ECS's reason and event).</summary>
    private bool? LaunchAllowed(TaskRec t, double now)
    {
        if (Launch is null)
        {
            return true;
        }
        t.LaunchCheck ??= Launch.CheckAsync(t);
        if (!t.LaunchCheck.IsCompleted)
        {
            t.NextAt = now + 0.01;
            return null;
        }
        // An upstream that does not answer is not ECS refusing the task: launch it.
        if (t.LaunchCheck is { IsCompletedSuccessfully: true, Result: { } failure })
        {
            if (failure.ServiceEvent is { } message && t.Service is { } svc)
            {
                AddEvent(svc, message);
            }
            FailToStart(t, failure.Reason);
            return false;
        }
        return true;
    }
}
