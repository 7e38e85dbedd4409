using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments.Preflight;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;
using Cruddur.Core.Images;

namespace Cruddur.Core.Tests.Deployments.Preflight;

/// <summary>Each check's verdict from the facts AWS gave, and the error a deploy stops with.</summary>
public sealed class DeployCheckDecisionTests
{
    private const string Service = "backend-flask";
    private const string Trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com"]},"Action":"sts:AssumeRole"}]}""";
    private const string RoleArn = "arn:aws:iam::123456789012:role/CruddurServiceExecutionRole";

    private static DeployPreflight.ImageReference Image(string text) => DeployPreflight.ImageReference.Parse(text);

    [Theory]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/backend-flask", "backend-flask", "latest", true)]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/cruddur/backend-flask:v1", "cruddur/backend-flask", "v1", true)]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/backend-flask@sha256:abc", "backend-flask", "sha256:abc", true)]
    [InlineData("127.0.0.1:5000/backend-flask:seed", "backend-flask", "seed", false)]
    [InlineData("public.ecr.aws/xray/aws-xray-daemon", "xray/aws-xray-daemon", "latest", false)]
    [InlineData("python:3.10-slim-buster", "python", "3.10-slim-buster", false)]
    public void ImageReferencesAreSplitAsARegistryReadsThem(string text, string repository, string reference, bool ecr)
    {
        var image = Image(text);
        Assert.Equal(repository, image.Repository);
        Assert.Equal(reference, image.Reference);
        Assert.Equal(ecr, image.Ecr is not null);
    }

    [Fact]
    public void AnImageVerdictNamesWhatIsMissingAndHowToPushIt()
    {
        var image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/backend-flask:v2";
        Assert.Equal(DeployCheckStatus.Pass, ImageChecks.Decide(Service, "backend-flask", image, Image(image), new EcrImage(EcrImageState.Found, "sha256:1"), "amd64").Status);

        var noRepository = ImageChecks.Decide(Service, "backend-flask", image, Image(image), new EcrImage(EcrImageState.RepositoryMissing), "amd64");
        Assert.Equal(DeployCheckStatus.Fail, noRepository.Status);
        Assert.Contains("repository backend-flask does not exist", noRepository.Detail);
        Assert.Contains("Publish-CruddurImage backend-flask", noRepository.Fix);

        var noTag = ImageChecks.Decide(Service, "backend-flask", image, Image(image), new EcrImage(EcrImageState.ImageMissing), "amd64");
        Assert.Equal(DeployCheckStatus.Fail, noTag.Status);
        Assert.Contains("v2 is not in ECR", noTag.Detail);
        Assert.Contains("CannotPullContainerError", noTag.Detail);
    }

    [Fact]
    public void AnImageBuiltForAnotherArchitectureFailsOnlyWhenItsManifestSaysSo()
    {
        var image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/backend-flask:v2";
        var armOnly = ImageChecks.Decide(Service, "backend-flask", image, Image(image), new EcrImage(EcrImageState.Found, "sha256:1", ["arm64"]), "amd64");
        Assert.Equal(DeployCheckStatus.Fail, armOnly.Status);
        Assert.Contains("built for arm64", armOnly.Detail);

        Assert.Equal(DeployCheckStatus.Pass, ImageChecks.Decide(Service, "backend-flask", image, Image(image), new EcrImage(EcrImageState.Found, "sha256:1", ["amd64", "arm64"]), "arm64").Status);
        Assert.Equal(DeployCheckStatus.Pass, ImageChecks.Decide(Service, "backend-flask", image, Image(image), new EcrImage(EcrImageState.Found, "sha256:1", []), "arm64").Status);
        Assert.Equal("arm64", ImageChecks.Architecture(new JsonObject { ["runtimePlatform"] = new JsonObject { ["cpuArchitecture"] = "ARM64" } }));
        Assert.Equal("amd64", ImageChecks.Architecture(new JsonObject()));
    }

    [Fact]
    public void AnImageOfAnotherRegistryIsJudgedByWhatItsRegistryAnswered()
    {
        const string image = "ghcr.io/org/app:v1";
        const string secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr-AbCdEf";
        DeployCheck Decide(RegistryManifest found, string? credentials = null, string architecture = "amd64") =>
            ImageChecks.DecideRegistry(Service, "app", image, Image(image), credentials, found, architecture);

        var pass = Decide(new RegistryManifest(RegistryManifestState.Found, "sha256:9", ["amd64", "arm64"]), secret);
        Assert.Equal(DeployCheckStatus.Pass, pass.Status);
        Assert.Equal("Container app: ghcr.io/org/app:v1 resolves to ghcr.io/org/app@sha256:9 (amd64, arm64), with the credentials in " + secret + ".", pass.Detail);
        Assert.Equal(DeployCheckStatus.Fail, Decide(new RegistryManifest(RegistryManifestState.Found, "sha256:9", ["arm64"])).Status);

        var tag = Decide(new RegistryManifest(RegistryManifestState.ImageMissing, Detail: "HTTP 404 MANIFEST_UNKNOWN"));
        Assert.Equal(DeployCheckStatus.Fail, tag.Status);
        Assert.Contains("v1 is not in ghcr.io/org/app (HTTP 404 MANIFEST_UNKNOWN), so the task would stop with CannotPullContainerError", tag.Detail);
        var repository = Decide(new RegistryManifest(RegistryManifestState.RepositoryMissing, Detail: "HTTP 404 NAME_UNKNOWN"));
        Assert.Equal(DeployCheckStatus.Fail, repository.Status);
        Assert.Contains("ghcr.io has no repository org/app", repository.Detail);

        var anonymous = Decide(new RegistryManifest(RegistryManifestState.NeedsCredentials, Detail: "HTTP 401 for the manifest"));
        Assert.Equal(DeployCheckStatus.Fail, anonymous.Status);
        Assert.Contains("no repositoryCredentials", anonymous.Detail);
        Assert.Contains("\"repositoryCredentials\": {\"credentialsParameter\"", anonymous.Fix);

        var refused = Decide(new RegistryManifest(RegistryManifestState.CredentialsRefused, Detail: "HTTP 401 for the manifest"), secret);
        Assert.Equal(DeployCheckStatus.Fail, refused.Status);
        Assert.Contains("refused the credentials in " + secret, refused.Detail);
        Assert.Contains("put-secret-value --secret-id " + secret, refused.Fix);

        var unreachable = Decide(new RegistryManifest(RegistryManifestState.Unreachable, Detail: "NameResolutionError: Name or service not known (ghcr.io:443)"));
        Assert.Equal(DeployCheckStatus.Warn, unreachable.Status);
        Assert.Contains("could not be reached from this machine", unreachable.Detail);
        Assert.Contains("the tasks' network may still reach it", unreachable.Detail);

        var unanswered = Decide(new RegistryManifest(RegistryManifestState.Unanswered, Detail: "HTTP 503"));
        Assert.Equal((DeployCheckStatus.Info, "Not checked: ghcr.io answered HTTP 503 for org/app:v1."), (unanswered.Status, unanswered.Detail));
    }

    [Fact]
    public void ARoleMustExistAndTrustEcsTasks()
    {
        Assert.Equal(DeployCheckStatus.Pass, RoleChecks.Role(Service, DeployCheck.ExecutionRoleCheck, new TaskRoleFacts(RoleArn, true, []) { TrustPolicy = Trust }, "execution", "f").Status);

        var missing = RoleChecks.Role(Service, DeployCheck.ExecutionRoleCheck, new TaskRoleFacts(RoleArn, false, []), "execution", "f");
        Assert.Equal(DeployCheckStatus.Fail, missing.Status);
        Assert.Contains("does not exist", missing.Detail);

        var ecsOnly = RoleChecks.Role(Service, DeployCheck.ExecutionRoleCheck, new TaskRoleFacts(RoleArn, true, []) { TrustPolicy = Trust.Replace("ecs-tasks", "ecs", StringComparison.Ordinal) }, "execution", "f");
        Assert.Equal(DeployCheckStatus.Fail, ecsOnly.Status);
        Assert.Contains("unable to assume the role", ecsOnly.Detail);
    }

    [Fact]
    public void ARoleThatCannotBeReadIsInfoWithTheReasonNeverAPass()
    {
        var check = RoleChecks.Role(Service, DeployCheck.TaskRoleCheck, new TaskRoleFacts(RoleArn, true, [], "AccessDenied: not allowed to iam:GetRole"), "task", "f");

        Assert.Equal(DeployCheckStatus.Info, check.Status);
        Assert.Contains("AccessDenied", check.Detail);
    }

    [Fact]
    public void PermissionsListEveryRefusedActionWithTheDenyThatRefusedIt()
    {
        var allowAll = """{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";
        var denySsm = """{"Statement":[{"Effect":"Deny","Action":"ssm:*","Resource":"arn:aws:ssm:*:*:parameter/cruddur/*"}]}""";
        var role = new TaskRoleFacts(RoleArn, true, [new RolePolicy("AllowAll", allowAll), new RolePolicy("NoParameters", denySsm)]);
        var needs = new[]
        {
            new RoleNeed("ecr:BatchGetImage", "arn:aws:ecr:us-east-1:123456789012:repository/backend-flask", "pulling backend-flask's image"),
            new RoleNeed("ssm:GetParameters", "arn:aws:ssm:us-east-1:123456789012:parameter/cruddur/backend-flask/X", "secret X"),
        };

        var check = RoleChecks.Permissions(Service, role, needs);

        Assert.Equal(DeployCheckStatus.Fail, check.Status);
        Assert.Contains("ssm:GetParameters on arn:aws:ssm:us-east-1:123456789012:parameter/cruddur/backend-flask/X (secret X, denied by NoParameters)", check.Detail);
        Assert.DoesNotContain("ecr:BatchGetImage", check.Detail);
        Assert.Equal(DeployCheckStatus.Pass, RoleChecks.Permissions(Service, role, needs[..1]).Status);
    }

    [Theory]
    [InlineData("/cruddur/backend-flask/CONNECTION_URL", false, "/cruddur/backend-flask/CONNECTION_URL", null, null, null)]
    [InlineData("arn:aws:ssm:us-east-1:123456789012:parameter/cruddur/backend-flask/CONNECTION_URL", false, "/cruddur/backend-flask/CONNECTION_URL", null, null, null)]
    [InlineData("arn:aws:ssm:us-east-1:123456789012:parameter/PLAIN", false, "PLAIN", null, null, null)]
    [InlineData("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", true, "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", null, null, null)]
    [InlineData("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::", true, "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", "password", null, null)]
    [InlineData("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password:AWSPREVIOUS:", true, "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", "password", "AWSPREVIOUS", null)]
    [InlineData("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:::v-1", true, "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", null, null, "v-1")]
    public void ValueFromIsReadAsEcsReadsIt(string valueFrom, bool secretsManager, string id, string? key, string? stage, string? version)
    {
        var source = SecretSource.Parse(valueFrom);
        Assert.Equal(new SecretSource(secretsManager, id, source.Region, key, stage, version), source);
    }

    [Fact]
    public void AMissingParameterFailsWithTheErrorEcsGivesAndHowToWriteIt()
    {
        var source = SecretSource.Parse("/cruddur/backend-flask/CONNECTION_URL");
        var check = SecretChecks.DecideParameter(Service, "CONNECTION_URL", source, null);

        Assert.Equal(DeployCheckStatus.Fail, check.Status);
        Assert.Contains("ResourceInitializationError: unable to pull secrets or registry auth", check.Detail);
        Assert.Contains("Set-CruddurParameter -Name CONNECTION_URL -Path /cruddur/backend-flask", check.Fix);
        Assert.Equal(DeployCheckStatus.Pass, SecretChecks.DecideParameter(Service, "CONNECTION_URL", source, new SsmParameterInfo(source.Id, "SecureString", "alias/aws/ssm")).Status);
    }

    [Fact]
    public void ASecretNeedsItsVersionAndJsonKey()
    {
        var secret = new SecretInfo("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", null,
            new Dictionary<string, IReadOnlyList<string>> { ["v-1"] = ["AWSCURRENT"] });
        var withKey = SecretSource.Parse(secret.Arn + ":password::");

        Assert.Equal(DeployCheckStatus.Pass, SecretChecks.DecideSecret(Service, "DB", withKey, secret, ["user", "password"]).Status);
        var noKey = SecretChecks.DecideSecret(Service, "DB", withKey, secret, ["user"]);
        Assert.Equal(DeployCheckStatus.Fail, noKey.Status);
        Assert.Contains("no JSON key password", noKey.Detail);

        var previous = SecretChecks.DecideSecret(Service, "DB", SecretSource.Parse(secret.Arn + "::AWSPREVIOUS:"), secret, null);
        Assert.Equal(DeployCheckStatus.Fail, previous.Status);
        Assert.Contains("no version AWSPREVIOUS", previous.Detail);

        Assert.Equal(DeployCheckStatus.Fail, SecretChecks.DecideSecret(Service, "DB", SecretSource.Parse(secret.Arn), null, null).Status);
    }

    [Fact]
    public void ALogGroupMustExistUnlessTheTaskMayCreateIt()
    {
        var options = new AwsLogsOptions("cruddur", "us-east-1", "backend-flask", CreateGroup: false);

        Assert.Equal(DeployCheckStatus.Pass, LogChecks.Decide(Service, "backend-flask", options, "us-east-1", new LogGroup("cruddur", "arn", 1)).Status);
        var missing = LogChecks.Decide(Service, "backend-flask", options, "us-east-1", null);
        Assert.Equal(DeployCheckStatus.Fail, missing.Status);
        Assert.Contains("log group does not exist", missing.Detail);
        Assert.Contains("aws logs create-log-group --log-group-name cruddur --region us-east-1", missing.Fix);
        Assert.Equal(DeployCheckStatus.Pass, LogChecks.Decide(Service, "backend-flask", options with { CreateGroup = true }, "us-east-1", null).Status);
    }

    private static NetworkFacts Network(bool assignPublicIp = true, bool internetGateway = true, bool nat = false, IReadOnlyList<string>? endpoints = null, string groupVpc = "vpc-1") =>
        new(["subnet-a"], ["sg-a"], assignPublicIp,
            [new SubnetInfo("subnet-a", "vpc-1")],
            [new SecurityGroupInfo("sg-a", "default", groupVpc, [])],
            [new RouteTableInfo("rtb-main", true, [], internetGateway, nat)],
            endpoints ?? []);

    [Fact]
    public void ANetworkPassesWhenTasksCanReachEcr()
    {
        Assert.Equal(DeployCheckStatus.Pass, Assert.Single(NetworkChecks.Decide(Service, Network())).Status);
        Assert.Equal(DeployCheckStatus.Pass, Assert.Single(NetworkChecks.Decide(Service, Network(assignPublicIp: false, internetGateway: false, nat: true))).Status);
        Assert.Equal(DeployCheckStatus.Pass, Assert.Single(NetworkChecks.Decide(Service, Network(assignPublicIp: false, internetGateway: false,
            endpoints: ["com.amazonaws.us-east-1.ecr.api", "com.amazonaws.us-east-1.ecr.dkr"]))).Status);
    }

    [Fact]
    public void ANetworkWithoutAWayOutWarnsWhyImagesWillNotPull()
    {
        var disabled = Assert.Single(NetworkChecks.Decide(Service, Network(assignPublicIp: false)));
        Assert.Equal(DeployCheckStatus.Warn, disabled.Status);
        Assert.Contains("assignPublicIp is DISABLED", disabled.Detail);

        var isolated = Assert.Single(NetworkChecks.Decide(Service, Network(internetGateway: false)));
        Assert.Equal(DeployCheckStatus.Warn, isolated.Status);
        Assert.Contains("no route to the internet", isolated.Detail);
    }

    [Fact]
    public void MissingSubnetsOrGroupsOrTwoVpcsFail()
    {
        var missing = Assert.Single(NetworkChecks.Decide(Service, Network() with { SubnetIds = ["subnet-a", "subnet-gone"] }));
        Assert.Equal(DeployCheckStatus.Fail, missing.Status);
        Assert.StartsWith("subnet-gone does not exist", missing.Detail, StringComparison.Ordinal);

        var twoVpcs = Assert.Single(NetworkChecks.Decide(Service, Network(groupVpc: "vpc-2")));
        Assert.Equal(DeployCheckStatus.Fail, twoVpcs.Status);
        Assert.Contains("different VPCs", twoVpcs.Detail);
    }

    private static readonly JsonObject AwsvpcDefinition = JsonNode.Parse("""
        {"networkMode":"awsvpc","containerDefinitions":[{"name":"backend-flask","portMappings":[{"containerPort":4567}]}]}
        """)!.AsObject();

    private static TargetGroup Group(string type = "ip", int port = 4567) => new("arn:tg", "cruddur-backend-flask-tg", "HTTP", port, type, "/api/health-check", 3, []);

    [Fact]
    public void ATargetGroupMustExistTakeIpTargetsAndMatchTheContainerPort()
    {
        Assert.Equal(DeployCheckStatus.Pass, NetworkChecks.DecideTargetGroup(Service, AwsvpcDefinition, "arn:tg", "backend-flask", 4567, Group()).Status);
        Assert.Equal(DeployCheckStatus.Fail, NetworkChecks.DecideTargetGroup(Service, AwsvpcDefinition, "arn:tg", "backend-flask", 4567, null).Status);

        var instance = NetworkChecks.DecideTargetGroup(Service, AwsvpcDefinition, "arn:tg", "backend-flask", 4567, Group(type: "instance"));
        Assert.Equal(DeployCheckStatus.Fail, instance.Status);
        Assert.Contains("target type instance", instance.Detail);

        var wrongPort = NetworkChecks.DecideTargetGroup(Service, AwsvpcDefinition, "arn:tg", "backend-flask", 3000, Group());
        Assert.Equal(DeployCheckStatus.Fail, wrongPort.Status);
        Assert.Contains("maps no port 3000", wrongPort.Detail);

        Assert.Equal(DeployCheckStatus.Warn, NetworkChecks.DecideTargetGroup(Service, AwsvpcDefinition, "arn:tg", "backend-flask", 4567, Group(port: 80)).Status);
    }

    [Fact]
    public void OnlyFailedRowsStopADeployAndEveryOneIsListed()
    {
        Assert.Null(DeployCheck.FailureOf([DeployCheck.Warn(Service, "Network", "w", "f"), DeployCheck.Info(Service, "Image", "i")]));

        var error = DeployCheck.FailureOf([
            DeployCheck.Fail(Service, "LogGroup", "log group cruddur does not exist.", "create it"),
            DeployCheck.Pass(Service, "Image", "ok"),
            DeployCheck.Fail("frontend-react-js", "TaskRole", "role missing.", "make it"),
        ]);

        Assert.NotNull(error);
        Assert.Equal(ErrorIds.DeployPreflightFailed, error.ErrorId);
        Assert.Contains("backend-flask LogGroup: log group cruddur does not exist. Fix: create it", error.Message);
        Assert.Contains("frontend-react-js TaskRole: role missing. Fix: make it", error.Message);
        Assert.Contains("nothing was registered", error.Message);
    }
}
