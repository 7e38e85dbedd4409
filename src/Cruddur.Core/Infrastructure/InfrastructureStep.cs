namespace Cruddur.Core.Infrastructure;

/// <summary>
/// A resource as found: its ARN or id, and what differs from the wanted state (null when nothing does). With
/// <paramref name="Removes"/>, bringing it in line means deleting it (a listener the plan does not own, under -Force).
/// </summary>
internal sealed record ObservedResource(string Id, string? Drift = null, string? Detail = null, bool Removes = false);

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
    internal abstract Task<ObservedResource?> FindAsync(CancellationToken cancellationToken);

    /// <summary>Creates the resource; returns its ARN or id.</summary>
    public abstract Task<string> CreateAsync(CancellationToken cancellationToken);

    /// <summary>Brings an existing resource in line with the wanted state (only called when FindAsync reported drift).</summary>
    internal virtual Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Kind} cannot be updated.");

    /// <summary>What to report about a resource this run created (a new hosted zone's name servers); null for nothing.</summary>
    public virtual string? CreatedDetail => null;

    public override string ToString() => $"{Kind} {Name}";
}

/// <summary>
/// Steps that can only be listed when the run reaches them (the load balancer's listeners that the plan does not own):
/// the reconciler runs what <see cref="ExpandAsync"/> returns in its place.
/// </summary>
internal abstract class InfrastructureStepGroup : InfrastructureStep
{
    protected InfrastructureStepGroup(string kind, string name)
        : base(kind, name)
    {
    }

    public abstract Task<IReadOnlyList<InfrastructureStep>> ExpandAsync(CancellationToken cancellationToken);

    internal sealed override Task<ObservedResource?> FindAsync(CancellationToken cancellationToken) => throw new NotSupportedException("A step group is expanded, not run.");

    public sealed override Task<string> CreateAsync(CancellationToken cancellationToken) => throw new NotSupportedException("A step group is expanded, not run.");
}
