using System.Text.Json.Nodes;
using static Cruddur.EcsSimulator.Tests.Releases;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>The ServiceDeployment API for rolling deployments, its errors, and the deploymentConfiguration checks of
/// CreateService and UpdateService.</summary>
public sealed class ServiceDeploymentApiTests
{
    [Fact]
    public async Task Rolling_deployments_are_service_deployments_too_and_a_new_one_stops_the_one_under_way()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        var created = await sim.CreateServiceAsync("backend-flask", await sim.RegisterAsync(), circuitBreaker: true, rollback: true);
        var first = Str(created["currentServiceDeployment"]);
        var firstRevision = Str(created["currentServiceRevisions"]![0]!["arn"]);
        Assert.Matches(@"^arn:aws:ecs:us-east-1:123456789012:service-revision/cruddur/backend-flask/\d{19}$", firstRevision);
        var done = await sim.WaitStatusAsync(first, "SUCCESSFUL");
        Assert.Null(done["lifecycleStage"]);
        Assert.Null(done["lifecycleHookDetails"]);
        Assert.Empty(done["sourceServiceRevisions"]!.AsArray());
        Assert.Equal(firstRevision, Str(done["targetServiceRevision"]!["arn"]));
        Assert.Equal(1, done["targetServiceRevision"]!["runningTaskCount"]!.GetValue<int>());
        Assert.Null(done["targetServiceRevision"]!["requestedProductionTrafficWeight"]);
        Assert.Equal("""{"status":"MONITORING_COMPLETE","failureCount":0,"threshold":3}""", done["deploymentCircuitBreaker"]!.ToJsonString());
        Assert.Equal("""{"status":"DISABLED"}""", done["alarms"]!.ToJsonString());

        var slow = await sim.DeployAsync("slow");
        var running = await sim.DescribeDeploymentAsync(slow);
        Assert.Equal("MONITORING", Str(running["deploymentCircuitBreaker"]!["status"]));
        Assert.Equal(firstRevision, Str(running["sourceServiceRevisions"]!.AsArray().Single()!["arn"]));
        var latest = await sim.DeployAsync();
        var stopped = await sim.DescribeDeploymentAsync(slow);
        Assert.Equal("STOPPED", Str(stopped["status"]));
        Assert.Equal(stopped["stoppedAt"]!.GetValue<double>(), stopped["finishedAt"]!.GetValue<double>());
        await sim.WaitStatusAsync(latest, "SUCCESSFUL");
        var service = await sim.DescribeServiceAsync("backend-flask");
        Assert.True(Sim.Completed(service));
        Assert.Equal(latest, Str(service["currentServiceDeployment"]));

        var list = new JsonObject { ["cluster"] = "cruddur", ["service"] = "arn:aws:ecs:us-east-1:123456789012:service/cruddur/backend-flask" };
        var all = (await sim.OkAsync("ListServiceDeployments", list))["serviceDeployments"]!.AsArray();
        Assert.Equal([latest, slow, first], all.Select(d => Str(d!["serviceDeploymentArn"])));
        var brief = all[1]!.AsObject();
        Assert.Equal(["serviceDeploymentArn", "serviceArn", "clusterArn", "createdAt", "targetServiceRevisionArn", "status", "startedAt", "finishedAt"], brief.Select(p => p.Key));

