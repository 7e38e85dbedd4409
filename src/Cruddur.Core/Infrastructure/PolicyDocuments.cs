using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Infrastructure;

/// <summary>A policy document ready to send: the JSON text with its placeholders filled, and where it came from.</summary>
internal sealed record PolicyDocument(string Json, string Source)
{
    /// <summary>Whether <paramref name="other"/> (as IAM returns it) says the same as this document, whitespace aside.</summary>
    public bool SameAs(string other)
    {
        try
        {
            return JsonNode.DeepEquals(JsonNode.Parse(Json), JsonNode.Parse(other));
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>
/// The seed's policy files (aws/policies/service/*.json, aws/policies/task/*.json), or built-in equivalents when a file is
/// absent. Placeholders in angle brackets, as the seed writes <c>&lt;AWS_ACCOUNT_ID&gt;</c>, are filled from the caller's
/// account and region: <c>&lt;AWS_ACCOUNT_ID&gt;</c>, <c>&lt;AWS_REGION&gt;</c> (also <c>&lt;AWS_DEFAULT_REGION&gt;</c>) and
/// <c>&lt;AWS_PARTITION&gt;</c>. Any other placeholder is an error, so nothing half-filled reaches IAM.
/// </summary>
internal static partial class PolicyDocuments
{
    public const string ServiceTrustFile = "service/service-assume-execution-role.json";
    public const string ServicePolicyFile = "service/service-execution-policy.json";
    public const string TaskTrustFile = "task/task-assume-execution-role.json";
    public const string TaskPolicyFile = "task/task-execution-policy.json";

    /// <summary>Who may assume both roles: ECS tasks (the seed's two assume-role files say the same).</summary>
    public const string BuiltInTrust = """
        {"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com"]},"Action":"sts:AssumeRole"}]}
        """;

    /// <summary>Who may assume the infrastructure role for load balancers: ECS itself, which moves traffic between target groups.</summary>
    public const string BuiltInInfrastructureTrust = """
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"}]}
        """;

    /// <summary>The execution role: pull from ECR, write logs, read the backend's parameters.</summary>
    public static readonly string BuiltInServicePolicy = $$"""
        {"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"},
        {"Effect":"Allow","Action":["ssm:GetParameters","ssm:GetParameter"],"Resource":"{{AwsArn.Build("<AWS_PARTITION>", "ssm", "<AWS_REGION>", "<AWS_ACCOUNT_ID>", "parameter" + SeedDefaults.BackendParameterPath + "*")}}"}]}
        """;

    /// <summary>The task role: the four ssmmessages actions ECS Exec needs.</summary>
    public const string BuiltInTaskPolicy = """
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssmmessages:CreateDataChannel","ssmmessages:OpenDataChannel","ssmmessages:OpenControlChannel","ssmmessages:CreateControlChannel"],"Resource":"*"}]}
        """;

    /// <summary>
    /// Reads <paramref name="relativeFile"/> under <paramref name="policyPath"/> (or takes <paramref name="builtIn"/> when the
    /// file is absent), fills the placeholders and checks that the result is a JSON object.
    /// </summary>
    public static PolicyDocument Load(string? policyPath, string relativeFile, string builtIn, string accountId, string region, IOperationHost host)
    {
        var file = policyPath is null ? null : Path.Combine(policyPath, relativeFile);
        var fromFile = file is not null && File.Exists(file);
        var source = fromFile ? file! : "built-in " + relativeFile;
        var text = fromFile ? File.ReadAllText(file!) : builtIn.Trim();
        if (!fromFile)
        {
            host.WriteVerbose($"{relativeFile} is not under {policyPath ?? "the policy folder"}; using the built-in equivalent of the seed's file.");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_ACCOUNT_ID"] = accountId,
            ["AWS_REGION"] = region,
            ["AWS_DEFAULT_REGION"] = region,
            ["AWS_PARTITION"] = AwsArn.PartitionOf(region),
        };
        var unknown = new List<string>();
        var filled = Placeholder().Replace(text, m =>
        {
            if (values.TryGetValue(m.Groups[1].Value, out var value))
            {
                return value;
            }

            unknown.Add(m.Value);
            return m.Value;
        });
        if (unknown.Count > 0)
        {
            throw new CruddurException(ErrorIds.InfraPolicyPlaceholderUnknown, ErrorKind.InvalidData,
                $"{source} has placeholder(s) {string.Join(", ", unknown.Distinct())} that cannot be filled. Use <AWS_ACCOUNT_ID>, <AWS_REGION> or <AWS_PARTITION>, or write the value itself. Nothing was changed.",
                target: source);
        }

        JsonObject document;
        try
        {
            document = JsonNode.Parse(filled) as JsonObject ?? throw new JsonException("The document is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new CruddurException(ErrorIds.InfraPolicyFileInvalid, ErrorKind.InvalidData,
                $"{source} is not a JSON policy document: {e.Message} Fix the file (or remove it to use the built-in policy). Nothing was changed.", e, source);
        }

        foreach (var other in ParameterRegions(document).Where(r => r != region))
        {
            host.WriteWarning($"{source} grants access to parameters in {other}, but this runs in {region}: tasks will not be able to read their parameters. Write <AWS_REGION> instead of {other} in the file.");
        }

        return new PolicyDocument(filled, source);
    }

    [GeneratedRegex("<([A-Z][A-Z0-9_]*)>")]
    private static partial Regex Placeholder();

    /// <summary>
    /// The region of each Parameter Store ARN in the document, in document order, where it is written out (not a wildcard,
    /// a policy variable or empty).
    /// </summary>
    private static IEnumerable<string> ParameterRegions(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => ParameterRegions(p.Value)),
        JsonArray a => a.SelectMany(ParameterRegions),
        JsonValue v when v.TryGetValue<string>(out var text) && AwsArn.Service(text) == "ssm" && AwsArn.Region(text) is { Length: > 0 } r
            && r.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') => [r],
        _ => [],
    };
}
