using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>The simulator driven by the real aws CLI (botocore's ECS model, JSON 1.1 protocol, waiters, retries).</summary>
public sealed class AwsCliTests
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    [Fact]
    public async Task Cli_creates_cluster_registers_seed_task_definition_creates_service_and_describes_it()
    {
        await using var sim = await Sim.StartAsync();

        var cluster = await AwsCli.OkAsync(sim, "ecs", "create-cluster", "--cluster-name", "cruddur", "--service-connect-defaults", "namespace=cruddur");
        Assert.Equal("arn:aws:ecs:us-east-1:123456789012:cluster/cruddur", cluster["cluster"]!["clusterArn"]!.GetValue<string>());
        Assert.StartsWith("arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-", cluster["cluster"]!["serviceConnectDefaults"]!["namespace"]!.GetValue<string>());

        var reg = await AwsCli.OkAsync(sim, "ecs", "register-task-definition", "--cli-input-json", "file://" + Fixture("backend-flask.json"));
        var td = reg["taskDefinition"]!.AsObject();
        Assert.Equal("arn:aws:ecs:us-east-1:123456789012:task-definition/backend-flask:1", td["taskDefinitionArn"]!.GetValue<string>());
        Assert.Equal(1, td["revision"]!.GetValue<int>());
        Assert.Equal("ACTIVE", td["status"]!.GetValue<string>());
        Assert.Equal("awsvpc", td["networkMode"]!.GetValue<string>());
        Assert.Equal("arn:aws:iam::478429420160:role/CruddurTaskRole", td["taskRoleArn"]!.GetValue<string>());
        var flask = td["containerDefinitions"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "backend-flask")!;
        Assert.Equal("CMD-SHELL", flask["healthCheck"]!["command"]![0]!.GetValue<string>());
        Assert.Equal(5, flask["secrets"]!.AsArray().Count);
        Assert.Equal("http", flask["portMappings"]![0]!["appProtocol"]!.GetValue<string>());
        Assert.True(td["registeredAt"]!.GetValue<double>() > 1_700_000_000);

        var created = await AwsCli.OkAsync(sim, "ecs", "create-service", "--cli-input-json", "file://" + Fixture("service-backend-flask.json"));
        Assert.Equal("backend-flask", created["service"]!["serviceName"]!.GetValue<string>());

        var described = await AwsCli.OkAsync(sim, "ecs", "describe-services", "--cluster", "cruddur", "--services", "backend-flask");
        Assert.Empty(described["failures"]!.AsArray());
        var svc = described["services"]![0]!.AsObject();
        Assert.Equal("arn:aws:ecs:us-east-1:123456789012:service/cruddur/backend-flask", svc["serviceArn"]!.GetValue<string>());
        Assert.Equal("ACTIVE", svc["status"]!.GetValue<string>());
        Assert.True(svc["enableExecuteCommand"]!.GetValue<bool>());
        Assert.Equal("FARGATE", svc["launchType"]!.GetValue<string>());
        Assert.Equal("LATEST", svc["platformVersion"]!.GetValue<string>());
        Assert.Equal("SERVICE", svc["propagateTags"]!.GetValue<string>());
        Assert.Equal(4567, svc["loadBalancers"]![0]!["containerPort"]!.GetValue<int>());
        Assert.Equal("ENABLED", svc["networkConfiguration"]!["awsvpcConfiguration"]!["assignPublicIp"]!.GetValue<string>());
        var dep = svc["deployments"]!.AsArray().Single()!;
        Assert.Matches(new Regex(@"^ecs-svc/\d{19}$"), dep["id"]!.GetValue<string>());
        Assert.Equal("PRIMARY", dep["status"]!.GetValue<string>());
        Assert.Equal("1.4.0", dep["platformVersion"]!.GetValue<string>());
        Assert.Equal("cruddur", dep["serviceConnectConfiguration"]!["namespace"]!.GetValue<string>());
        Assert.Equal("backend-flask", dep["serviceConnectConfiguration"]!["services"]![0]!["discoveryName"]!.GetValue<string>());
        Assert.False(svc["deploymentConfiguration"]!["deploymentCircuitBreaker"]!["enable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Cli_follows_and_steers_a_blue_green_deployment_with_the_service_deployment_commands()
    {
        await using var sim = await Sim.StartAsync();
        await Releases.CreateServiceAsync(sim, Releases.BlueGreen(), BlueGreenLb.Fake.LoadBalancers());
        var arn = await sim.DeployAsync(deploymentConfiguration: Releases.BlueGreen(bakeMinutes: 60, hooks: [Releases.Pause("POST_SCALE_UP")]));
        var hookId = await sim.WaitPauseAsync(arn, "POST_SCALE_UP");

        var listed = await AwsCli.OkAsync(sim, "ecs", "list-service-deployments", "--cluster", "cruddur", "--service", "backend-flask", "--status", "IN_PROGRESS");
        Assert.Equal(arn, listed["serviceDeployments"]!.AsArray().Single()!["serviceDeploymentArn"]!.GetValue<string>());
        var described = await AwsCli.OkAsync(sim, "ecs", "describe-service-deployments", "--service-deployment-arns", arn);
        var deployment = described["serviceDeployments"]![0]!;
        Assert.Equal("POST_SCALE_UP", deployment["lifecycleStage"]!.GetValue<string>());
        Assert.Equal("AWAITING_ACTION", deployment["lifecycleHookDetails"]![0]!["status"]!.GetValue<string>());
        var revision = deployment["targetServiceRevision"]!["arn"]!.GetValue<string>();
        var revisions = await AwsCli.OkAsync(sim, "ecs", "describe-service-revisions", "--service-revision-arns", revision);
        Assert.Equal(BlueGreenLb.Fake.Green, revisions["serviceRevisions"]![0]!["resolvedConfiguration"]!["loadBalancers"]![0]!["targetGroupArn"]!.GetValue<string>());

        var continued = await AwsCli.OkAsync(sim, "ecs", "continue-service-deployment", "--service-deployment-arn", arn, "--hook-id", hookId, "--action", "CONTINUE");
        Assert.Equal(arn, continued["serviceDeploymentArn"]!.GetValue<string>());
        await sim.WaitDeploymentAsync(arn, d => d["lifecycleStage"]!.GetValue<string>() == "BAKE_TIME", "the bake time");
        var stopped = await AwsCli.OkAsync(sim, "ecs", "stop-service-deployment", "--service-deployment-arn", arn, "--stop-type", "ROLLBACK");
        Assert.Equal(arn, stopped["serviceDeploymentArn"]!.GetValue<string>());
        await sim.WaitStatusAsync(arn, "ROLLBACK_SUCCESSFUL");
        var again = await AwsCli.RunAsync(sim, "ecs", "stop-service-deployment", "--service-deployment-arn", arn);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("ConflictException", again.Stderr);
    }

    [Fact]
    public async Task Cli_retries_injected_throttling_and_server_errors_transparently()
    {
        await using var sim = await Sim.StartAsync();
        await sim.CreateClusterAsync();
        await sim.ControlAsync("/_sim/faults", new { operation = "ListClusters", kind = "Throttling", count = 2 });
        var r = await AwsCli.OkAsync(sim, "ecs", "list-clusters");
        Assert.Equal("arn:aws:ecs:us-east-1:123456789012:cluster/cruddur", r["clusterArns"]![0]!.GetValue<string>());
        Assert.Equal(3, await sim.CallCountAsync("ListClusters"));

        await sim.ControlAsync("/_sim/faults", new { operation = "DescribeClusters", kind = "ServerError", count = 1 });
        var d = await AwsCli.OkAsync(sim, "ecs", "describe-clusters", "--clusters", "cruddur");
        Assert.Equal("cruddur", d["clusters"]![0]!["clusterName"]!.GetValue<string>());
        Assert.Equal(2, await sim.CallCountAsync("DescribeClusters"));
    }

    [Fact]
    public async Task Cli_reports_ecs_errors_by_type()
    {
        await using var sim = await Sim.StartAsync();
        var r = await AwsCli.RunAsync(sim, "ecs", "describe-services", "--cluster", "nope", "--services", "x");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("ClusterNotFoundException", r.Stderr);
        Assert.Contains("Cluster not found.", r.Stderr);
    }
}
