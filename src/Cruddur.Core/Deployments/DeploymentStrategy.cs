namespace Cruddur.Core.Deployments;

/// <summary>
/// How ECS replaces a service's tasks (the service's deploymentConfiguration.strategy: ROLLING, BLUE_GREEN, LINEAR,
/// CANARY). The three that shift traffic need the same edge: a second target group per service and listener rules that
/// forward to both by weight.
/// </summary>
public enum DeploymentStrategy
{
    /// <summary>New tasks replace old ones in the same target group.</summary>
    Rolling,

    /// <summary>All production traffic moves to the new tasks in the alternate target group at once.</summary>
    BlueGreen,

    /// <summary>Production traffic moves to the new tasks in equal steps.</summary>
    Linear,

    /// <summary>A share of production traffic moves to the new tasks first, the rest later.</summary>
    Canary,
}

/// <summary>What a strategy asks of the load balancer.</summary>
public static class DeploymentStrategies
{
    /// <summary>Whether ECS shifts traffic between two target groups: every strategy but Rolling.</summary>
    public static bool ShiftsTraffic(this DeploymentStrategy strategy) => strategy != DeploymentStrategy.Rolling;
}
