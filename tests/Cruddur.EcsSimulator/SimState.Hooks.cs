using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>What the stand-in for a Lambda function answers when a lifecycle hook invokes it (set with /_sim/lambda-hooks).</summary>
public sealed record LambdaAnswer(string HookStatus, double? CallBackDelay);

/// <summary>
/// Lifecycle hooks (Developer Guide: "Lifecycle hooks for Amazon ECS service deployments", "Pause hooks for Amazon ECS
/// service deployments", "Lambda hooks ..."). The hooks configured for a stage run in parallel once the stage's own work is
/// done; the deployment moves on when every one SUCCEEDED (or TIMED_OUT with timeout action CONTINUE). A PAUSE hook is
/// AWAITING_ACTION until ContinueServiceDeployment; an AWS_LAMBDA hook invokes its function (here: the answer registered
/// for its ARN; none means the function does not exist, and the invocation fails) and is invoked again after callBackDelay
/// seconds (default 30) while it answers IN_PROGRESS. A FAILED hook, or a timeout with action ROLLBACK (the default; after
/// timeoutInMinutes, default 1440), rolls the deployment back. During a rollback ECS runs the Lambda hooks of the traffic
/// shifts it undoes (TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT) and waits for them; their answer does not stop it.
/// </summary>
public sealed partial class SimState
{
    public const double DefaultCallBackDelaySeconds = 30;
    public const int DefaultHookTimeoutMinutes = 1440;

    public Dictionary<string, LambdaAnswer> LambdaAnswers { get; } = new(StringComparer.Ordinal);

    /// <summary>Every payload sent to a hook's function, oldest first.</summary>
    public List<JsonObject> LambdaInvocations { get; } = [];

    /// <summary>One-shot stage failures per service (cluster/service) set with /_sim/stage-fault: (stage, reason).</summary>
    public Dictionary<string, (string Stage, string Reason)> StageFaults { get; } = new(StringComparer.Ordinal);

    private void ResetLifecycleHooks()
    {
        LambdaAnswers.Clear();
        LambdaInvocations.Clear();
        StageFaults.Clear();
    }

    private string? TakeStageFault(ServiceRec svc, string stage)
    {
        var key = ScenarioKey(svc.Cluster.Name, svc.Name);
        if (!StageFaults.TryGetValue(key, out var fault) || fault.Stage != stage)
        {
            return null;
        }
        StageFaults.Remove(key);
        return fault.Reason;
    }

