namespace Cruddur.Core.Infrastructure;

/// <summary>What Initialize-CruddurInfrastructure did to one resource.</summary>
public enum ResourceStatus
{
    /// <summary>It was missing and is now created.</summary>
    Created,

    /// <summary>It was there as wanted; nothing was changed.</summary>
    Exists,

    /// <summary>It was there but differed (a policy, the retention, an ingress rule) and was brought in line.</summary>
    Updated,

    /// <summary>It was not wanted (a listener the plan does not own) and was removed, as -Force asked.</summary>
    Removed,

    /// <summary>Creating or updating it failed; the run stopped here.</summary>
    Failed,
}

/// <summary>One resource of the one-time set-up and what happened to it. <see cref="Id"/> is its ARN or id when known.</summary>
public sealed record InfrastructureResource(string Kind, string Name, string? Id, ResourceStatus Status, string? Detail);
