using System.Text.Json.Nodes;
using static Cruddur.Core.Aws.AwsJson;

namespace Cruddur.Core.Aws.Clients;

/// <summary>A container's LogConfiguration: its log driver and the driver's options (awslogs-group, awslogs-region, awslogs-stream-prefix …).</summary>
internal sealed record EcsLogConfiguration(string? LogDriver, IReadOnlyDictionary<string, string> Options);

/// <summary>
/// A ContainerDefinition of a described task definition, as far as the module reads it: its name, whether it is essential
/// (ECS's default: true), what ECS Exec needs of it (a writable root, an init process, no AWS keys in its environment or
/// secrets: their names) and where it logs.
/// </summary>
internal sealed record EcsContainerDefinition(string? Name, bool? Essential, bool ReadonlyRootFilesystem, bool InitProcessEnabled,
    IReadOnlyList<string> EnvironmentNames, IReadOnlyList<string> SecretNames, EcsLogConfiguration? LogConfiguration);

/// <summary>
/// A TaskDefinition (DescribeTaskDefinition): its ARN, family and revision, status (ACTIVE, INACTIVE, DELETE_IN_PROGRESS),
/// task role and containers. <see cref="Document"/> is ECS's JSON as it came, for one use only: a deploy registers a copy
/// of it (with a new image) and shows the difference to the new one.
/// </summary>
internal sealed record EcsTaskDefinition(string? Arn, string? Family, int? Revision, string? Status, string? TaskRoleArn,
    IReadOnlyList<EcsContainerDefinition> Containers, JsonObject Document);

internal sealed partial class EcsClient
{
    /// <summary>A TaskDefinition of an answer (internal: tests feed scripted answers through it).</summary>
    internal static EcsTaskDefinition TaskDefinition(JsonObject d)
    {
        Check(d, TaskDefinitionShape);
        return new(
            OptionalText(d, "taskDefinitionArn"), OptionalText(d, "family"), OptionalInt(d, "revision"), OptionalText(d, "status"),
            OptionalText(d, "taskRoleArn"), Objects(d, "containerDefinitions").Select(ContainerDefinition).ToList(), d);
    }

    /// <summary>One ContainerDefinition (internal: tests feed scripted ones through it).</summary>
    internal static EcsContainerDefinition ContainerDefinition(JsonObject c) => new(
        OptionalText(c, "name"), OptionalBool(c, "essential"), OptionalBool(c, "readonlyRootFilesystem") ?? false,
        OptionalBool(OptionalObject(c, "linuxParameters"), "initProcessEnabled") ?? false,
        Names(c, "environment"), Names(c, "secrets"), OptionalObject(c, "logConfiguration") is { } log ? LogConfiguration(log) : null);

    private static EcsLogConfiguration LogConfiguration(JsonObject log)
    {
        var options = OptionalObject(log, "options") ?? new JsonObject();
        return new(OptionalText(log, "logDriver"),
            options.Where(o => o.Value is not null).ToDictionary(o => o.Key, o => OptionalText(options, o.Key)!, StringComparer.Ordinal));
    }

    private static IReadOnlyList<string> Names(JsonObject container, string list) =>
        Objects(container, list).Select(v => OptionalText(v, "name")).OfType<string>().ToList();
}
