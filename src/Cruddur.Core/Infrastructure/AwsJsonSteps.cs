using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Images;

namespace Cruddur.Core.Infrastructure;

/// <summary>The CloudWatch log group the task definitions log to, with its retention (seed: cruddur, 1 day).</summary>
public sealed class LogGroupStep : InfrastructureStep
{
    private readonly IAwsJsonApi _logs;
    private readonly int _retentionDays;

    public LogGroupStep(IAwsJsonApi logs, string name, int retentionDays)
        : base("LogGroup", name)
    {
        _logs = logs;
        _retentionDays = retentionDays;
    }

    public override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        string? next = null;
        do
        {
            var request = new JsonObject { ["logGroupNamePrefix"] = Name };
            if (next is not null)
            {
                request["nextToken"] = next;
            }

            var response = await _logs.InvokeAsync("DescribeLogGroups", request, cancellationToken).ConfigureAwait(false);
            foreach (var group in response["logGroups"] as JsonArray ?? [])
            {
                if ((string?)group?["logGroupName"] == Name)
                {
                    var retention = (int?)group["retentionInDays"];
                    var arn = ((string?)group["arn"] ?? string.Empty).TrimEnd('*').TrimEnd(':');
                    return retention == _retentionDays
                        ? new ObservedResource(arn, Detail: $"retention {retention} day(s)")
                        : new ObservedResource(arn, $"retention {(retention is null ? "never expires" : retention + " day(s)")} -> {_retentionDays} day(s)");
                }
            }

            next = (string?)response["nextToken"];
        }
        while (next is not null);

        return null;
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _logs.InvokeAsync("CreateLogGroup", new JsonObject { ["logGroupName"] = Name }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ResourceAlreadyExistsException")
        {
            // Created meanwhile: setting the retention below is all that is left.
        }

        await PutRetentionAsync(cancellationToken).ConfigureAwait(false);
        return (await FindAsync(cancellationToken).ConfigureAwait(false))?.Id ?? Name;
    }

    public override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) => PutRetentionAsync(cancellationToken);

    private Task PutRetentionAsync(CancellationToken cancellationToken) =>
        _logs.InvokeAsync("PutRetentionPolicy", new JsonObject { ["logGroupName"] = Name, ["retentionInDays"] = _retentionDays }, cancellationToken);
}

/// <summary>The ECS cluster, created with a Service Connect default namespace of the same name (seed: cruddur).</summary>
public sealed class EcsClusterStep : InfrastructureStep
{
    private readonly IAwsJsonApi _ecs;

    public EcsClusterStep(IAwsJsonApi ecs, string name)
        : base("EcsCluster", name)
    {
        _ecs = ecs;
    }

    public override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        var response = await _ecs.InvokeAsync("DescribeClusters", new JsonObject { ["clusters"] = new JsonArray(Name) }, cancellationToken).ConfigureAwait(false);
        var cluster = (response["clusters"] as JsonArray ?? []).FirstOrDefault(c => (string?)c?["status"] == "ACTIVE");
        if (cluster is null)
        {
            return null; // missing, or INACTIVE (deleted): ECS creates it anew under the same name
        }

        var ns = (string?)cluster["serviceConnectDefaults"]?["namespace"];
        return new ObservedResource((string)cluster["clusterArn"]!, Detail: ns is null ? "no Service Connect default namespace" : "namespace " + ns);
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var response = await _ecs.InvokeAsync("CreateCluster", new JsonObject
        {
            ["clusterName"] = Name,
            ["serviceConnectDefaults"] = new JsonObject { ["namespace"] = Name },
        }, cancellationToken, retryServerErrors: false).ConfigureAwait(false);
        return (string)response["cluster"]!["clusterArn"]!;
    }
}

/// <summary>An ECR repository (MUTABLE tags, scan on push), through the project's ECR helpers.</summary>
public sealed class EcrRepositoryStep : InfrastructureStep
{
    private readonly IAwsJsonApi _ecr;

    public EcrRepositoryStep(IAwsJsonApi ecr, string name)
        : base("EcrRepository", name)
    {
        _ecr = ecr;
    }

    public override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken) =>
        await EcrRepositories.FindAsync(_ecr, Name, cancellationToken).ConfigureAwait(false) is { } repository
            ? new ObservedResource(repository.Arn, Detail: repository.Uri)
            : null;

    public override async Task<string> CreateAsync(CancellationToken cancellationToken) =>
        (await EcrRepositories.CreateAsync(_ecr, Name, cancellationToken).ConfigureAwait(false)).Arn;
}
