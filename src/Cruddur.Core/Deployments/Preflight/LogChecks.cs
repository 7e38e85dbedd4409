using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Deployments.Preflight;

/// <summary>The awslogs options of one container: group, region (null: the deploy's), stream prefix and whether ECS may create the group.</summary>
internal sealed record AwsLogsOptions(string Group, string? Region, string? StreamPrefix, bool CreateGroup);

/// <summary>Whether each awslogs log group exists in the region its options name (or the task may create it).</summary>
internal static class LogChecks
{
    public static AwsLogsOptions? AwsLogs(JsonObject container)
    {
        var configuration = container["logConfiguration"] as JsonObject;
        if ((string?)configuration?["logDriver"] != "awslogs" || configuration["options"] is not JsonObject options || (string?)options["awslogs-group"] is not { Length: > 0 } group)
        {
            return null;
        }

        return new AwsLogsOptions(group, (string?)options["awslogs-region"], (string?)options["awslogs-stream-prefix"],
            string.Equals((string?)options["awslogs-create-group"], "true", StringComparison.OrdinalIgnoreCase));
    }

    public static async Task<IReadOnlyList<DeployCheck>> CheckAsync(PreflightFacts facts, string service, string container, AwsLogsOptions options, CancellationToken token)
    {
        var region = options.Region ?? facts.Clients.Region;
        return [Decide(service, container, options, region, await facts.LogGroupAsync(region, options.Group, token).ConfigureAwait(false))];
    }

    public static DeployCheck Decide(string service, string container, AwsLogsOptions options, string region, LogGroup? group)
    {
        if (group is not null)
        {
            return DeployCheck.Pass(service, DeployCheck.LogGroupCheck, $"Container {container}: log group {options.Group} exists in {region}.");
        }

        if (options.CreateGroup)
        {
            return DeployCheck.Pass(service, DeployCheck.LogGroupCheck, $"Container {container}: log group {options.Group} does not exist in {region}; awslogs-create-group lets the task create it (the execution role needs logs:CreateLogGroup, checked under {DeployCheck.ExecutionRolePermissionsCheck}).");
        }

        return DeployCheck.Fail(service, DeployCheck.LogGroupCheck,
            $"Container {container}: log group {options.Group} does not exist in {region}, so the task would stop with \"ResourceInitializationError: failed to validate logger args: ... The specified log group does not exist\".",
            $"Create it: Initialize-CruddurInfrastructure (it creates the seed's group) or aws logs create-log-group --log-group-name {options.Group} --region {region}; or set \"awslogs-create-group\": \"true\" in the container's log options.");
    }
}
