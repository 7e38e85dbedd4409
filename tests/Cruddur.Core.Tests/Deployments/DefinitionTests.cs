using System.Text.Json.Nodes;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Deployments;

public class DefinitionTests
{
    private static string? NoValues(string name) => null;

    [Fact]
    public void AcceptsTheSeedsTrailingComma()
    {
        var o = DefinitionFile.Parse("{ \"family\": \"frontend-react-js\", \"containerDefinitions\": [ { \"name\": \"a\", \"healthCheck\": { \"retries\": 3, } } ] }", "f.json", NoValues);

        Assert.Equal(3, (int)o["containerDefinitions"]![0]!["healthCheck"]!["retries"]!);
    }

    [Fact]
    public void ReportsLineAndPropertyPathOfASyntaxError()
    {
        var text = "{\n  \"family\": \"backend-flask\",\n  \"containerDefinitions\": [\n    { \"name\": \"backend-flask\" \"image\": \"x\" }\n  ]\n}";

        var e = Assert.Throws<CruddurException>(() => DefinitionFile.Parse(text, "backend-flask.json", NoValues));

        Assert.Equal("DeployDefinitionInvalidJson", e.ErrorId);
        Assert.StartsWith("backend-flask.json:4:", e.Message);
        Assert.Contains("$.containerDefinitions[0]", e.Message);
    }

