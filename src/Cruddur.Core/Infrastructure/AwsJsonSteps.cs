using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Images;

namespace Cruddur.Core.Infrastructure;

/// <summary>The CloudWatch log group the task definitions log to, with its retention (seed: cruddur, 1 day).</summary>
internal sealed class LogGroupStep : InfrastructureStep
{
    private readonly ILogsClient _logs;
    private readonly int _retentionDays;

    public LogGroupStep(ILogsClient logs, string name, int retentionDays)
        : base("LogGroup", name)
    {
        _logs = logs;
        _retentionDays = retentionDays;
    }

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        var group = await _logs.FindLogGroupAsync(Name, cancellationToken).ConfigureAwait(false);
        if (group is null)
        {
            return null;
        }

        var retention = group.RetentionDays;
        return retention == _retentionDays
            ? new ObservedResource(group.Arn, Detail: $"retention {retention} day(s)")
            : new ObservedResource(group.Arn, $"retention {(retention is null ? "never expires" : retention + " day(s)")} -> {_retentionDays} day(s)");
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        // false: created meanwhile; setting the retention below is all that is left.
        await _logs.CreateLogGroupAsync(Name, cancellationToken).ConfigureAwait(false);
        await PutRetentionAsync(cancellationToken).ConfigureAwait(false);
        return (await FindAsync(cancellationToken).ConfigureAwait(false))?.Id ?? Name;
    }

    internal override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) => PutRetentionAsync(cancellationToken);

    private Task PutRetentionAsync(CancellationToken cancellationToken) => _logs.PutRetentionPolicyAsync(Name, _retentionDays, cancellationToken);
}

/// <summary>The ECS cluster, created with a Service Connect default namespace of the same name (seed: cruddur).</summary>
internal sealed class EcsClusterStep : InfrastructureStep
{
    private readonly IEcsClient _ecs;

    public EcsClusterStep(IEcsClient ecs, string name)
        : base("EcsCluster", name)
    {
        _ecs = ecs;
    }

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        var cluster = await _ecs.DescribeClusterAsync(Name, cancellationToken).ConfigureAwait(false);
        if (cluster is not { Status: "ACTIVE" })
        {
            return null; // missing, or INACTIVE (deleted): ECS creates it anew under the same name
        }

        var ns = cluster.ServiceConnectNamespace;
        return new ObservedResource(cluster.Arn, Detail: ns is null ? "no Service Connect default namespace" : "namespace " + ns);
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken) =>
        (await _ecs.CreateClusterAsync(Name, serviceConnectNamespace: Name, cancellationToken).ConfigureAwait(false)).Arn;
}

/// <summary>An ECR repository (MUTABLE tags, scan on push), through the project's ECR helpers.</summary>
internal sealed class EcrRepositoryStep : InfrastructureStep
{
    private readonly IEcrClient _ecr;

    public EcrRepositoryStep(IEcrClient ecr, string name)
        : base("EcrRepository", name)
    {
        _ecr = ecr;
    }

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken) =>
        await _ecr.FindRepositoryAsync(Name, cancellationToken).ConfigureAwait(false) is { } repository
            ? new ObservedResource(repository.Arn, Detail: repository.Uri)
            : null;

    public override async Task<string> CreateAsync(CancellationToken cancellationToken) =>
        (await EcrRepositories.CreateAsync(_ecr, Name, cancellationToken).ConfigureAwait(false)).Arn;
}
