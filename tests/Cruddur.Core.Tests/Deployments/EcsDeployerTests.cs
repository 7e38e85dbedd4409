using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>The deployer against a scripted ECS: what a partly failed multi-service deploy and a garbled watch report.</summary>
public sealed class EcsDeployerTests
{
    private static readonly WatchClock NoWait = new(() => DateTimeOffset.UnixEpoch, (_, _) => Task.CompletedTask);

    [Fact]
    public async Task WhenTheSecondUpdateFailsTheFirstServiceIsStillWatchedAndReturnedAndTheSecondNamedUnchanged()
    {
        var ecs = new ScriptedEcs((op, request, describeCalls) => op == "UpdateService" && (string?)request["service"] == "b"
            ? throw new AwsServiceException("ECS", op, "AccessDeniedException", "not authorized to perform: ecs:UpdateService", 400)
            : null);

        var result = await new EcsDeployer(ecs, new RecordingHost(), NoPlaceholders, NoWait)
            .DeployAsync([new DeployTarget("cruddur", "a"), new DeployTarget("cruddur", "b"), new DeployTarget("cruddur", "c")], new DeployOptions(), CancellationToken.None);

        var deployed = Assert.Single(result.Deployments);
        Assert.Equal(("a", DeploymentOutcome.Succeeded), (deployed.Service, deployed.Outcome));
        Assert.NotNull(result.Failure);
        Assert.Equal("AwsAccessDeniedException", result.Failure!.ErrorId);
        Assert.Contains("Already changed (and watched): cruddur/a", result.Failure.Message, StringComparison.Ordinal);
        Assert.Contains("Left unchanged: cruddur/b, cruddur/c", result.Failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ecs.Calls, c => c.Operation == "UpdateService" && (string?)c.Request["service"] == "c");
    }

    [Theory]
    [InlineData("""{ "services": [ { "serviceName": "a", "status": 7, "deployments": [ { "id": "ecs-svc/a", "status": "PRIMARY", "desiredCount": "lots" } ] } ] }""")]
    [InlineData("""{ "services": "<html>busy</html>" }""")]
    [InlineData("""{ "services": [ { "serviceName": "a", "status": "ACTIVE", "deployments": [ { "id": "ecs-svc/a", "status": "PRIMARY", "rolloutState": ["x"] } ] } ] }""")]
    public async Task GarbageFromDescribeServicesMidWatchEndsAsUnknownWithAStableId(string garbage)
    {
        var ecs = new ScriptedEcs((op, _, describeCalls) => op == "DescribeServices" && describeCalls > 1 ? JsonNode.Parse(garbage)!.AsObject() : null);

        var result = await new EcsDeployer(ecs, new RecordingHost(), NoPlaceholders, NoWait)
            .DeployAsync([new DeployTarget("cruddur", "a")], new DeployOptions(), CancellationToken.None);

        var d = Assert.Single(result.Deployments);
        Assert.Null(result.Failure);
        Assert.Equal(DeploymentOutcome.Unknown, d.Outcome);
        Assert.Equal("DeployWatchFailed", EcsDeployer.ErrorFor(d)?.ErrorId);
        // Nothing is rolled back on an answer nobody understood.
        Assert.Single(ecs.Calls, c => c.Operation == "UpdateService");
    }

    private static Task<string?> NoPlaceholders(string name, CancellationToken token) => Task.FromResult<string?>(null);

    /// <summary>A small, healthy ECS: every service exists at revision 1, deployments complete at once. <c>overrides</c> may answer or throw first.</summary>
    private sealed class ScriptedEcs(Func<string, JsonObject, int, JsonObject?> overrides) : IAwsJsonApi
    {
        private int _describeCalls;

        public AwsService Service => AwsService.Ecs;

        public List<(string Operation, JsonObject Request)> Calls { get; } = [];

        public Task<JsonObject> InvokeAsync(string operation, JsonObject request, CancellationToken cancellationToken, bool retryServerErrors = true)
        {
            Calls.Add((operation, request));
            if (operation == "DescribeServices")
            {
                _describeCalls++;
            }

            return Task.FromResult(overrides(operation, request, _describeCalls) ?? Answer(operation, request));
        }

        private static JsonObject Answer(string operation, JsonObject request) => operation switch
        {
            "DescribeServices" => new JsonObject
            {
                ["services"] = new JsonArray(request["services"]!.AsArray().Select(n => (JsonNode)ServiceJson((string)n!)).ToArray()),
            },
            "DescribeTaskDefinition" => new JsonObject
            {
                ["taskDefinition"] = new JsonObject
                {
                    ["family"] = Family((string)request["taskDefinition"]!),
                    ["containerDefinitions"] = new JsonArray(new JsonObject { ["name"] = Family((string)request["taskDefinition"]!), ["image"] = "img:1" }),
                },
            },
            "RegisterTaskDefinition" => new JsonObject { ["taskDefinition"] = new JsonObject { ["taskDefinitionArn"] = Arn((string)request["family"]!, 2) } },
            "UpdateService" => new JsonObject
            {
                ["service"] = new JsonObject { ["deployments"] = new JsonArray(new JsonObject { ["id"] = $"ecs-svc/{request["service"]}", ["status"] = "PRIMARY", ["taskDefinition"] = (string)request["taskDefinition"]! }) },
            },
            "ListTasks" => new JsonObject { ["taskArns"] = new JsonArray() },
            _ => throw new InvalidOperationException($"unexpected {operation}"),
        };

        private static JsonObject ServiceJson(string name) => new()
        {
            ["serviceName"] = name,
            ["status"] = "ACTIVE",
            ["taskDefinition"] = Arn(name, 1),
            ["events"] = new JsonArray(),
            ["deployments"] = new JsonArray(new JsonObject
            {
                ["id"] = $"ecs-svc/{name}",
                ["status"] = "PRIMARY",
                ["taskDefinition"] = Arn(name, 2),
                ["rolloutState"] = "COMPLETED",
                ["desiredCount"] = 1,
                ["runningCount"] = 1,
            }),
        };

        private static string Family(string reference) => reference.Split('/')[^1].Split(':')[0];

        private static string Arn(string family, int revision) => $"arn:aws:ecs:us-east-1:1:task-definition/{family}:{revision}";
    }
}
