using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>The /_sim/ control endpoints for service deployments: Lambda hook answers, stage faults, the stages walked.</summary>
public static partial class SimulatorHost
{
    private static readonly string[] HookStatuses = [Sd.Succeeded, Sd.Failed, Sd.InProgress];

    private static readonly string[] FaultableStages =
    [
        Sd.ReconcileService, Sd.PreScaleUp, Sd.ScaleUp, Sd.PostScaleUp, Sd.TestTrafficShift, Sd.PostTestTrafficShift,
        Sd.ProductionTrafficShift, Sd.PostProductionTrafficShift, Sd.BakeTime, Sd.CleanUp,
    ];

    private static void MapDeploymentControl(WebApplication app, SimState state)
    {
        app.MapPost("/_sim/lambda-hooks", async (HttpContext ctx) =>
        {
            var o = await ReadJson(ctx);
            var arn = Json.Str(o, "functionArn");
            var status = Json.Str(o, "hookStatus");
            var delay = Json.Double(o, "callBackDelay");
            if (arn is null || status is null || !HookStatuses.Contains(status) || delay is < 0)
            {
                return Results.Json(new { message = "Body must be {\"functionArn\",\"hookStatus\": SUCCEEDED|FAILED|IN_PROGRESS, \"callBackDelay\": <seconds, optional>}." }, statusCode: 400);
            }
            lock (state.Gate)
            {
                state.LambdaAnswers[arn] = new LambdaAnswer(status, delay);
            }
            return Results.Json(new { functionArn = arn, hookStatus = status, callBackDelay = delay });
        });

        app.MapGet("/_sim/lambda-hooks", () =>
        {
            lock (state.Gate)
            {
                return Results.Text(new JsonObject { ["invocations"] = Json.Array(state.LambdaInvocations.Select(i => (JsonNode?)i.DeepClone())) }.ToJsonString(), "application/json");
            }
        });

        app.MapPost("/_sim/stage-fault", async (HttpContext ctx) =>
        {
            var o = await ReadJson(ctx);
            var cluster = Json.Str(o, "cluster") ?? "default";
            var service = Json.Str(o, "service");
            var stage = Json.Str(o, "stage");
            if (service is null || stage is null || !FaultableStages.Contains(stage))
            {
                return Results.Json(new { message = "Body must be {\"cluster\",\"service\",\"stage\": " + string.Join("|", FaultableStages) + ", \"reason\": <optional>}." }, statusCode: 400);
            }
            var reason = Json.Str(o, "reason") ?? $"Lifecycle stage {stage} failed.";
            lock (state.Gate)
            {
                state.StageFaults[SimState.ScenarioKey(cluster, service)] = (stage, reason);
            }
            return Results.Json(new { cluster, service, stage, reason });
        });

        app.MapGet("/_sim/service-deployments", () =>
        {
            lock (state.Gate)
            {
                var all = state.ServiceDeployments.Values.OrderBy(d => d.CreatedAt).Select(d =>
                {
                    var o = new JsonObject
                    {
                        ["serviceDeploymentArn"] = d.Arn,
                        ["strategy"] = d.Strategy,
                        ["status"] = d.Status,
                        ["stages"] = Json.Array((d.Run?.History ?? []).Select(h => (JsonNode?)h.DeepClone())),
                    };
                    if (d.Run is { } run)
                    {
                        o["testPercent"] = run.TestPercent;
                        o["productionPercent"] = run.ProductionPercent;
                    }
                    return (JsonNode?)o;
                });
                return Results.Text(new JsonObject { ["serviceDeployments"] = Json.Array(all) }.ToJsonString(), "application/json");
            }
        });
    }
}
