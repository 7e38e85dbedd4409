using System.Net;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>
/// What ECS looks up when it launches a task, asked of moto (--aws-upstream): an execution or task role it cannot assume, a
/// secret's SSM parameter or Secrets Manager secret (version, JSON key) that is not there, a repositoryCredentials secret
/// that is not there, or an ECR repository or image that is not there stops the task before it runs (TaskFailedToStart)
/// with ECS's own reason; with everything in place the task runs.
/// </summary>
public sealed class LaunchCheckTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private const string Account = "123456789012";
    private static readonly JsonObject TasksTrust = JsonNode.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}""")!.AsObject();
    private static readonly JsonObject Ec2Trust = JsonNode.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":"sts:AssumeRole"}]}""")!.AsObject();

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> RoleAsync(JsonObject trust)
    {
        var name = Unique("exec-");
        await moto.QueryAsync("iam", "2010-05-08", new() { ["Action"] = "CreateRole", ["RoleName"] = name, ["AssumeRolePolicyDocument"] = trust.ToJsonString() });
        return $"arn:aws:iam::{Account}:role/{name}";
    }

    private async Task<string> ParameterAsync()
    {
        var name = $"/cruddur/{Unique("p")}/CONNECTION_URL";
        var (status, text) = await moto.JsonAsync("ssm", "AmazonSSM.PutParameter", new JsonObject { ["Name"] = name, ["Value"] = "v", ["Type"] = "SecureString" });
        Assert.True(status == HttpStatusCode.OK, text);
        return name;
    }

    /// <summary>A Secrets Manager secret holding <paramref name="value"/>; its ARN.</summary>
    private async Task<string> SecretAsync(string value)
    {
        var (status, text) = await moto.JsonAsync("secretsmanager", "secretsmanager.CreateSecret", new JsonObject { ["Name"] = Unique("cruddur/db-"), ["SecretString"] = value });
        Assert.True(status == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["ARN"]!.GetValue<string>();
    }

    /// <summary>An ECR repository with the image <c>:latest</c>; the repository's URI.</summary>
    private async Task<string> RepositoryAsync()
    {
        var name = Unique("repo-");
        var (status, text) = await moto.JsonAsync("ecr", "AmazonEC2ContainerRegistry_V20150921.CreateRepository", new JsonObject { ["repositoryName"] = name });
        Assert.True(status == HttpStatusCode.OK, text);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.docker.distribution.manifest.v2+json", ["layers"] = new JsonArray(),
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.docker.container.image.v1+json", ["size"] = 2, ["digest"] = "sha256:" + new string('4', 64) },
        }.ToJsonString();
        (status, text) = await moto.JsonAsync("ecr", "AmazonEC2ContainerRegistry_V20150921.PutImage", new JsonObject { ["repositoryName"] = name, ["imageManifest"] = manifest, ["imageTag"] = "latest" });
        Assert.True(status == HttpStatusCode.OK, text);
        return $"{Account}.dkr.ecr.us-east-1.amazonaws.com/{name}";
    }

    private static JsonObject Definition(string family, string image, string? role, params string[] secrets)
    {
        var container = new JsonObject { ["name"] = "app", ["image"] = image, ["memory"] = 128 };
        if (secrets.Length > 0)
        {
            container["secrets"] = new JsonArray(secrets.Select((s, i) => (JsonNode)new JsonObject { ["name"] = $"S{i}", ["valueFrom"] = s }).ToArray());
        }
        var definition = new JsonObject { ["family"] = family, ["containerDefinitions"] = new JsonArray(container) };
        if (role is not null)
        {
            definition["executionRoleArn"] = role;
        }
        return definition;
    }

    private static async Task<JsonObject> SettledAsync(Sim sim, string arn)
    {
        JsonObject task = [];
        var settled = await Poll.UntilAsync(async () =>
        {
            task = (await sim.OkAsync("DescribeTasks", new JsonObject { ["cluster"] = "cruddur", ["tasks"] = new JsonArray(arn) }))["tasks"]![0]!.AsObject();
            return task["lastStatus"]!.GetValue<string>() is "RUNNING" or "STOPPED";
        }, TimeSpan.FromSeconds(20));
        Assert.True(settled, "the task neither ran nor stopped: " + task.ToJsonString());
        return task;
    }

    private async Task<JsonObject> RunAsync(JsonObject definition)
    {
        await using var sim = await Sim.StartAsync(0.02, "--aws-upstream", moto.Url);
        await sim.OkAsync("CreateCluster", new JsonObject { ["clusterName"] = "cruddur" });
        await sim.OkAsync("RegisterTaskDefinition", definition);
        var run = await sim.OkAsync("RunTask", new JsonObject { ["cluster"] = "cruddur", ["taskDefinition"] = definition["family"]!.GetValue<string>() });
        return await SettledAsync(sim, run["tasks"]![0]!["taskArn"]!.GetValue<string>());
    }

    private static void AssertFailedToStart(JsonObject task, string reason)
    {
        Assert.Equal("STOPPED", task["lastStatus"]!.GetValue<string>());
        Assert.Equal("TaskFailedToStart", task["stopCode"]!.GetValue<string>());
        Assert.Equal(reason, task["stoppedReason"]!.GetValue<string>());
        Assert.Null(task["startedAt"]);
    }

    [Fact]
    public async Task A_task_whose_role_secrets_and_image_are_all_there_runs()
    {
        var task = await RunAsync(Definition("ok", await RepositoryAsync() + ":latest", await RoleAsync(TasksTrust), await ParameterAsync()));
        Assert.Equal("RUNNING", task["lastStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_task_whose_task_role_Secrets_Manager_secrets_and_registry_credentials_are_there_runs()
    {
        var secret = await SecretAsync("""{"password":"p","user":"u"}""");
        var definition = Definition("asm-ok", "registry.local/backend-flask:seed", await RoleAsync(TasksTrust), secret, secret + ":password::", secret + ":user:AWSCURRENT:");
        definition["taskRoleArn"] = await RoleAsync(TasksTrust);
        definition["containerDefinitions"]![0]!["repositoryCredentials"] = new JsonObject { ["credentialsParameter"] = await SecretAsync("""{"username":"u","password":"p"}""") };
        Assert.Equal("RUNNING", (await RunAsync(definition))["lastStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_Secrets_Manager_secret_that_is_not_there_stops_the_task_with_the_agents_reason()
    {
        var missing = $"arn:aws:secretsmanager:us-east-1:{Account}:secret:{Unique("gone-")}-AbCdEf";
        var task = await RunAsync(Definition("asm-gone", "registry.local/backend-flask:seed", await RoleAsync(TasksTrust), missing + ":password::"));
        AssertFailedToStart(task, "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret "
            + missing + " from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.");
    }

    [Fact]
    public async Task A_Secrets_Manager_version_stage_or_JSON_key_that_is_not_there_stops_the_task()
    {
        var secret = await SecretAsync("""{"password":"p"}""");
        var stage = await RunAsync(Definition("asm-stage", "registry.local/backend-flask:seed", await RoleAsync(TasksTrust), secret + ":password:AWSPENDING:"));
        AssertFailedToStart(stage, "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret "
            + secret + " from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSPENDING");
        var key = await RunAsync(Definition("asm-key", "registry.local/backend-flask:seed", await RoleAsync(TasksTrust), secret + ":username::"));
        AssertFailedToStart(key, "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): retrieved secret from Secrets Manager did not contain json key username");
    }

    [Fact]
    public async Task A_repositoryCredentials_secret_that_is_not_there_stops_the_task()
    {
        var missing = $"arn:aws:secretsmanager:us-east-1:{Account}:secret:{Unique("registry-")}-AbCdEf";
        var definition = Definition("creds", "registry.local/backend-flask:seed", await RoleAsync(TasksTrust));
        definition["containerDefinitions"]![0]!["repositoryCredentials"] = new JsonObject { ["credentialsParameter"] = missing };
        AssertFailedToStart(await RunAsync(definition), $"Asm fetching secret from the service for {missing}: ResourceNotFoundException: Secrets Manager can't find the specified secret.");
    }

    [Fact]
    public async Task A_task_role_that_is_missing_or_does_not_trust_ecs_tasks_cannot_be_assumed()
    {
        foreach (var role in new[] { $"arn:aws:iam::{Account}:role/{Unique("missing-")}", await RoleAsync(Ec2Trust) })
        {
            var definition = Definition("taskrole", "registry.local/backend-flask:seed", await RoleAsync(TasksTrust));
            definition["taskRoleArn"] = role;
            AssertFailedToStart(await RunAsync(definition),
                $"ECS was unable to assume the role '{role}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.");
        }
    }

    [Theory]
    [InlineData("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", null, null, null)]
    [InlineData("arn:aws:secretsmanager:eu-west-2:123456789012:secret:db-AbCdEf:password::", "arn:aws:secretsmanager:eu-west-2:123456789012:secret:db-AbCdEf", "password", null, null)]
    [InlineData("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf::AWSPREVIOUS:", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", null, "AWSPREVIOUS", null)]
    [InlineData("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:k::0a1b", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", "k", null, "0a1b")]
    public void A_Secrets_Manager_valueFrom_names_its_secret_version_and_key(string valueFrom, string id, string? key, string? stage, string? version)
    {
        var secret = LaunchChecks.AsmSecret.Parse(valueFrom)!;
        Assert.Equal((id, key, stage, version), (secret.Id, secret.JsonKey, secret.VersionStage, secret.VersionId));
        Assert.Null(LaunchChecks.AsmSecret.Parse("/cruddur/backend-flask/X"));
    }

    [Fact]
    public async Task A_secret_whose_parameter_is_missing_stops_the_task_with_the_agents_reason()
    {
        var missing = $"arn:aws:ssm:us-east-1:{Account}:parameter/cruddur/{Unique("gone")}/CONNECTION_URL";
        var task = await RunAsync(Definition("secret", await RepositoryAsync(), await RoleAsync(TasksTrust), await ParameterAsync(), missing));
        AssertFailedToStart(task, "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: " + missing);
    }

    [Fact]
    public async Task A_missing_execution_role_stops_the_service_task_and_the_service_event_says_ECS_could_not_assume_it()
    {
        var role = $"arn:aws:iam::{Account}:role/{Unique("missing-")}";
        await using var sim = await Sim.StartAsync(0.02, "--aws-upstream", moto.Url);
        await sim.OkAsync("CreateCluster", new JsonObject { ["clusterName"] = "cruddur" });
        await sim.OkAsync("RegisterTaskDefinition", Definition("norole", "public.ecr.aws/xray/aws-xray-daemon", role));
        await sim.OkAsync("CreateService", new JsonObject { ["cluster"] = "cruddur", ["serviceName"] = "backend-flask", ["taskDefinition"] = "norole", ["desiredCount"] = 1 });
        string? arn = null;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            arn = (await sim.OkAsync("ListTasks", new JsonObject { ["cluster"] = "cruddur", ["desiredStatus"] = "STOPPED" }))["taskArns"]!.AsArray().FirstOrDefault()?.GetValue<string>();
            return arn is not null;
        }, TimeSpan.FromSeconds(20)), "no task stopped");
        var task = await SettledAsync(sim, arn!);
        var reason = $"ECS was unable to assume the role '{role}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.";
        AssertFailedToStart(task, reason);
        var events = (await sim.OkAsync("DescribeServices", new JsonObject { ["cluster"] = "cruddur", ["services"] = new JsonArray("backend-flask") }))["services"]![0]!["events"]!.AsArray();
        Assert.Contains(events, e => e!["message"]!.GetValue<string>() == $"(service backend-flask) failed to launch a task with (error {reason})");
    }

    [Fact]
    public async Task A_role_that_does_not_trust_ecs_tasks_cannot_be_assumed()
    {
        var role = await RoleAsync(Ec2Trust);
        var task = await RunAsync(Definition("ec2role", "public.ecr.aws/xray/aws-xray-daemon", role));
        AssertFailedToStart(task, LaunchChecks.UnableToAssume(role));
    }

    [Fact]
    public async Task An_ECR_tag_or_repository_that_is_not_there_cannot_be_pulled()
    {
        var repository = await RepositoryAsync();
        var tag = await RunAsync(Definition("tag", repository + ":v9", null));
        AssertFailedToStart(tag, $"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {repository}:v9: {repository}:v9: not found");
        var absent = $"{Account}.dkr.ecr.us-east-1.amazonaws.com/{Unique("nope-")}@sha256:{new string('1', 64)}";
        AssertFailedToStart(await RunAsync(Definition("repo", absent, null)), LaunchChecks.CannotPull(absent));
    }

    [Fact]
    public async Task Images_of_other_registries_and_definitions_without_role_or_secrets_are_not_looked_up()
    {
        var task = await RunAsync(Definition("plain", "registry.local/backend-flask:seed", null));
        Assert.Equal("RUNNING", task["lastStatus"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/cruddur/backend-flask/X", "us-east-1", "/cruddur/backend-flask/X")]
    [InlineData("arn:aws:ssm:eu-west-2:123456789012:parameter/cruddur/backend-flask/X", "eu-west-2", "/cruddur/backend-flask/X")]
    [InlineData("arn:aws:ssm:us-east-1:123456789012:parameter/flat", "us-east-1", "flat")]
    public void A_valueFrom_names_its_parameter_as_SSM_knows_it(string valueFrom, string region, string name) =>
        Assert.Equal((region, name), LaunchChecks.SsmParameter(valueFrom, "us-east-1"));

    [Fact]
    public void A_Secrets_Manager_secret_is_not_an_SSM_parameter() =>
        Assert.Null(LaunchChecks.SsmParameter("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", "us-east-1"));

    [Fact]
    public void Only_an_Allow_of_sts_AssumeRole_to_ecs_tasks_is_trust()
    {
        Assert.True(LaunchChecks.Trusts(TasksTrust.ToJsonString()));
        Assert.False(LaunchChecks.Trusts(Ec2Trust.ToJsonString()));
        Assert.False(LaunchChecks.Trusts(TasksTrust.ToJsonString().Replace("Allow", "Deny", StringComparison.Ordinal)));
    }
}
