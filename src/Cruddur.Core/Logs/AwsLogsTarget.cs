using System.Text.Json.Nodes;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Logs;

/// <summary>Where the awslogs driver puts a container's output: the group, its region and the stream &lt;prefix&gt;/&lt;container&gt;/&lt;taskId&gt;.</summary>
internal sealed record AwsLogsTarget(string Container, string Region, string Group, string StreamPrefix)
{
    public string StreamFor(string taskId) => $"{StreamPrefix}/{Container}/{taskId}";

    /// <summary>The awslogs targets of a task definition's containers (<paramref name="container"/>: only that one).</summary>
    public static IReadOnlyList<AwsLogsTarget> Of(JsonObject taskDefinition, string? container, string defaultRegion)
    {
        var definitions = (taskDefinition["containerDefinitions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var family = $"{(string?)taskDefinition["family"]}:{(int?)taskDefinition["revision"]}";
        if (container is not null && definitions.All(d => (string?)d["name"] != container))
        {
            throw ContainerNotFound(container, family, definitions.Select(d => (string?)d["name"]));
        }

        var targets = All(taskDefinition, defaultRegion).Where(t => container is null || t.Container == container).ToList();
        if (targets.Count == 0)
        {
            var name = container ?? (string?)definitions.FirstOrDefault()?["name"] ?? "app";
            throw new CruddurException(ErrorIds.LogNotConfigured, ErrorKind.InvalidData,
                $"The task definition {family} sends {(container is null ? "no container" : $"the container {container} not")} to CloudWatch Logs, so there is nothing to read. "
                + $"Add to the container definition of {name}: \"logConfiguration\": {{ \"logDriver\": \"awslogs\", \"options\": {{ \"awslogs-group\": \"{SeedDefaults.Cluster}\", \"awslogs-region\": \"{defaultRegion}\", \"awslogs-stream-prefix\": \"{name}\" }} }}, then deploy it (Deploy-CruddurService).",
                target: family);
        }

        return targets;
    }

    /// <summary>The awslogs targets of every container of a task definition that has one; no error for none.</summary>
    public static IEnumerable<AwsLogsTarget> All(JsonObject taskDefinition, string defaultRegion)
    {
        foreach (var d in (taskDefinition["containerDefinitions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (d["logConfiguration"] is JsonObject lc && (string?)lc["logDriver"] == "awslogs" && lc["options"] is JsonObject o
                && (string?)o["awslogs-group"] is { } group && (string?)o["awslogs-stream-prefix"] is { } prefix)
            {
                yield return new AwsLogsTarget((string)d["name"]!, (string?)o["awslogs-region"] ?? defaultRegion, group, prefix);
            }
        }
    }

    public static CruddurException ContainerNotFound(string container, string family, IEnumerable<string?> names) =>
        new(ErrorIds.TaskContainerNotFound, ErrorKind.ObjectNotFound,
            $"The task definition {family} has no container '{container}'. Its containers: {string.Join(", ", names.OfType<string>())}.",
            target: container);
}
