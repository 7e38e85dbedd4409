using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Logs;

/// <summary>Where the awslogs driver puts a container's output: the group, its region and the stream &lt;prefix&gt;/&lt;container&gt;/&lt;taskId&gt;.</summary>
internal sealed record AwsLogsTarget(string Container, string Region, string Group, string StreamPrefix)
{
    public string StreamFor(string taskId) => $"{StreamPrefix}/{Container}/{taskId}";

    /// <summary>The awslogs targets of a task definition's containers (<paramref name="container"/>: only that one).</summary>
    public static IReadOnlyList<AwsLogsTarget> Of(EcsTaskDefinition taskDefinition, string? container, string defaultRegion)
    {
        var definitions = taskDefinition.Containers;
        var family = $"{taskDefinition.Family}:{taskDefinition.Revision}";
        if (container is not null && definitions.All(d => d.Name != container))
        {
            throw ContainerNotFound(container, family, definitions.Select(d => d.Name));
        }

        var targets = All(taskDefinition, defaultRegion).Where(t => container is null || t.Container == container).ToList();
        if (targets.Count == 0)
        {
            var name = container ?? definitions.FirstOrDefault()?.Name ?? "app";
            throw new CruddurException(ErrorIds.LogNotConfigured, ErrorKind.InvalidData,
                $"The task definition {family} sends {(container is null ? "no container" : $"the container {container} not")} to CloudWatch Logs, so there is nothing to read. "
                + $"Add to the container definition of {name}: \"logConfiguration\": {{ \"logDriver\": \"awslogs\", \"options\": {{ \"awslogs-group\": \"{SeedDefaults.Cluster}\", \"awslogs-region\": \"{defaultRegion}\", \"awslogs-stream-prefix\": \"{name}\" }} }}, then deploy it (Deploy-CruddurService).",
                target: family);
        }

        return targets;
    }

    /// <summary>The awslogs targets of every container of a task definition that has one; no error for none.</summary>
    public static IEnumerable<AwsLogsTarget> All(EcsTaskDefinition taskDefinition, string defaultRegion)
    {
        foreach (var d in taskDefinition.Containers)
        {
            if (d.LogConfiguration is { LogDriver: "awslogs", Options: var o }
                && o.GetValueOrDefault("awslogs-group") is { } group && o.GetValueOrDefault("awslogs-stream-prefix") is { } prefix)
            {
                yield return new AwsLogsTarget(d.Name!, o.GetValueOrDefault("awslogs-region") ?? defaultRegion, group, prefix);
            }
        }
    }

    public static CruddurException ContainerNotFound(string container, string family, IEnumerable<string?> names) =>
        new(ErrorIds.TaskContainerNotFound, ErrorKind.ObjectNotFound,
            $"The task definition {family} has no container '{container}'. Its containers: {string.Join(", ", names.OfType<string>())}.",
            target: container);
}
