using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>The load balancer resources a blue/green service names: two target groups and two listener rules.</summary>
public sealed record BlueGreenLb(string Blue, string Green, string ProductionRule, string? TestRule)
{
    public const string Role = "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers";

    /// <summary>ARNs no load balancer has: enough when the simulator runs without an ELBv2 upstream.</summary>
    public static readonly BlueGreenLb Fake = new(
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cruddur-blue/1111111111111111",
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cruddur-green/2222222222222222",
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/cruddur/3333333333333333/4444444444444444/5555555555555555",
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/cruddur/3333333333333333/6666666666666666/7777777777777777");

    public JsonArray LoadBalancers()
    {
        var advanced = new JsonObject
        {
            ["alternateTargetGroupArn"] = Green,
            ["productionListenerRule"] = ProductionRule,
            ["roleArn"] = Role,
        };
        if (TestRule is not null)
        {
            advanced["testListenerRule"] = TestRule;
        }
        return [new JsonObject { ["targetGroupArn"] = Blue, ["containerName"] = "backend-flask", ["containerPort"] = 4567, ["advancedConfiguration"] = advanced }];
    }
}

/// <summary>Service deployments driven over the raw API: create a service with a strategy, update it, follow the deployment.</summary>
public static class Releases
{
    public static JsonObject BlueGreen(int bakeMinutes = 0, JsonArray? hooks = null) => Config(new JsonObject
    {
        ["strategy"] = "BLUE_GREEN",
        ["bakeTimeInMinutes"] = bakeMinutes,
    }, hooks);

    public static JsonObject Linear(double stepPercent, int stepBakeMinutes, JsonArray? hooks = null) => Config(new JsonObject
    {
        ["strategy"] = "LINEAR",
        ["linearConfiguration"] = new JsonObject { ["stepPercent"] = stepPercent, ["stepBakeTimeInMinutes"] = stepBakeMinutes },
        ["bakeTimeInMinutes"] = 0,
    }, hooks);

    public static JsonObject Canary(double canaryPercent, int canaryBakeMinutes, JsonArray? hooks = null) => Config(new JsonObject
    {
        ["strategy"] = "CANARY",
        ["canaryConfiguration"] = new JsonObject { ["canaryPercent"] = canaryPercent, ["canaryBakeTimeInMinutes"] = canaryBakeMinutes },
        ["bakeTimeInMinutes"] = 0,
    }, hooks);

    private static JsonObject Config(JsonObject config, JsonArray? hooks)
    {
        if (hooks is not null)
        {
            config["lifecycleHooks"] = hooks;
        }
        return config;
    }

    public static JsonObject Pause(string stage, int? timeoutMinutes = null, string? timeoutAction = null)
    {
        var hook = new JsonObject { ["targetType"] = "PAUSE", ["lifecycleStages"] = new JsonArray(stage) };
        if (timeoutMinutes is not null || timeoutAction is not null)
        {
            var timeout = new JsonObject();
            if (timeoutMinutes is { } m)
            {
                timeout["timeoutInMinutes"] = m;
            }
            if (timeoutAction is not null)
            {
                timeout["action"] = timeoutAction;
            }
            hook["timeoutConfiguration"] = timeout;
        }
        return hook;
    }

    public static JsonObject Lambda(string functionArn, params string[] stages) => new()
    {
        ["targetType"] = "AWS_LAMBDA",
        ["hookTargetArn"] = functionArn,
        ["roleArn"] = "arn:aws:iam::123456789012:role/ecsLambdaHookRole",
        ["lifecycleStages"] = new JsonArray(stages.Select(s => (JsonNode?)s).ToArray()),
        ["hookDetails"] = new JsonObject { ["suite"] = "smoke" },
    };

    /// <summary>Creates the cluster and a 1-task service with the given strategy; waits for its first deployment to succeed.</summary>
    public static async Task<JsonObject> CreateServiceAsync(this Sim sim, JsonObject deploymentConfiguration, JsonArray? loadBalancers, string? taskDefinition = null)
    {
        await sim.CreateClusterAsync();
        var request = new JsonObject
        {
            ["cluster"] = "cruddur",
            ["serviceName"] = "backend-flask",
            ["taskDefinition"] = taskDefinition ?? await sim.RegisterAsync(),
            ["desiredCount"] = 1,
            ["launchType"] = "FARGATE",
            ["networkConfiguration"] = new JsonObject
            {
                ["awsvpcConfiguration"] = new JsonObject { ["subnets"] = new JsonArray("subnet-1"), ["securityGroups"] = new JsonArray("sg-1") },
            },
            ["deploymentConfiguration"] = deploymentConfiguration,
        };
        if (loadBalancers is not null)
        {
            request["loadBalancers"] = loadBalancers;
        }
        var created = (JsonObject)(await sim.OkAsync("CreateService", request))["service"]!;
        await sim.WaitDeploymentAsync(Str(created["currentServiceDeployment"]), d => Str(d["status"]) == "SUCCESSFUL", "the first deployment");
        return created;
    }

