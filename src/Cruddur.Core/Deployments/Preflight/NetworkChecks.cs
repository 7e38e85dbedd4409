using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Deployments.Preflight;

/// <summary>What a service's awsvpc network looks like: its subnets and groups that exist, their route tables and the VPC's endpoints.</summary>
internal sealed record NetworkFacts(
    IReadOnlyList<string> SubnetIds,
    IReadOnlyList<string> GroupIds,
    bool AssignPublicIp,
    IReadOnlyList<SubnetInfo> Subnets,
    IReadOnlyList<SecurityGroupInfo> Groups,
    IReadOnlyList<RouteTableInfo> RouteTables,
    IReadOnlyList<string> Endpoints);

/// <summary>The service's network (subnets, security groups, a way out to pull images) and its target groups.</summary>
internal static class NetworkChecks
{
    public static async Task<IReadOnlyList<DeployCheck>> NetworkAsync(PreflightFacts facts, string service, JsonObject definition, JsonObject? networkConfiguration, CancellationToken token)
    {
        if (networkConfiguration?["awsvpcConfiguration"] is not JsonObject vpc)
        {
            return (string?)definition["networkMode"] == "awsvpc"
                ? [DeployCheck.Fail(service, DeployCheck.NetworkCheck, "The task definition uses networkMode awsvpc, but the service has no networkConfiguration.awsvpcConfiguration.",
                    "Add networkConfiguration.awsvpcConfiguration with subnets and securityGroups to the service definition (aws/ecs/service-<name>.json).")]
                : [];
        }

        var subnetIds = Texts(vpc["subnets"]);
        var groupIds = Texts(vpc["securityGroups"]);
        var subnets = subnetIds.Count == 0 ? [] : await facts.SubnetsAsync(subnetIds, token).ConfigureAwait(false);
        var groups = groupIds.Count == 0 ? [] : await facts.SecurityGroupsAsync(groupIds, token).ConfigureAwait(false);
        var vpcIds = subnets.Select(s => s.VpcId).Concat(groups.Select(g => g.VpcId)).Distinct().ToList();
        IReadOnlyList<RouteTableInfo> routes = [];
        IReadOnlyList<string> endpoints = [];
        if (vpcIds.Count == 1)
        {
            routes = await facts.RouteTablesAsync(vpcIds[0], token).ConfigureAwait(false);
            endpoints = await facts.EndpointsAsync(vpcIds[0], token).ConfigureAwait(false);
        }

        return Decide(service, new NetworkFacts(subnetIds, groupIds, (string?)vpc["assignPublicIp"] == "ENABLED", subnets, groups, routes, endpoints));
    }

    public static IReadOnlyList<DeployCheck> Decide(string service, NetworkFacts n)
    {
        var missing = n.SubnetIds.Where(id => n.Subnets.All(s => s.SubnetId != id)).Concat(n.GroupIds.Where(id => n.Groups.All(g => g.GroupId != id))).ToList();
        if (n.SubnetIds.Count == 0 || missing.Count > 0)
        {
            return [DeployCheck.Fail(service, DeployCheck.NetworkCheck,
                n.SubnetIds.Count == 0 ? "The service's awsvpcConfiguration names no subnet." : $"{string.Join(", ", missing)} {(missing.Count == 1 ? "does" : "do")} not exist, so ECS could not place the tasks.",
                "Name existing subnets and security groups of one VPC in the service definition (aws ec2 describe-subnets; Initialize-CruddurInfrastructure creates the seed's groups).")];
        }

        var vpcs = n.Subnets.Select(s => s.VpcId).Concat(n.Groups.Select(g => g.VpcId)).Distinct().ToList();
        if (vpcs.Count > 1)
        {
            return [DeployCheck.Fail(service, DeployCheck.NetworkCheck,
                $"The subnets and security groups are in different VPCs ({string.Join(", ", n.Subnets.Select(s => $"{s.SubnetId}: {s.VpcId}").Concat(n.Groups.Select(g => $"{g.GroupId}: {g.VpcId}")))}); ECS refuses them.",
                "Name subnets and security groups of one VPC.")];
        }

        var endpoints = n.Endpoints.Any(e => e.EndsWith(".ecr.dkr", StringComparison.Ordinal)) && n.Endpoints.Any(e => e.EndsWith(".ecr.api", StringComparison.Ordinal));
        var main = n.RouteTables.FirstOrDefault(t => t.Main);
        var rows = new List<DeployCheck>();
        foreach (var subnet in n.Subnets)
        {
            var table = n.RouteTables.FirstOrDefault(t => t.SubnetIds.Contains(subnet.SubnetId)) ?? main;
            if (endpoints || table is null)
            {
                continue;
            }

            if (table.DefaultRouteToInternetGateway && !n.AssignPublicIp)
            {
                rows.Add(DeployCheck.Warn(service, DeployCheck.NetworkCheck,
                    $"Subnet {subnet.SubnetId} is public (its default route goes to an internet gateway), but assignPublicIp is DISABLED: the tasks get no public address and cannot reach ECR, so images will not pull (CannotPullContainerError ... i/o timeout).",
                    "Set \"assignPublicIp\": \"ENABLED\" in the service's awsvpcConfiguration, use private subnets with a NAT gateway, or add ECR (api, dkr), S3 and Logs VPC endpoints."));
            }
            else if (!table.DefaultRouteToInternetGateway && !table.DefaultRouteToNat)
            {
                rows.Add(DeployCheck.Warn(service, DeployCheck.NetworkCheck,
                    $"Subnet {subnet.SubnetId} has no route to the internet (route table {table.RouteTableId}) and the VPC has no ECR endpoints, so images will not pull (CannotPullContainerError ... i/o timeout).",
                    "Add a NAT gateway route (0.0.0.0/0) to the subnet's route table, or ECR (api, dkr), S3 and Logs VPC endpoints to the VPC."));
            }
        }

        return rows.Count > 0 ? rows : [DeployCheck.Pass(service, DeployCheck.NetworkCheck,
            $"Subnets {string.Join(", ", n.SubnetIds)} and security groups {string.Join(", ", n.GroupIds)} are in {vpcs[0]}{(endpoints ? ", which has ECR endpoints" : " with a way out to pull images")}.")];
    }

