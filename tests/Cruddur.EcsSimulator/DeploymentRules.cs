using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>
/// What CreateService and UpdateService check in a deploymentConfiguration, with the ranges of the ECS API reference
/// (DeploymentConfiguration, LinearConfiguration, CanaryConfiguration, DeploymentLifecycleHook,
/// DeploymentLifecycleHookTimeoutConfiguration, AdvancedConfiguration) and the Developer Guide's pause-hook constraints,
/// and the production traffic steps a strategy takes.
/// </summary>
public static class DeploymentRules
{
    public const int MaxBakeMinutes = 1440;
    public const int MaxHookTimeoutMinutes = 20160;
    public const int MaxHooksPerType = 10;
    public const double DefaultStepPercent = 10;
    public const int DefaultStepBakeMinutes = 6;
    public const double DefaultCanaryPercent = 5;
    public const int DefaultCanaryBakeMinutes = 10;

    /// <summary>Checks a request's deploymentConfiguration against the service as it will be after the request
    /// (<paramref name="effective"/>: the merged configuration; its load balancers and Service Connect configuration).
    /// Throws InvalidParameterException.</summary>
    public static void Validate(JsonObject? request, JsonObject effective, JsonArray loadBalancers, JsonObject? serviceConnect)
    {
        var strategy = Json.Str(effective, "strategy") ?? Sd.Rolling;
        if (!Sd.Strategies.Contains(strategy))
        {
            throw Invalid($"Invalid deployment strategy '{strategy}'. Valid values: {string.Join(", ", Sd.Strategies)}.");
        }
        if (request is not null)
        {
            CheckStrategyConfiguration(request, strategy);
            foreach (var hook in (request["lifecycleHooks"] as JsonArray ?? []).Select(h => h as JsonObject ?? throw Invalid("Each lifecycle hook must be an object.")))
            {
                CheckHook(hook);
            }
            var hooks = (request["lifecycleHooks"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            if (hooks.Count(h => Json.Str(h, "targetType") == Sd.Pause) > MaxHooksPerType
                || hooks.Count(h => (Json.Str(h, "targetType") ?? Sd.Lambda) == Sd.Lambda) > MaxHooksPerType)
            {
                throw Invalid($"A service can have at most {MaxHooksPerType} PAUSE and {MaxHooksPerType} AWS_LAMBDA lifecycle hooks.");
            }
        }
        if (strategy == Sd.Rolling)
        {
            return;
        }
        if (strategy == Sd.BlueGreen && Json.Int(effective, "bakeTimeInMinutes") is null)
        {
            throw Invalid("bakeTimeInMinutes must be provided when the deployment strategy is BLUE_GREEN.");
        }
        if (strategy != Sd.BlueGreen && loadBalancers.Count == 0 && serviceConnect is null)
        {
            throw Invalid($"The {strategy} deployment strategy shifts traffic and needs a load balancer or Service Connect.");
        }
        foreach (var lb in loadBalancers.OfType<JsonObject>())
        {
            CheckAdvancedConfiguration(lb, strategy);
        }
    }

    private static void CheckStrategyConfiguration(JsonObject request, string strategy)
    {
        if (request["bakeTimeInMinutes"] is not null)
        {
            Range(request, "bakeTimeInMinutes", 0, MaxBakeMinutes);
        }
        if (request["linearConfiguration"] is JsonObject linear)
        {
            if (strategy != Sd.Linear)
            {
                throw Invalid("linearConfiguration is only valid when the deployment strategy is LINEAR.");
            }
            Tenths(linear, "stepPercent", 3.0);
            Range(linear, "stepBakeTimeInMinutes", 0, MaxBakeMinutes);
        }
        if (request["canaryConfiguration"] is JsonObject canary)
        {
            if (strategy != Sd.Canary)
            {
                throw Invalid("canaryConfiguration is only valid when the deployment strategy is CANARY.");
            }
            Tenths(canary, "canaryPercent", 0.1);
            Range(canary, "canaryBakeTimeInMinutes", 0, MaxBakeMinutes);
        }
    }

    private static void CheckHook(JsonObject hook)
    {
        var type = Json.Str(hook, "targetType") ?? Sd.Lambda;
        if (type is not (Sd.Lambda or Sd.Pause))
        {
            throw Invalid($"Invalid lifecycle hook targetType '{type}'. Valid values: AWS_LAMBDA, PAUSE.");
        }
        var stages = Json.StrList(hook, "lifecycleStages");
        if (stages.Count == 0)
        {
            throw Invalid("lifecycleStages must name at least one lifecycle stage.");
        }
        if (stages.FirstOrDefault(s => !Sd.HookStages.Contains(s)) is { } bad)
        {
            throw Invalid($"Invalid lifecycle stage '{bad}'. Valid values: {string.Join(", ", Sd.HookStages)}.");
        }
        if (type == Sd.Pause && stages.FirstOrDefault(s => s is Sd.TestTrafficShift or Sd.ProductionTrafficShift) is { } lambdaOnly)
        {
            throw Invalid($"PAUSE lifecycle hooks cannot be configured at the {lambdaOnly} stage; only AWS_LAMBDA hooks run there.");
        }
        if (type == Sd.Lambda && string.IsNullOrEmpty(Json.Str(hook, "hookTargetArn")))
        {
            throw Invalid("hookTargetArn must be provided for an AWS_LAMBDA lifecycle hook.");
        }
        if (hook["timeoutConfiguration"] is JsonObject timeout)
        {
            if (timeout["timeoutInMinutes"] is not null)
            {
                Range(timeout, "timeoutInMinutes", 1, MaxHookTimeoutMinutes);
            }
            if (Json.Str(timeout, "action") is { } action && action is not (Sd.Rollback or Sd.Continue))
            {
                throw Invalid($"Invalid timeout action '{action}'. Valid values: ROLLBACK, CONTINUE.");
            }
        }
    }

    private static void CheckAdvancedConfiguration(JsonObject lb, string strategy)
    {
        if (lb["advancedConfiguration"] is not JsonObject advanced)
        {
            throw Invalid($"The {strategy} deployment strategy needs advancedConfiguration (alternateTargetGroupArn, productionListenerRule, roleArn) on each load balancer.");
        }
        foreach (var field in new[] { "alternateTargetGroupArn", "productionListenerRule", "roleArn" })
        {
            if (string.IsNullOrEmpty(Json.Str(advanced, field)))
            {
                throw Invalid($"advancedConfiguration.{field} must be provided for the {strategy} deployment strategy.");
            }
        }
        if (Json.Str(advanced, "alternateTargetGroupArn") == Json.Str(lb, "targetGroupArn"))
        {
            throw Invalid("advancedConfiguration.alternateTargetGroupArn must differ from targetGroupArn.");
        }
    }

    /// <summary>The production traffic steps of a strategy: green's share after each step and the bake that follows it.</summary>
    public static List<(double Percent, double BakeMinutes)> ProductionSteps(JsonObject config)
    {
        switch (Json.Str(config, "strategy"))
        {
            case Sd.Canary:
                var canary = config["canaryConfiguration"] as JsonObject ?? [];
                var canaryPercent = Json.Double(canary, "canaryPercent") ?? DefaultCanaryPercent;
                return canaryPercent >= 100
                    ? [(100, 0)]
                    : [(canaryPercent, Json.Int(canary, "canaryBakeTimeInMinutes") ?? DefaultCanaryBakeMinutes), (100, 0)];
            case Sd.Linear:
                var linear = config["linearConfiguration"] as JsonObject ?? [];
                var tenths = (int)Math.Round((Json.Double(linear, "stepPercent") ?? DefaultStepPercent) * 10);
                var bake = Json.Int(linear, "stepBakeTimeInMinutes") ?? DefaultStepBakeMinutes;
                var steps = new List<(double, double)>();
                for (var share = tenths; share < 1000; share += tenths)
                {
                    steps.Add((share / 10.0, bake));
                }
                steps.Add((100, 0));
                return steps;
            default:
                return [(100, 0)];
        }
    }

    private static void Range(JsonObject o, string field, int min, int max)
    {
        if (o[field] is not null && (Json.Double(o, field) is not { } v || v != Math.Floor(v) || v < min || v > max))
        {
            throw Invalid($"{field} must be an integer from {min} to {max}.");
        }
    }

    private static void Tenths(JsonObject o, string field, double min)
    {
        if (o[field] is not null
            && (Json.Double(o, field) is not { } v || v < min || v > 100 || Math.Abs(v * 10 - Math.Round(v * 10)) > 1e-9))
        {
            throw Invalid($"{field} must be a multiple of 0.1 from {min:0.0} to 100.0.");
        }
    }

    private static EcsError Invalid(string message) => EcsError.InvalidParameter(message);
}