    private void StartHooks(ServiceDeploymentRec sd, BlueGreenRun run, string hookStage, double now)
    {
        var runs = new List<HookRun>();
        foreach (var hook in (sd.Configuration["lifecycleHooks"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var type = Json.Str(hook, "targetType") ?? Sd.Lambda;
            // During a rollback ECS runs the Lambda hooks of the traffic shifts it undoes; pause hooks cannot be set there.
            if (!Json.StrList(hook, "lifecycleStages").Contains(hookStage) || (run.RollingBack && type != Sd.Lambda))
            {
                continue;
            }
            var timeout = hook["timeoutConfiguration"] as JsonObject;
            var minutes = (timeout is null ? null : Json.Int(timeout, "timeoutInMinutes")) ?? DefaultHookTimeoutMinutes;
            runs.Add(new HookRun
            {
                HookId = type == Sd.Pause ? "ecs-pause-" + UrlSafeId(43) : Guid.NewGuid().ToString(),
                TargetType = type,
                TargetArn = type == Sd.Lambda ? Json.Str(hook, "hookTargetArn") : null,
                HookStage = hookStage,
                HookDetails = hook["hookDetails"]?.DeepClone(),
                Status = type == Sd.Pause ? Sd.AwaitingAction : Sd.InProgress,
                ExpiresAt = now + Scaled(minutes * 60),
                TimeoutAction = (timeout is null ? null : Json.Str(timeout, "action")) ?? Sd.Rollback,
                NextInvokeAt = now,
            });
        }
        run.StepHooks = runs;
        if (runs.Count > 0)
        {
            sd.Hooks = runs;
            sd.UpdatedAt = now;
        }
    }

    private StepOutcome PollHooks(ServiceDeploymentRec sd, BlueGreenRun run, double now)
    {
        foreach (var hook in run.StepHooks.Where(h => h.IsOpen))
        {
            if (now >= hook.ExpiresAt)
            {
                hook.Status = Sd.TimedOut;
                hook.Reason = $"Lifecycle hook {hook.HookId} timed out at {hook.HookStage}.";
                sd.UpdatedAt = now;
            }
            else if (hook.TargetType == Sd.Lambda && now >= hook.NextInvokeAt)
            {
                InvokeLambda(sd, run, hook, now);
            }
        }
        // A rollback is not rolled back: during one, a hook's failure or timeout only ends its wait.
        if (!run.RollingBack && run.StepHooks.FirstOrDefault(h => h.Status == Sd.Failed || (h.Status == Sd.TimedOut && h.TimeoutAction == Sd.Rollback)) is { } failed)
        {
            return StepOutcome.Fail(failed.Reason!);
        }
        return run.StepHooks.Any(h => h.IsOpen) ? StepOutcome.Waiting : StepOutcome.Ok;
    }

    /// <summary>Invokes a hook's function with the payload ECS sends (executionDetails with the traffic weights per
    /// revision, executionId, lifecycleStage, resourceArn, hookDetails) and applies its hookStatus.</summary>
    private void InvokeLambda(ServiceDeploymentRec sd, BlueGreenRun run, HookRun hook, double now)
    {
        var payload = new JsonObject
        {
            ["executionDetails"] = new JsonObject
            {
                ["testTrafficWeights"] = TrafficWeights(sd, run.TestPercent),
                ["productionTrafficWeights"] = TrafficWeights(sd, run.ProductionPercent),
                ["serviceArn"] = sd.Service.Arn,
                ["targetServiceRevisionArn"] = sd.Target.Arn,
            },
            ["executionId"] = hook.HookId,
            ["lifecycleStage"] = hook.HookStage,
            ["resourceArn"] = sd.Arn,
        };
        Json.Put(payload, "hookDetails", hook.HookDetails?.DeepClone());
        var answer = hook.TargetArn is { } arn && LambdaAnswers.TryGetValue(arn, out var a) ? a : null;
        LambdaInvocations.Add(new JsonObject { ["functionArn"] = hook.TargetArn, ["at"] = Json.Time(now), ["payload"] = payload, ["hookStatus"] = answer?.HookStatus });
        sd.UpdatedAt = now;
        switch (answer?.HookStatus)
        {
            case null:
                hook.Status = Sd.Failed;
                hook.Reason = $"Lifecycle hook {hook.TargetArn} could not be invoked at {hook.HookStage}: Function not found: {hook.TargetArn}";
                break;
            case Sd.InProgress:
                hook.NextInvokeAt = now + Scaled(answer.CallBackDelay ?? DefaultCallBackDelaySeconds);
                break;
            default:
                hook.Status = answer.HookStatus;
                hook.Reason = $"Lifecycle hook {hook.TargetArn} returned {answer.HookStatus} at {hook.HookStage}.";
                break;
        }
    }

    /// <summary>A revision-ARN → percent map of a traffic kind: green's share and blue's rest (empty without a load balancer).</summary>
    private static JsonObject TrafficWeights(ServiceDeploymentRec sd, double greenPercent)
    {
        var weights = new JsonObject();
        if (!sd.Target.LoadBalancers.OfType<JsonObject>().Any(lb => lb["advancedConfiguration"] is JsonObject))
        {
            return weights;
        }
        weights[sd.Target.Arn] = greenPercent;
        if (sd.Sources.FirstOrDefault() is { } blue)
        {
            weights[blue.Revision.Arn] = 100 - greenPercent;
        }
        return weights;
    }
}