    [Fact]
    public void ASyntaxErrorDeepInAnArrayNamesTheElementAndProperty()
    {
        var text = "{\n  \"containerDefinitions\": [\n    { \"name\": \"a\" },\n    { \"name\": \"b\", \"healthCheck\": { \"command\": [\"CMD\", \"x\"], \"retries\": 3 \"interval\": 30 } }\n  ]\n}";

        var e = Assert.Throws<CruddurException>(() => DefinitionFile.Parse(text, "b.json", NoValues));

        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.StartsWith("b.json:4: not valid JSON (at $.containerDefinitions[1].healthCheck.retries): ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("Fix the file and run the command again; nothing was registered.", e.Message, StringComparison.Ordinal);
        Assert.Equal((4L, "$.containerDefinitions[1].healthCheck.retries"), ((long)e.Data["Line"]!, (string)e.Data["Path"]!));
    }

    [Fact]
    public void ASyntaxErrorAtTheTopNamesNoPath()
    {
        var e = Assert.Throws<CruddurException>(() => DefinitionFile.Parse("nope", "f.json", NoValues));

        Assert.StartsWith("f.json:1: not valid JSON: ", e.Message, StringComparison.Ordinal);
        Assert.Equal("$", e.Data["Path"]);
    }

    [Theory]
    [InlineData("[ { \"family\": \"a\" } ]")]
    [InlineData("\"a\"")]
    public void AFileThatIsNotOneObjectIsRefused(string text)
    {
        var e = Assert.Throws<CruddurException>(() => DefinitionFile.Parse(text, "f.json", NoValues));

        Assert.Equal(("DeployDefinitionInvalidJson", ErrorKind.InvalidData), (e.ErrorId, e.Kind));
        Assert.Contains("must hold one JSON object", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CommentsAreAllowed()
    {
        var o = DefinitionFile.Parse("{ // the seed's family\n \"family\": \"a\" /* no more */ }", "f.json", NoValues);

        Assert.Equal("a", (string?)o["family"]);
    }

    [Fact]
    public void AFileThatDoesNotExistIsNamedWithAnExampleAndHasNoPlaceholders()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cruddur-missing-{Guid.NewGuid():N}.json");

        var e = Assert.Throws<CruddurException>(() => DefinitionFile.Load(path, NoValues));

        Assert.Equal(("DeployDefinitionFileNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(SeedDefaults.TaskDefinitionFile(SeedDefaults.BackendService), e.Message, StringComparison.Ordinal);
        Assert.Empty(DefinitionFile.Placeholders(path));
    }

    [Fact]
    public void AMissingPlaceholderCountsAndNamesEveryOne()
    {
        var e = Assert.Throws<CruddurException>(() => DefinitionFile.Parse("{ \"a\": \"<%= ENV['X_ONE'] %>\", \"b\": \"<%= ENV['X_TWO'] %>\" }", "f.json", NoValues));

        Assert.Equal(ErrorKind.ObjectNotFound, e.Kind);
        Assert.Contains("f.json uses 2 placeholder(s) with no value: X_ONE, X_TWO.", e.Message, StringComparison.Ordinal);
        Assert.Contains("$env:X_ONE = '...'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FillsPlaceholdersJsonEscaped()
    {
        var o = DefinitionFile.Parse("{ \"a\": \"arn:aws:iam::<%= ENV['AWS_ACCOUNT_ID'] %>:role/x\", \"b\": \"<%= ENV['Q'] %>\" }", "f.json",
            n => n == "AWS_ACCOUNT_ID" ? "123456789012" : "say \"hi\"");

        Assert.Equal("arn:aws:iam::123456789012:role/x", (string?)o["a"]);
        Assert.Equal("say \"hi\"", (string?)o["b"]);
    }

    [Fact]
    public void AMissingPlaceholderIsADeployErrorThatSuggestsWhatDeployOffers()
    {
        var e = Assert.Throws<CruddurException>(() => DefinitionFile.Parse("{ \"a\": \"<%= ENV['NOPE_X'] %>\" }", "f.json", NoValues));

        Assert.Equal("DeployDefinitionVariableMissing", e.ErrorId);
        Assert.Contains("NOPE_X", e.Message, StringComparison.Ordinal);
        Assert.Contains("$env:NOPE_X", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("-Variable", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("-AllowMissing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidationListsEveryProblem()
    {
        var td = JsonNode.Parse("""
            { "family": "backend flask", "requiresCompatibilities": ["FARGATE"], "networkMode": "bridge", "bogus": 1,
              "containerDefinitions": [ { "name": "a", "image": "x", "retries": 3 }, { "name": "a", "memory": "lots" } ] }
            """)!.AsObject();

        var e = Assert.Throws<CruddurException>(() => TaskDefinitions.Validate(td, "td.json"));

        Assert.Equal("DeployDefinitionInvalid", e.ErrorId);
        foreach (var expected in new[] { "'bogus'", "'family'", "'containerDefinitions[0].retries'", "'containerDefinitions[1].name' repeats", "'containerDefinitions[1].image'", "'containerDefinitions[1].memory'", "awsvpc", "task-level 'cpu'" })
        {
            Assert.Contains(expected, e.Message);
        }
    }

    [Fact]
    public void AValidSeedDefinitionPasses()
    {
        var td = JsonNode.Parse("""
            { "family": "backend-flask", "networkMode": "awsvpc", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"],
              "containerDefinitions": [ { "name": "xray", "image": "public.ecr.aws/xray/aws-xray-daemon", "user": "1337" },
                                        { "name": "backend-flask", "image": "x", "cpu": 256, "healthCheck": { "command": ["CMD-SHELL", "true"] } } ] }
            """)!.AsObject();

        TaskDefinitions.Validate(td, "td.json");
    }

    [Fact]
    public void UnknownContainerNamesTheOnesThereAre()
    {
        var td = JsonNode.Parse("""{ "containerDefinitions": [ { "name": "xray" }, { "name": "backend-flask" } ] }""")!.AsObject();

        var e = Assert.Throws<CruddurException>(() => TaskDefinitions.Container(td, "backend", "td.json"));

        Assert.Equal("TaskContainerNotFound", e.ErrorId);
        Assert.Contains("xray, backend-flask", e.Message);
    }

    [Fact]
    public void StripsReadOnlyFieldsOnly()
    {
        var described = JsonNode.Parse("""
            { "taskDefinitionArn": "arn", "revision": 3, "status": "ACTIVE", "requiresAttributes": [], "compatibilities": [], "registeredAt": 1,
              "registeredBy": "me", "deregisteredAt": 2, "family": "f", "containerDefinitions": [] }
            """)!.AsObject();

        var stripped = TaskDefinitions.StripReadOnly(described);

        Assert.Equal(["family", "containerDefinitions"], stripped.Select(p => p.Key));
        Assert.Equal(10, described.Count); // the input is not changed
    }

    [Fact]
    public void DiffKeysNamedArraysByName()
    {
        var before = JsonNode.Parse("""{ "revision": 4, "containerDefinitions": [ { "name": "xray", "image": "x" }, { "name": "api", "image": "a:1", "environment": [ { "name": "A", "value": "1" } ] } ] }""")!.AsObject();
        var after = JsonNode.Parse("""{ "containerDefinitions": [ { "name": "api", "image": "a@sha256:2", "environment": [ { "name": "B", "value": "2" } ] }, { "name": "xray", "image": "x" } ] }""")!.AsObject();

        var diff = TaskDefinitions.Diff(before, after);

        Assert.Equal(
        [
            "- containerDefinitions[api].environment[A]: removed",
            "+ containerDefinitions[api].environment[B]: added",
            "~ containerDefinitions[api].image: \"a:1\" -> \"a@sha256:2\"",
        ], diff);
    }

    [Fact]
    public void DiffNamesEnvironmentVariablesButNeverShowsTheirValues()
    {
        var before = JsonNode.Parse("""{ "containerDefinitions": [ { "name": "api", "image": "a", "environment": [ { "name": "DB", "value": "postgresql://u:OldS3cret@h/db" }, { "name": "MODE", "value": "prod" }, { "name": "GONE", "value": "G0neValue" } ], "secrets": [ { "name": "TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/t" } ] } ] }""")!.AsObject();
        var after = JsonNode.Parse("""{ "containerDefinitions": [ { "name": "api", "image": "a", "environment": [ { "name": "DB", "value": "postgresql://u:NewS3cret@h/db" }, { "name": "MODE", "value": "prod" }, { "name": "ADDED", "value": "AddedValue" } ], "secrets": [ { "name": "TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/t2" } ] } ] }""")!.AsObject();

        var diff = TaskDefinitions.Diff(before, after);

        Assert.Equal(
        [
            "+ containerDefinitions[api].environment[ADDED]: added",
            "~ containerDefinitions[api].environment[DB]: changed",
            "- containerDefinitions[api].environment[GONE]: removed",
            "~ containerDefinitions[api].secrets[TOKEN].valueFrom: \"arn:aws:ssm:us-east-1:1:parameter/t\" -> \"arn:aws:ssm:us-east-1:1:parameter/t2\"",
            "= containerDefinitions[api].environment unchanged: MODE",
        ], diff);
        var all = string.Join("\n", diff);
        foreach (var value in new[] { "OldS3cret", "NewS3cret", "prod", "G0neValue", "AddedValue" })
        {
            Assert.DoesNotContain(value, all, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("""{ "family": "a", "networkMode": "overlay", "containerDefinitions": [ { "name": "a", "image": "x" } ] }""", "'networkMode' must be one of bridge, host, awsvpc, none")]
    [InlineData("""{ "family": "a", "networkMode": 1, "containerDefinitions": [ { "name": "a", "image": "x" } ] }""", "'networkMode' must be one of")]
    [InlineData("""{ "family": "a", "containerDefinitions": [] }""", "'containerDefinitions' must be a non-empty array")]
    [InlineData("""{ "family": "a" }""", "'containerDefinitions' must be a non-empty array")]
    [InlineData("""{ "family": 3, "containerDefinitions": [ { "name": "a", "image": "x" } ] }""", "'family' must be")]
    [InlineData("""{ "family": "backend-flask\n", "containerDefinitions": [ { "name": "a", "image": "x" } ] }""", "'family' must be")]
    [InlineData("""{ "family": "a", "containerDefinitions": [ { "name": "backend-flask\n", "image": "x" } ] }""", "'containerDefinitions[0].name' must be 1-255 letters")]
    [InlineData("""{ "family": "a", "containerDefinitions": [ "a" ] }""", "'containerDefinitions[0]' must be an object")]
    [InlineData("""{ "family": "a", "containerDefinitions": [ { "name": "a b", "image": "x" } ] }""", "'containerDefinitions[0].name' must be 1-255 letters")]
    [InlineData("""{ "family": "a", "containerDefinitions": [ { "image": "x" } ] }""", "'containerDefinitions[0].name' must be 1-255 letters")]
    [InlineData("""{ "family": "a", "containerDefinitions": [ { "name": "a", "image": " " } ] }""", "'containerDefinitions[0].image' is required")]
    [InlineData("""{ "family": "a", "containerDefinitions": [ { "name": "a", "image": 5 } ] }""", "'containerDefinitions[0].image' is required")]
    [InlineData("""{ "family": "a", "containerDefinitions": [ { "name": "a", "image": "x", "cpu": 0.5 } ] }""", "'containerDefinitions[0].cpu' must be a whole number")]
    [InlineData("""{ "family": "a", "containerDefinitions": [ { "name": "a", "image": "x", "memoryReservation": true } ] }""", "'containerDefinitions[0].memoryReservation' must be a whole number")]
    [InlineData("""{ "family": "a", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "containerDefinitions": [ { "name": "a", "image": "x" } ] }""", "Fargate needs task-level 'cpu' and 'memory'")]
    [InlineData("""{ "family": "a", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "memory": "512", "containerDefinitions": [ { "name": "a", "image": "x" } ] }""", "Fargate needs task-level 'cpu' and 'memory'")]
    [InlineData("""{ "family": "a", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512", "containerDefinitions": [ { "name": "a", "image": "x" } ] }""", "Fargate needs 'networkMode': 'awsvpc'")]
    public void EachProblemIsNamedAndNothingIsRegistered(string definition, string problem)
    {
        var e = Assert.Throws<CruddurException>(() => TaskDefinitions.Validate(JsonNode.Parse(definition)!.AsObject(), "td.json"));

        Assert.Equal(("DeployDefinitionInvalid", ErrorKind.InvalidData), (e.ErrorId, e.Kind));
        Assert.StartsWith("td.json: ECS would reject this task definition: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.EndsWith("nothing was registered.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WholeNumbersMayBeWrittenAsStringsAndEc2NeedsNoTaskSize()
    {
        var td = JsonNode.Parse("""
            { "family": "a", "requiresCompatibilities": ["EC2"], "networkMode": "bridge",
              "containerDefinitions": [ { "name": "a", "image": "x", "cpu": "256", "memory": 512, "memoryReservation": 256.0 } ] }
            """)!.AsObject();

        TaskDefinitions.Validate(td, "td.json");
    }

    [Fact]
    public void ADiffFromNothingAddsEveryLeafAndNamesNoUnchangedVariables()
    {
        var after = JsonNode.Parse("""{ "family": "a", "containerDefinitions": [ { "name": "api", "environment": [ { "name": "A", "value": "1" } ], "command": ["run", "it"] } ] }""")!.AsObject();

        Assert.Equal(
        [
            "+ containerDefinitions[api].command[0]: \"run\"",
            "+ containerDefinitions[api].command[1]: \"it\"",
            "+ containerDefinitions[api].environment[A]: added",
            "+ containerDefinitions[api].name: \"api\"",
            "+ family: \"a\"",
        ], TaskDefinitions.Diff(null, after));
    }

    [Fact]
    public void ADiffOfEqualDefinitionsIsEmptyEvenWithVariablesAndReadOnlyFields()
    {
        var before = JsonNode.Parse("""{ "revision": 3, "status": "ACTIVE", "family": "a", "containerDefinitions": [ { "name": "api", "environment": [ { "name": "A", "value": "1" } ], "portMappings": [] } ] }""")!.AsObject();
        var after = JsonNode.Parse("""{ "family": "a", "containerDefinitions": [ { "name": "api", "environment": [ { "name": "A", "value": "1" } ], "portMappings": [] } ] }""")!.AsObject();

        Assert.Empty(TaskDefinitions.Diff(before, after));
    }

    [Fact]
    public void ADiffShowsRemovedLeavesAndVariablesWithoutAValue()
    {
        var before = JsonNode.Parse("""{ "family": "a", "cpu": "256", "containerDefinitions": [ { "name": "api", "environment": [ { "name": "ONLY_NAME" }, { "value": "no name" } ] } ] }""")!.AsObject();
        var after = JsonNode.Parse("""{ "family": "a", "containerDefinitions": [ { "name": "api", "environment": [ { "value": "no name, changed" } ] } ] }""")!.AsObject();

        var diff = TaskDefinitions.Diff(before, after);

        Assert.Contains("- cpu: \"256\"", diff);
        Assert.DoesNotContain(diff, l => l.Contains("no name", StringComparison.Ordinal));
        Assert.Contains(diff, l => l.StartsWith("- containerDefinitions[api].environment[", StringComparison.Ordinal) && l.EndsWith(": removed", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryFieldRegisterTaskDefinitionAcceptsPassesValidation()
    {
        var td = JsonNode.Parse("""
            { "family": "backend-flask", "taskRoleArn": "arn:aws:iam::1:role/t", "executionRoleArn": "arn:aws:iam::1:role/e", "networkMode": "awsvpc",
              "volumes": [], "placementConstraints": [], "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512", "tags": [],
              "pidMode": "task", "ipcMode": "task", "proxyConfiguration": {}, "inferenceAccelerators": [], "ephemeralStorage": { "sizeInGiB": 21 },
              "runtimePlatform": { "operatingSystemFamily": "LINUX" }, "enableFaultInjection": false,
              "containerDefinitions": [ {
                "name": "api", "image": "x", "repositoryCredentials": {}, "cpu": 256, "memory": 512, "memoryReservation": 256, "links": [],
                "portMappings": [], "essential": true, "restartPolicy": {}, "entryPoint": [], "command": [], "environment": [], "environmentFiles": [],
                "mountPoints": [], "volumesFrom": [], "linuxParameters": {}, "secrets": [], "dependsOn": [], "startTimeout": 30, "stopTimeout": 30,
                "versionConsistency": "enabled", "hostname": "h", "user": "1000", "workingDirectory": "/app", "disableNetworking": false,
                "privileged": false, "readonlyRootFilesystem": true, "dnsServers": [], "dnsSearchDomains": [], "extraHosts": [],
                "dockerSecurityOptions": [], "interactive": false, "pseudoTerminal": false, "dockerLabels": {}, "ulimits": [], "logConfiguration": {},
                "healthCheck": {}, "systemControls": [], "resourceRequirements": [], "firelensConfiguration": {}, "credentialSpecs": [] } ] }
            """)!.AsObject();

        TaskDefinitions.Validate(td, "td.json");
    }

    [Fact]
    public void ProblemsAreSeparatedSoEachCanBeRead()
    {
        var td = JsonNode.Parse("""{ "family": "a", "bogus": 1, "containerDefinitions": [ { "name": "a", "image": "x", "retries": 3 } ] }""")!.AsObject();

        var e = Assert.Throws<CruddurException>(() => TaskDefinitions.Validate(td, "td.json"));

        Assert.Contains("'bogus' is not a task definition field; 'containerDefinitions[0].retries' is not a container definition field", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AContainerLookupInADefinitionWithoutContainersNamesTheMissingOne()
    {
        var e = Assert.Throws<CruddurException>(() => TaskDefinitions.Container(JsonNode.Parse("""{ "family": "a" }""")!.AsObject(), "api", "td.json"));

        Assert.Equal(("TaskContainerNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains("'api'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADiffNamesEveryUnchangedVariableOfAContainer()
    {
        var before = JsonNode.Parse("""{ "containerDefinitions": [ { "name": "api", "image": "a:1", "environment": [ { "name": "A", "value": "1" }, { "name": "B", "value": "2" } ] } ] }""")!.AsObject();
        var after = JsonNode.Parse("""{ "containerDefinitions": [ { "name": "api", "image": "a:2", "environment": [ { "name": "A", "value": "1" }, { "name": "B", "value": "2" } ] } ] }""")!.AsObject();

        Assert.Equal(
        [
            "~ containerDefinitions[api].image: \"a:1\" -> \"a:2\"",
            "= containerDefinitions[api].environment unchanged: A, B",
        ], TaskDefinitions.Diff(before, after));
    }

    [Fact]
    public void ADiffShowsNoEmptyListNullOrValueECSFillsInAsAChange()
    {
        // What DescribeTaskDefinition returns for a file that left these out, and the file.
        var described = JsonNode.Parse("""
            { "family": "a", "revision": 3, "status": "ACTIVE", "networkMode": "awsvpc", "cpu": null, "volumes": [], "placementConstraints": [], "enableFaultInjection": false,
              "containerDefinitions": [ { "name": "api", "cpu": 0, "essential": true, "environment": [], "mountPoints": [], "volumesFrom": [], "command": [],
                "portMappings": [ { "containerPort": 80, "hostPort": 80, "protocol": "tcp" } ] } ] }
            """)!.AsObject();
        var file = JsonNode.Parse("""{ "family": "a", "networkMode": "awsvpc", "containerDefinitions": [ { "name": "api", "portMappings": [ { "containerPort": 80 } ] } ] }""")!.AsObject();

        Assert.Empty(TaskDefinitions.Diff(described, file));
        Assert.True(TaskDefinitions.Same(described, file));

        // A value that is not ECS's default is a change, in either direction.
        file["cpu"] = "256";
        file["containerDefinitions"]![0]!["essential"] = false;
        file["containerDefinitions"]![0]!["portMappings"]![0]!["hostPort"] = 8080;
        Assert.Equal(
        [
            "+ containerDefinitions[api].essential: false",
            "+ containerDefinitions[api].portMappings[0].hostPort: 8080",
            "+ cpu: \"256\"",
        ], TaskDefinitions.Diff(described, file));
        Assert.False(TaskDefinitions.Same(described, file));
    }

    [Fact]
    public void ASyntaxErrorAfterATrailingCommaAndACommentNamesWhereItReallyIs()
    {
        var text = "{\n  \"family\": \"a\", // the family\n  \"tags\": [ { \"key\": \"k\", }, ],\n  \"containerDefinitions\": [ { \"name\": \"a\", \"command\": [\"run\", \"it\" \"now\"] } ]\n}";

        var e = Assert.Throws<CruddurException>(() => DefinitionFile.Parse(text, "f.json", NoValues));

        Assert.Equal((4L, "$.containerDefinitions[0].command[1]"), ((long)e.Data["Line"]!, (string)e.Data["Path"]!));
    }

    [Theory]
    [InlineData("{ \"containerDefinitions\": [ nope ] }", "$.containerDefinitions")]
    [InlineData("{ nope }", "$")]
    public void ASyntaxErrorBeforeAnyElementOrPropertyNamesOnlyTheEnclosingPath(string text, string path)
    {
        var e = Assert.Throws<CruddurException>(() => DefinitionFile.Parse(text, "f.json", NoValues));

        Assert.Equal(path, e.Data["Path"]);
    }

    [Fact]
    public void AnEmptyFileIsNotValidJson()
    {
        var e = Assert.Throws<CruddurException>(() => DefinitionFile.Parse(string.Empty, "f.json", NoValues));

        Assert.Equal(("DeployDefinitionInvalidJson", ErrorKind.InvalidData), (e.ErrorId, e.Kind));
        Assert.StartsWith("f.json:1: not valid JSON: ", e.Message, StringComparison.Ordinal);
    }
}
