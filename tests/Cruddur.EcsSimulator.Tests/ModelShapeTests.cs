using System.Text.Json.Nodes;
using static Cruddur.EcsSimulator.Tests.Releases;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>The simulator's requests and answers for services and service deployments, member for member against the
/// ECS API model of the machine's botocore.</summary>
public sealed class ModelShapeTests
{
    private const string Function = "arn:aws:lambda:us-east-1:123456789012:function:smoke";

    [Fact]
    public async Task Every_member_of_the_service_deployment_operations_is_in_the_ecs_model_with_its_type()
    {
        await using var sim = await Sim.StartAsync();
        var ecs = new CheckedClient(sim, EcsModel.Load());
        await sim.CreateClusterAsync();
        await sim.ControlAsync("/_sim/lambda-hooks", new { functionArn = Function, hookStatus = "SUCCEEDED" });
        var td = await sim.RegisterAsync();
        var hooks = new JsonArray(Pause("POST_TEST_TRAFFIC_SHIFT", timeoutMinutes: 30, timeoutAction: "ROLLBACK"), Lambda(Function, "TEST_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT"));
        var created = await ecs.CallAsync("CreateService", new JsonObject
        {
            ["cluster"] = "cruddur", ["serviceName"] = "backend-flask", ["taskDefinition"] = td, ["desiredCount"] = 1, ["launchType"] = "FARGATE",
            ["loadBalancers"] = BlueGreenLb.Fake.LoadBalancers(),
            ["deploymentConfiguration"] = Canary(20, 0),
            ["networkConfiguration"] = new JsonObject { ["awsvpcConfiguration"] = new JsonObject { ["subnets"] = new JsonArray("subnet-1") } },
        });
        await WaitAsync(ecs, Str(created["service"]!["currentServiceDeployment"]), "SUCCESSFUL");

        var update = new JsonObject
        {
            ["cluster"] = "cruddur", ["service"] = "backend-flask", ["taskDefinition"] = await sim.RegisterAsync(),
            ["deploymentConfiguration"] = Canary(20, 0, hooks),
        };
        var arn = Str((await ecs.CallAsync("UpdateService", update))["service"]!["currentServiceDeployment"]);
        var paused = await WaitAsync(ecs, arn, "IN_PROGRESS", d => d["lifecycleHookDetails"]!.AsArray().Any(h => Str(h!["status"]) == "AWAITING_ACTION"));
        await ecs.CallAsync("DescribeServices", new JsonObject { ["cluster"] = "cruddur", ["services"] = new JsonArray("backend-flask"), ["include"] = new JsonArray("TAGS") });
        await ecs.CallAsync("ListServiceDeployments", new JsonObject
        {
            ["cluster"] = "cruddur", ["service"] = "backend-flask", ["status"] = new JsonArray("IN_PROGRESS", "SUCCESSFUL"),
            ["createdAt"] = new JsonObject { ["after"] = 0, ["before"] = SimState.Now + 60 }, ["maxResults"] = 5,
        });
        await ecs.CallAsync("DescribeServiceRevisions", new JsonObject
        {
            ["serviceRevisionArns"] = new JsonArray(Str(paused["targetServiceRevision"]!["arn"]), Str(paused["sourceServiceRevisions"]![0]!["arn"]), "arn:aws:ecs:us-east-1:123456789012:service-revision/cruddur/backend-flask/1"),
        });
        var hookId = Str(paused["lifecycleHookDetails"]!.AsArray().Single(h => Str(h!["status"]) == "AWAITING_ACTION")!["hookId"]);
        await ecs.CallAsync("ContinueServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn, ["hookId"] = hookId, ["action"] = "CONTINUE" });
        await WaitAsync(ecs, arn, "SUCCESSFUL");

        update["taskDefinition"] = await sim.RegisterAsync();
        update["deploymentConfiguration"] = BlueGreen(hooks: [Pause("POST_PRODUCTION_TRAFFIC_SHIFT")]);
        arn = Str((await ecs.CallAsync("UpdateService", update))["service"]!["currentServiceDeployment"]);
        paused = await WaitAsync(ecs, arn, "IN_PROGRESS", d => d["lifecycleHookDetails"]!.AsArray().Any(h => Str(h!["status"]) == "AWAITING_ACTION"));
        await ecs.CallAsync("ContinueServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn, ["hookId"] = Str(paused["lifecycleHookDetails"]![0]!["hookId"]), ["action"] = "ROLLBACK" });
        await WaitAsync(ecs, arn, "ROLLBACK_SUCCESSFUL");

        update["taskDefinition"] = await sim.RegisterAsync("crash");
        update["deploymentConfiguration"] = new JsonObject
        {
            ["strategy"] = "ROLLING",
            ["deploymentCircuitBreaker"] = new JsonObject { ["enable"] = true, ["rollback"] = true },
            ["alarms"] = new JsonObject { ["alarmNames"] = new JsonArray("cruddur-5xx"), ["enable"] = true, ["rollback"] = true },
        };
        arn = Str((await ecs.CallAsync("UpdateService", update))["service"]!["currentServiceDeployment"]);
        await WaitAsync(ecs, arn, "ROLLBACK_SUCCESSFUL");
        update["taskDefinition"] = await sim.RegisterAsync("slow");
        arn = Str((await ecs.CallAsync("UpdateService", update))["service"]!["currentServiceDeployment"]);
        await ecs.CallAsync("StopServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn, ["stopType"] = "ROLLBACK" });
        await WaitAsync(ecs, arn, "ROLLBACK_SUCCESSFUL");
        await ecs.CallAsync("DescribeServiceDeployments", new JsonObject { ["serviceDeploymentArns"] = new JsonArray(arn, arn + "x") });

        Assert.True(ecs.Problems.Count == 0, string.Join(Environment.NewLine, ecs.Problems.Distinct()));
        Assert.Superset(new HashSet<string>
        {
            "CreateService", "UpdateService", "DescribeServices", "ListServiceDeployments", "DescribeServiceDeployments",
            "DescribeServiceRevisions", "StopServiceDeployment", "ContinueServiceDeployment",
        }, ecs.Operations);
    }

    /// <summary>Polls DescribeServiceDeployments through the checking client, so every state on the way is checked too.</summary>
    private static async Task<JsonObject> WaitAsync(CheckedClient ecs, string arn, string status, Func<JsonObject, bool>? also = null)
    {
        JsonObject? last = null;
        var ok = await Poll.UntilAsync(async () =>
        {
            last = (JsonObject)(await ecs.CallAsync("DescribeServiceDeployments", new JsonObject { ["serviceDeploymentArns"] = new JsonArray(arn) }))["serviceDeployments"]![0]!;
            return Str(last["status"]) == status && (also is null || also(last));
        }, TimeSpan.FromSeconds(30));
        Assert.True(ok, $"Timed out waiting for {status}: {last?.ToJsonString()}");
        return last!;
    }
}