        var onlyStopped = (JsonObject)list.DeepClone();
        onlyStopped["status"] = new JsonArray("STOPPED");
        Assert.Equal([slow], (await sim.OkAsync("ListServiceDeployments", onlyStopped))["serviceDeployments"]!.AsArray().Select(d => Str(d!["serviceDeploymentArn"])));
        var after = (JsonObject)list.DeepClone();
        after["createdAt"] = new JsonObject { ["after"] = all[1]!["createdAt"]!.GetValue<double>() };
        Assert.Equal([latest], (await sim.OkAsync("ListServiceDeployments", after))["serviceDeployments"]!.AsArray().Select(d => Str(d!["serviceDeploymentArn"])));
        var paged = (JsonObject)list.DeepClone();
        paged["maxResults"] = 2;
        var page1 = await sim.OkAsync("ListServiceDeployments", paged);
        Assert.Equal(2, page1["serviceDeployments"]!.AsArray().Count);
        paged["nextToken"] = Str(page1["nextToken"]);
        var page2 = await sim.OkAsync("ListServiceDeployments", paged);
        Assert.Equal([first], page2["serviceDeployments"]!.AsArray().Select(d => Str(d!["serviceDeploymentArn"])));
        Assert.Null(page2["nextToken"]);
    }

    [Fact]
    public async Task StopServiceDeployment_rolls_a_rolling_deployment_back_to_the_last_completed_revision()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        var created = await sim.CreateServiceAsync("backend-flask", await sim.RegisterAsync());
        await sim.WaitStatusAsync(Str(created["currentServiceDeployment"]), "SUCCESSFUL");
        var good = Str(created["currentServiceRevisions"]![0]!["arn"]);
        var arn = await sim.DeployAsync("slow");

        await sim.OkAsync("StopServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn });
        var requested = await sim.DescribeDeploymentAsync(arn);
        Assert.Equal("ROLLBACK_REQUESTED", Str(requested["status"]));
        Assert.Equal(good, Str(requested["rollback"]!["serviceRevisionArn"]));
        var done = await sim.WaitStatusAsync(arn, "ROLLBACK_SUCCESSFUL");
        Assert.Equal("Rollback requested by StopServiceDeployment.", Str(done["statusReason"]));
        var service = await sim.DescribeServiceAsync("backend-flask");
        Assert.True(Sim.Completed(service));
        Assert.EndsWith("task-definition/backend-flask:1", Str(service["taskDefinition"]));
        Assert.Equal(good, Str(service["currentServiceRevisions"]!.AsArray().Single()!["arn"]));
    }

    [Fact]
    public async Task The_service_deployment_operations_answer_bad_requests_with_ecs_errors()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        var created = await sim.CreateServiceAsync("backend-flask", await sim.RegisterAsync());
        var arn = Str(created["currentServiceDeployment"]);
        const string ghost = "arn:aws:ecs:us-east-1:123456789012:service-deployment/cruddur/backend-flask/AAAAAAAAAAAAAAAAAAAAA";

        var described = await sim.OkAsync("DescribeServiceDeployments", new JsonObject { ["serviceDeploymentArns"] = new JsonArray(arn, ghost) });
        Assert.Single(described["serviceDeployments"]!.AsArray());
        Assert.Equal($$"""[{"arn":"{{ghost}}","reason":"MISSING"}]""", described["failures"]!.ToJsonString());
        var revisions = await sim.OkAsync("DescribeServiceRevisions", new JsonObject { ["serviceRevisionArns"] = new JsonArray("arn:aws:ecs:us-east-1:123456789012:service-revision/cruddur/backend-flask/1") });
        Assert.Equal("MISSING", Str(revisions["failures"]![0]!["reason"]));
        var tooMany = new JsonArray(Enumerable.Range(0, 21).Select(_ => (JsonNode?)arn).ToArray());
        Assert.Contains("20", Str((await sim.ErrorAsync("DescribeServiceDeployments", new JsonObject { ["serviceDeploymentArns"] = tooMany }, "InvalidParameterException"))["message"]));
        await sim.ErrorAsync("DescribeServiceRevisions", new JsonObject { ["serviceRevisionArns"] = new JsonArray() }, "InvalidParameterException");

        await sim.ErrorAsync("StopServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = ghost }, "ServiceDeploymentNotFoundException");
        await sim.ErrorAsync("StopServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn, ["stopType"] = "ABORT" }, "InvalidParameterException");
        await sim.WaitStatusAsync(arn, "SUCCESSFUL");
        await sim.ErrorAsync("StopServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn }, "ConflictException");

        await sim.ErrorAsync("ContinueServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = ghost, ["hookId"] = "ecs-pause-x" }, "ServiceDeploymentNotFoundException");
        await sim.ErrorAsync("ContinueServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn, ["hookId"] = "ecs-pause-x" }, "InvalidParameterException");
        await sim.ErrorAsync("ContinueServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn, ["hookId"] = "ecs-pause-x", ["action"] = "SKIP" }, "InvalidParameterException");

        await sim.ErrorAsync("ListServiceDeployments", new JsonObject { ["cluster"] = "cruddur", ["service"] = "ghost" }, "ServiceNotFoundException");
        await sim.ErrorAsync("ListServiceDeployments", new JsonObject { ["cluster"] = "nope", ["service"] = "backend-flask" }, "ClusterNotFoundException");
        await sim.ErrorAsync("ListServiceDeployments", new JsonObject { ["cluster"] = "cruddur", ["service"] = "backend-flask", ["status"] = new JsonArray("DONE") }, "InvalidParameterException");
        await sim.ErrorAsync("ListServiceDeployments", new JsonObject { ["cluster"] = "cruddur", ["service"] = "backend-flask", ["maxResults"] = 0 }, "InvalidParameterException");
    }

    [Fact]
    public async Task A_paused_hook_of_a_deployment_that_is_rolling_back_cannot_be_continued()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateServiceAsync(BlueGreen(), BlueGreenLb.Fake.LoadBalancers());
        var arn = await sim.DeployAsync(deploymentConfiguration: BlueGreen(hooks: [Pause("PRE_SCALE_UP"), Pause("PRE_SCALE_UP")]));
        var paused = await sim.WaitDeploymentAsync(arn, d => d["lifecycleHookDetails"]!.AsArray().Count(h => Str(h!["status"]) == "AWAITING_ACTION") == 2, "two pauses");
        var hooks = paused["lifecycleHookDetails"]!.AsArray().Select(h => Str(h!["hookId"])).ToList();
        Assert.NotEqual(hooks[0], hooks[1]);
        // Both hooks at a stage must be continued before it moves on.
        await sim.ContinueAsync(arn, hooks[0]);
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(100);
            Assert.Equal("PRE_SCALE_UP", Str((await sim.DescribeDeploymentAsync(arn))["lifecycleStage"]));
        }
        await sim.OkAsync("StopServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn });
        var err = await sim.ErrorAsync("ContinueServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn, ["hookId"] = hooks[1] }, "InvalidParameterException");
        Assert.Contains("ROLLBACK_REQUESTED", Str(err["message"]));
        await sim.WaitStatusAsync(arn, "ROLLBACK_SUCCESSFUL");
    }

    public static TheoryData<string, string, string> BadConfigurations => new()
    {
        { """{"strategy":"PURPLE"}""", "lb", "Invalid deployment strategy 'PURPLE'" },
        { """{"strategy":"BLUE_GREEN"}""", "lb", "bakeTimeInMinutes must be provided when the deployment strategy is BLUE_GREEN" },
        { """{"strategy":"BLUE_GREEN","bakeTimeInMinutes":1441}""", "lb", "bakeTimeInMinutes must be an integer from 0 to 1440" },
        { """{"strategy":"LINEAR","linearConfiguration":{"stepPercent":2.9}}""", "lb", "stepPercent must be a multiple of 0.1 from 3.0 to 100.0" },
        { """{"strategy":"LINEAR","linearConfiguration":{"stepPercent":10.05}}""", "lb", "stepPercent must be a multiple of 0.1 from 3.0 to 100.0" },
        { """{"strategy":"LINEAR","linearConfiguration":{"stepPercent":10,"stepBakeTimeInMinutes":1441}}""", "lb", "stepBakeTimeInMinutes must be an integer from 0 to 1440" },
        { """{"strategy":"CANARY","canaryConfiguration":{"canaryPercent":0}}""", "lb", "canaryPercent must be a multiple of 0.1 from 0.1 to 100.0" },
        { """{"strategy":"CANARY","canaryConfiguration":{"canaryPercent":5,"canaryBakeTimeInMinutes":-1}}""", "lb", "canaryBakeTimeInMinutes must be an integer from 0 to 1440" },
        { """{"strategy":"CANARY","linearConfiguration":{"stepPercent":10}}""", "lb", "linearConfiguration is only valid when the deployment strategy is LINEAR" },
        { """{"strategy":"LINEAR","canaryConfiguration":{"canaryPercent":10}}""", "lb", "canaryConfiguration is only valid when the deployment strategy is CANARY" },
        { """{"strategy":"LINEAR"}""", "none", "The LINEAR deployment strategy shifts traffic and needs a load balancer or Service Connect" },
        { """{"strategy":"BLUE_GREEN","bakeTimeInMinutes":0}""", "plain", "needs advancedConfiguration (alternateTargetGroupArn, productionListenerRule, roleArn)" },
        { """{"strategy":"BLUE_GREEN","bakeTimeInMinutes":0}""", "no-role", "advancedConfiguration.roleArn must be provided" },
        { """{"strategy":"BLUE_GREEN","bakeTimeInMinutes":0}""", "same-tg", "alternateTargetGroupArn must differ from targetGroupArn" },
        { """{"lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["PRODUCTION_TRAFFIC_SHIFT"]}]}""", "lb", "PAUSE lifecycle hooks cannot be configured at the PRODUCTION_TRAFFIC_SHIFT stage" },
        { """{"lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["TEST_TRAFFIC_SHIFT"]}]}""", "lb", "PAUSE lifecycle hooks cannot be configured at the TEST_TRAFFIC_SHIFT stage" },
        { """{"lifecycleHooks":[{"lifecycleStages":["PRE_SCALE_UP"]}]}""", "lb", "hookTargetArn must be provided for an AWS_LAMBDA lifecycle hook" },
        { """{"lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["BAKE_TIME"]}]}""", "lb", "Invalid lifecycle stage 'BAKE_TIME'" },
        { """{"lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":[]}]}""", "lb", "lifecycleStages must name at least one lifecycle stage" },
        { """{"lifecycleHooks":[{"targetType":"HTTP","lifecycleStages":["PRE_SCALE_UP"]}]}""", "lb", "Invalid lifecycle hook targetType 'HTTP'" },
        { """{"lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["PRE_SCALE_UP"],"timeoutConfiguration":{"timeoutInMinutes":0}}]}""", "lb", "timeoutInMinutes must be an integer from 1 to 20160" },
        { """{"lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["PRE_SCALE_UP"],"timeoutConfiguration":{"timeoutInMinutes":20161}}]}""", "lb", "timeoutInMinutes must be an integer from 1 to 20160" },
        { """{"lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["PRE_SCALE_UP"],"timeoutConfiguration":{"action":"WAIT"}}]}""", "lb", "Invalid timeout action 'WAIT'" },
        { "{\"lifecycleHooks\":[" + string.Join(",", Enumerable.Repeat("""{"targetType":"PAUSE","lifecycleStages":["PRE_SCALE_UP"]}""", 11)) + "]}", "lb", "at most 10 PAUSE and 10 AWS_LAMBDA lifecycle hooks" },
    };

    private static JsonArray? LoadBalancers(string kind)
    {
        var lbs = BlueGreenLb.Fake.LoadBalancers();
        var advanced = (JsonObject)lbs[0]!["advancedConfiguration"]!;
        switch (kind)
        {
            case "none":
                return null;
            case "plain":
                ((JsonObject)lbs[0]!).Remove("advancedConfiguration");
                break;
            case "no-role":
                advanced.Remove("roleArn");
                break;
            case "same-tg":
                advanced["alternateTargetGroupArn"] = BlueGreenLb.Fake.Blue;
                break;
        }
        return lbs;
    }

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public async Task CreateService_and_UpdateService_reject_a_bad_deploymentConfiguration_and_change_nothing(string configuration, string loadBalancers, string expected)
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        var td = await sim.RegisterAsync();
        var create = new JsonObject
        {
            ["cluster"] = "cruddur", ["serviceName"] = "backend-flask", ["taskDefinition"] = td, ["desiredCount"] = 1,
            ["deploymentConfiguration"] = JsonNode.Parse(configuration),
        };
        if (LoadBalancers(loadBalancers) is { } lbs)
        {
            create["loadBalancers"] = lbs;
        }
        var err = await sim.ErrorAsync("CreateService", create, "InvalidParameterException");
        Assert.Contains(expected, Str(err["message"]));
        Assert.Equal("MISSING", Str((await sim.OkAsync("DescribeServices", new JsonObject { ["cluster"] = "cruddur", ["services"] = new JsonArray("backend-flask") }))["failures"]![0]!["reason"]));

        var created = await sim.CreateServiceAsync(new JsonObject(), LoadBalancers(loadBalancers), td);
        var before = (await sim.DescribeServiceAsync("backend-flask")).ToJsonString();
        var update = new JsonObject
        {
            ["cluster"] = "cruddur", ["service"] = "backend-flask", ["taskDefinition"] = await sim.RegisterAsync(), ["desiredCount"] = 2,
            ["deploymentConfiguration"] = JsonNode.Parse(configuration),
        };
        err = await sim.ErrorAsync("UpdateService", update, "InvalidParameterException");
        Assert.Contains(expected, Str(err["message"]));
        var after = await sim.DescribeServiceAsync("backend-flask");
        Assert.Equal(1, after["desiredCount"]!.GetValue<int>());
        Assert.Equal(Str(created["currentServiceDeployment"]), Str(after["currentServiceDeployment"]));
        Assert.Equal(JsonNode.Parse(before)!["deploymentConfiguration"]!.ToJsonString(), after["deploymentConfiguration"]!.ToJsonString());
    }
}
