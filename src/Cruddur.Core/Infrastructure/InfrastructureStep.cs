namespace Cruddur.Core.Infrastructure;

/// <summary>A resource as found: its ARN or id, and what differs from the wanted state (null when nothing does).</summary>
public sealed record ObservedResource(string Id, string? Drift = null, string? Detail = null);

/// <summary>One resource of the plan: how to find it, create it and bring it in line. Steps never decide whether to act.</summary>
public abstract class InfrastructureStep
{
    protected InfrastructureStep(string kind, string name)
    {
        Kind = kind;
        Name = name;
    }

    /// <summary>LogGroup, EcsCluster, EcrRepository, IamRole, IamRolePolicy, IamPolicyAttachment, SecurityGroup.</summary>
    public string Kind { get; }

    public string Name { get; }

    /// <summary>The resource as it is, or null when it does not exist.</summary>
    public abstract Task<ObservedResource?> FindAsync(CancellationToken cancellationToken);

    /// <summary>Creates the resource; returns its ARN or id.</summary>
    public abstract Task<string> CreateAsync(CancellationToken cancellationToken);

    /// <summary>Brings an existing resource in line with the wanted state (only called when FindAsync reported drift).</summary>
    public virtual Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Kind} cannot be updated.");

    public override string ToString() => $"{Kind} {Name}";
}
