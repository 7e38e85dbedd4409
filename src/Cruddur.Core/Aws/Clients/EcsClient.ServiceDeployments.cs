using System.Text.Json.Nodes;
using static Cruddur.Core.Aws.AwsJson;

namespace Cruddur.Core.Aws.Clients;

/// <summary>A ServiceRevisionSummary: task counts and, while traffic shifts, the new revision's requested share (percent).</summary>
internal sealed record EcsServiceRevisionSummary(string Arn, int RequestedTaskCount, int RunningTaskCount, int PendingTaskCount,
    double? RequestedTestTrafficWeight, double? RequestedProductionTrafficWeight);

/// <summary>A DeploymentLifecycleHookDetail: one hook of the stage that ran hooks last.</summary>
internal sealed record EcsLifecycleHook(string HookId, string TargetType, string? TargetArn, string Status, DateTimeOffset? ExpiresAt);

/// <summary>
/// A ServiceDeployment (DescribeServiceDeployments): its status (PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED,
/// ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED), the lifecycle stage it is in
/// (blue/green, linear and canary only), the revisions it goes from and to, its hooks and its rollback.
/// </summary>
internal sealed record EcsServiceDeployment(string Arn, string Status, string? StatusReason, string? LifecycleStage, string? Strategy,
    IReadOnlyList<EcsServiceRevisionSummary> SourceRevisions, EcsServiceRevisionSummary? TargetRevision, IReadOnlyList<EcsLifecycleHook> Hooks,
    string? RollbackReason, string? RollbackRevisionArn)
{
    /// <summary>Whether ECS is done with it (SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED).</summary>
    public bool IsFinished => Status is "SUCCESSFUL" or "STOPPED" or "ROLLBACK_SUCCESSFUL" or "ROLLBACK_FAILED";
}

internal sealed partial class EcsClient
{
    /// <summary>DescribeServiceDeployments and DescribeServiceRevisions take at most 20 ARNs per call (the model: "a maximum of 20 ARNs").</summary>
    public const int DescribeServiceDeploymentsBatch = 20;

    public async Task<IReadOnlyList<EcsServiceDeployment>> DescribeServiceDeploymentsAsync(IReadOnlyList<string> arns, CancellationToken cancellationToken)
    {
        var found = new List<EcsServiceDeployment>();
        foreach (var batch in arns.Chunk(DescribeServiceDeploymentsBatch))
        {
            var request = new JsonObject { ["serviceDeploymentArns"] = new JsonArray(batch.Select(a => (JsonNode)a).ToArray()) };
            found.AddRange(await _api.CallAsync("DescribeServiceDeployments", request, idempotent: true,
                r => Objects(r, "serviceDeployments").Select(ServiceDeployment).ToList(), cancellationToken).ConfigureAwait(false));
        }

        return found;
    }

    public async Task<IReadOnlyDictionary<string, string>> DescribeServiceRevisionsAsync(IReadOnlyList<string> arns, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var batch in arns.Distinct(StringComparer.Ordinal).Chunk(DescribeServiceDeploymentsBatch))
        {
            var request = new JsonObject { ["serviceRevisionArns"] = new JsonArray(batch.Select(a => (JsonNode)a).ToArray()) };
            foreach (var (arn, taskDefinition) in await _api.CallAsync("DescribeServiceRevisions", request, idempotent: true,
                r => Objects(r, "serviceRevisions").Select(v => (Text(v, "serviceRevisionArn"), Text(v, "taskDefinition"))).ToList(), cancellationToken).ConfigureAwait(false))
            {
                found[arn] = taskDefinition;
            }
        }

        return found;
    }

    // Idempotent: a second stop of a deployment already rolling back changes nothing.
    public Task StopServiceDeploymentAsync(string serviceDeploymentArn, CancellationToken cancellationToken) =>
        _api.CallAsync("StopServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = serviceDeploymentArn, ["stopType"] = "ROLLBACK" }, idempotent: true, cancellationToken);

    // Not idempotent: a repeat after the hook moved on answers an error for a hook no longer waiting.
    public Task ContinueServiceDeploymentAsync(string serviceDeploymentArn, string hookId, bool rollback, CancellationToken cancellationToken) =>
        _api.CallAsync("ContinueServiceDeployment", new JsonObject
        {
            ["serviceDeploymentArn"] = serviceDeploymentArn,
            ["hookId"] = hookId,
            ["action"] = rollback ? "ROLLBACK" : "CONTINUE",
        }, idempotent: false, cancellationToken);

    /// <summary>One ServiceDeployment of an answer (internal: tests feed scripted answers through it).</summary>
    internal static EcsServiceDeployment ServiceDeployment(JsonObject d) => new(
        Text(d, "serviceDeploymentArn"), Text(d, "status"), OptionalText(d, "statusReason"), OptionalText(d, "lifecycleStage"),
        OptionalText(OptionalObject(d, "deploymentConfiguration"), "strategy"),
        Objects(d, "sourceServiceRevisions").Select(RevisionSummary).ToList(),
        OptionalObject(d, "targetServiceRevision") is { } target ? RevisionSummary(target) : null,
        Objects(d, "lifecycleHookDetails").Select(h => new EcsLifecycleHook(Text(h, "hookId"), OptionalText(h, "targetType") ?? "AWS_LAMBDA",
            OptionalText(h, "targetArn"), OptionalText(h, "status") ?? "IN_PROGRESS", AwsTime.Parse(h["expiresAt"]))).ToList(),
        OptionalText(OptionalObject(d, "rollback"), "reason"), OptionalText(OptionalObject(d, "rollback"), "serviceRevisionArn"));

    private static EcsServiceRevisionSummary RevisionSummary(JsonObject r) => new(
        Text(r, "arn"), OptionalInt(r, "requestedTaskCount") ?? 0, OptionalInt(r, "runningTaskCount") ?? 0, OptionalInt(r, "pendingTaskCount") ?? 0,
        OptionalDouble(r, "requestedTestTrafficWeight"), OptionalDouble(r, "requestedProductionTrafficWeight"));
}
