using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Edge;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// What a deploy does to a service's release strategy: the settings it runs with now, the ones the deploy sets, what
/// UpdateService sends beside the task definition (null: nothing, exactly as a deploy without strategy settings), and
/// the -WhatIf lines.
/// </summary>
internal sealed record StrategyPlan(StrategySettings Current, StrategySettings Requested, ServiceChanges? Changes, IReadOnlyList<string> Diff)
{
    /// <summary>The strategy the deployment runs with.</summary>
    public DeploymentStrategy Strategy => Requested.Strategy ?? Current.EffectiveStrategy;
}

/// <summary>
/// Plans a service's strategy (<see cref="StrategyConfiguration"/>) and refuses, before anything is registered, a
/// traffic-shifting strategy whose load balancer entries lack what ECS shifts traffic with: an advancedConfiguration, and
/// an edge that passes <see cref="BlueGreenPreflight"/>.
/// </summary>
internal sealed class StrategyPlanner
{
    private readonly IElbv2Client? _elb;
    private readonly IIamClient? _iam;
    private readonly IOperationHost _host;

    public StrategyPlanner(IElbv2Client? elb, IIamClient? iam, IOperationHost host)
    {
        _elb = elb;
        _iam = iam;
        _host = host;
    }

    /// <summary>For a service to create: the file's deploymentConfiguration, the parameters over it, written back into the definition.</summary>
    public async Task<StrategyPlan> ForNewAsync(string name, JsonObject serviceDefinition, StrategySettings parameters, string source, CancellationToken cancellationToken)
    {
        var file = StrategyConfiguration.Read(serviceDefinition[StrategyConfiguration.Section] as JsonObject, source);
        var requested = StrategyConfiguration.Check(StrategyConfiguration.Override(file, parameters), new StrategySettings(), source);
        if (!requested.IsEmpty)
        {
            var configuration = serviceDefinition[StrategyConfiguration.Section] as JsonObject ?? new JsonObject();
            StrategyConfiguration.Write(configuration, requested);
            serviceDefinition[StrategyConfiguration.Section] = configuration;
        }

        var plan = new StrategyPlan(new StrategySettings(), requested, null, StrategyConfiguration.Diff(new StrategySettings(), requested));
        await CheckEdgeAsync(name, plan.Strategy, serviceDefinition["loadBalancers"] as JsonArray, source, preflight: true, cancellationToken).ConfigureAwait(false);
        return plan;
    }

    /// <summary>
    /// For a service that exists: the parameters over its deploymentConfiguration. A traffic-shifting strategy on a
    /// service whose loadBalancers have no advancedConfiguration takes them from <paramref name="fileLoadBalancers"/>
    /// (its service file's, names resolved), read only then.
    /// </summary>
    public async Task<StrategyPlan> ForExistingAsync(string name, EcsService service, StrategySettings parameters,
        Func<Task<JsonArray?>> fileLoadBalancers, CancellationToken cancellationToken)
    {
        var configuration = service.DeploymentConfiguration;
        var current = StrategyConfiguration.Read(configuration, name);
        var requested = StrategyConfiguration.Check(parameters, current, name);
        if (requested.IsEmpty)
        {
            return new StrategyPlan(current, requested, null, []);
        }

        var next = configuration?.DeepClone() as JsonObject ?? new JsonObject();
        StrategyConfiguration.Write(next, requested);
        var plan = new StrategyPlan(current, requested, null, StrategyConfiguration.Diff(current, requested));
        var loadBalancers = service.LoadBalancers;
        JsonArray? changedLoadBalancers = null;
        if (plan.Strategy.ShiftsTraffic() && !AllAdvanced(loadBalancers) && await fileLoadBalancers().ConfigureAwait(false) is { } fromFile)
        {
            changedLoadBalancers = fromFile;
            loadBalancers = fromFile;
        }

        // The preflight looks at an edge the service does not shift traffic on yet; one ECS already shifts on is ECS's to judge
        // (after a deployment the rule carries ECS's own weights, 1:0, which the preflight's percent check would refuse).
        await CheckEdgeAsync(name, plan.Strategy, loadBalancers, name, preflight: changedLoadBalancers is not null || !current.EffectiveStrategy.ShiftsTraffic(), cancellationToken).ConfigureAwait(false);
        var diff = changedLoadBalancers is null ? plan.Diff : [.. plan.Diff, "loadBalancers: with advancedConfiguration from the service file"];
        return plan with { Changes = new ServiceChanges(next, changedLoadBalancers), Diff = diff };
    }

    private static bool AllAdvanced(JsonArray? loadBalancers) =>
        (loadBalancers ?? []).OfType<JsonObject>().All(e => Advanced(e) is not null);

    /// <summary>An entry's advancedConfiguration with the members ECS needs (the test rule is optional), or null.</summary>
    private static AdvancedConfiguration? Advanced(JsonObject entry) =>
        entry[BlueGreenReferences.Section] is JsonObject c
        && AwsJson.TextOrNull(c["alternateTargetGroupArn"]) is { } alternate
        && AwsJson.TextOrNull(c["productionListenerRule"]) is { } production
        && AwsJson.TextOrNull(c["roleArn"]) is { } role
            ? new AdvancedConfiguration(alternate, production, AwsJson.TextOrNull(c["testListenerRule"]), role)
            : null;

    private async Task CheckEdgeAsync(string name, DeploymentStrategy strategy, JsonArray? loadBalancers, string source, bool preflight, CancellationToken cancellationToken)
    {
        if (!strategy.ShiftsTraffic())
        {
            return;
        }

        foreach (var entry in (loadBalancers ?? []).OfType<JsonObject>())
        {
            var targetGroup = AwsJson.TextOrNull(entry["targetGroupArn"]) ?? "(none)";
            var advanced = Advanced(entry) ?? throw new CruddurException(ErrorIds.DeployStrategyNeedsAlternateTargetGroup, ErrorKind.InvalidArgument,
                $"{source}: the {strategy} strategy shifts traffic between two target groups, but the load balancer entry for {AwsArn.TargetGroupName(targetGroup)} has no advancedConfiguration "
                + "with an alternate target group, a production listener rule and a role. Name them in the service file's loadBalancers entry "
                + $"(\"advancedConfiguration\": {{\"alternateTargetGroupName\": \"{SeedDefaults.AlternateTargetGroup(AwsArn.TargetGroupName(targetGroup))}\", \"productionListenerRuleName\": \"{SeedDefaults.ProductionRuleName(name)}\", "
                + $"\"roleName\": \"{SeedDefaults.EcsInfrastructureRole}\"}}; Initialize-CruddurInfrastructure -Domain <your domain> -Strategy BlueGreen creates them), or deploy with the Rolling strategy. Nothing was registered.",
                target: name);
            if (!preflight || _elb is null || _iam is null)
            {
                continue;
            }

            var checks = BlueGreenPreflight.Evaluate(await BlueGreenPreflight.ReadAsync(_elb, _iam, name, targetGroup, advanced, cancellationToken).ConfigureAwait(false));
            foreach (var warning in checks.Where(c => c.Status == BlueGreenCheckStatus.Warn))
            {
                _host.WriteWarning($"{name}: {warning.Check}: {warning.Detail} {warning.Fix}".TrimEnd());
            }

            if (BlueGreenPreflight.Refusal(checks) is { } refusal)
            {
                throw refusal;
            }
        }
    }
}