    public static async Task<IReadOnlyList<DeployCheck>> TargetGroupsAsync(PreflightFacts facts, string service, JsonObject definition, JsonArray? loadBalancers, CancellationToken token)
    {
        var rows = new List<DeployCheck>();
        foreach (var balancer in loadBalancers?.OfType<JsonObject>() ?? [])
        {
            if ((string?)balancer["targetGroupArn"] is not { } arn)
            {
                continue;
            }

            var container = (string?)balancer["containerName"] ?? "?";
            var port = (int?)balancer["containerPort"];
            rows.Add(DecideTargetGroup(service, definition, arn, container, port, await facts.TargetGroupAsync(arn, token).ConfigureAwait(false)));
        }

        return rows;
    }

    public static DeployCheck DecideTargetGroup(string service, JsonObject definition, string arn, string containerName, int? containerPort, TargetGroup? group)
    {
        if (group is null)
        {
            return DeployCheck.Fail(service, DeployCheck.TargetGroupCheck, $"The target group {arn} does not exist, so ECS could not register the tasks.",
                "Create it (Initialize-CruddurInfrastructure -Domain <domain> creates the seed's) or name an existing one in the service's loadBalancers.");
        }

        var awsvpc = (string?)definition["networkMode"] == "awsvpc";
        if (awsvpc && group.TargetType != "ip")
        {
            return DeployCheck.Fail(service, DeployCheck.TargetGroupCheck, $"Target group {group.Name} has target type {group.TargetType}, but awsvpc tasks can only be registered by IP.",
                $"Create a target group with --target-type ip (port {containerPort}) and name it in the service's loadBalancers.");
        }

        var container = (definition["containerDefinitions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["name"] == containerName);
        var ports = (container?["portMappings"] as JsonArray)?.OfType<JsonObject>().Select(p => (int?)p["containerPort"]).ToList() ?? [];
        if (container is null || !ports.Contains(containerPort))
        {
            return DeployCheck.Fail(service, DeployCheck.TargetGroupCheck,
                container is null ? $"The service's loadBalancers name container {containerName}, which the task definition does not have." : $"Container {containerName} maps no port {containerPort} (it maps {string.Join(", ", ports)}), which the service's loadBalancers name.",
                $"Make the loadBalancers' containerName and containerPort match a portMappings entry of the task definition.");
        }

        if (group.Port != containerPort)
        {
            return DeployCheck.Warn(service, DeployCheck.TargetGroupCheck, $"Target group {group.Name} listens on port {group.Port}, but container {containerName} serves on {containerPort}: ECS registers the container port, so health checks on \"traffic-port\" go there, not to {group.Port}.",
                $"Make the target group's port {containerPort} to avoid surprises (a target group's port cannot be changed: create one).");
        }

        return DeployCheck.Pass(service, DeployCheck.TargetGroupCheck, $"Target group {group.Name} ({group.TargetType}, port {group.Port}) matches container {containerName}:{containerPort}.");
    }

    private static IReadOnlyList<string> Texts(JsonNode? node) => (node as JsonArray)?.Select(n => (string?)n).OfType<string>().ToList() ?? [];
}