    /// <summary>UpdateService to a new revision of the task definition (with <paramref name="scenario"/>); returns the new
    /// service deployment's ARN.</summary>
    public static async Task<string> DeployAsync(this Sim sim, string? scenario = null, JsonObject? deploymentConfiguration = null)
    {
        var update = new JsonObject { ["cluster"] = "cruddur", ["service"] = "backend-flask", ["taskDefinition"] = await sim.RegisterAsync(scenario) };
        if (deploymentConfiguration is not null)
        {
            update["deploymentConfiguration"] = deploymentConfiguration;
        }
        var service = (await sim.OkAsync("UpdateService", update))["service"]!;
        return Str(service["currentServiceDeployment"]);
    }

    public static async Task<JsonObject> DescribeDeploymentAsync(this Sim sim, string arn)
    {
        var res = await sim.OkAsync("DescribeServiceDeployments", new JsonObject { ["serviceDeploymentArns"] = new JsonArray(arn) });
        return (JsonObject)res["serviceDeployments"]!.AsArray().Single()!;
    }

    /// <summary>Polls DescribeServiceDeployments until the predicate holds; returns the matching deployment.</summary>
    public static async Task<JsonObject> WaitDeploymentAsync(this Sim sim, string arn, Func<JsonObject, bool> predicate, string what, double seconds = 30)
    {
        JsonObject? last = null;
        var ok = await Poll.UntilAsync(async () =>
        {
            last = await sim.DescribeDeploymentAsync(arn);
            return predicate(last);
        }, TimeSpan.FromSeconds(seconds));
        Assert.True(ok, $"Timed out waiting for {what}; last state: {last?.ToJsonString()}");
        return last!;
    }

    public static Task<JsonObject> WaitStatusAsync(this Sim sim, string arn, string status, double seconds = 30) =>
        sim.WaitDeploymentAsync(arn, d => Str(d["status"]) == status, status, seconds);

    /// <summary>Waits for a pause hook AWAITING_ACTION; returns its hookId.</summary>
    public static async Task<string> WaitPauseAsync(this Sim sim, string arn, string stage)
    {
        var paused = await sim.WaitDeploymentAsync(arn, d => d["lifecycleHookDetails"]?.AsArray().Any(h => Str(h!["status"]) == "AWAITING_ACTION") == true
            && Str(d["lifecycleStage"]) == stage, $"a pause at {stage}");
        return Str(paused["lifecycleHookDetails"]!.AsArray().Single(h => Str(h!["status"]) == "AWAITING_ACTION")!["hookId"]);
    }

    public static async Task<JsonObject> ContinueAsync(this Sim sim, string arn, string hookId, string action = "CONTINUE") =>
        await sim.OkAsync("ContinueServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn, ["hookId"] = hookId, ["action"] = action });

    /// <summary>The stages the simulator walked for a deployment (control endpoint), as "STAGE", "STAGE@green percent" for
    /// a traffic shift, "PRE_PRODUCTION_TRAFFIC_SHIFT" for its hooks, "step-bake" for a linear or canary step's bake, with
    /// "rollback:" before the ones of a rollback.</summary>
    public static async Task<List<string>> StagesAsync(this Sim sim, string arn)
    {
        var all = (await sim.ControlAsync("/_sim/service-deployments"))["serviceDeployments"]!.AsArray();
        var mine = all.Single(d => Str(d!["serviceDeploymentArn"]) == arn)!;
        return mine["stages"]!.AsArray().Select(s =>
        {
            var stage = Str(s!["lifecycleStage"]);
            var name = (s["rollback"]!.GetValue<bool>() ? "rollback:" : "")
                + (s["hookStage"] is { } h && Str(h) != stage ? Str(h) : s["bakeMinutes"] is not null && stage != "BAKE_TIME" ? "step-bake" : stage);
            return s["greenPercent"] is { } p ? $"{name}@{p.GetValue<double>()}" : name;
        }).ToList();
    }

    /// <summary>When (epoch seconds) the deployment entered each stage, in order.</summary>
    public static async Task<List<(string Stage, double At)>> StageTimesAsync(this Sim sim, string arn)
    {
        var all = (await sim.ControlAsync("/_sim/service-deployments"))["serviceDeployments"]!.AsArray();
        return all.Single(d => Str(d!["serviceDeploymentArn"]) == arn)!["stages"]!.AsArray()
            .Select(s => (Str(s!["lifecycleStage"]), s["at"]!.GetValue<double>())).ToList();
    }

    public static async Task<List<string>> ServiceTasksAsync(this Sim sim) =>
        await sim.ListTasksAsync(new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask" });

    public static string Str(JsonNode? n) => n!.GetValue<string>();
}
