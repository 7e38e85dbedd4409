using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>The /_sim/ control endpoints (plain JSON) that tests use to steer the simulator.</summary>
public static partial class SimulatorHost
{
    private static async Task<JsonObject> ReadJson(HttpContext ctx)
    {
        try
        {
            return await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static void MapControl(WebApplication app, SimState state, DataChannelHub hub)
    {
        app.MapGet("/_sim/health", () => Results.Json(new { status = "ok" }));

        app.MapPost("/_sim/reset", () =>
        {
            lock (state.Gate)
            {
                state.Reset();
            }
            hub.Reset();
            return Results.Json(new { reset = true });
        });

        app.MapGet("/_sim/calls", () =>
        {
            lock (state.Gate)
            {
                return Results.Json(new Dictionary<string, int>(state.Calls));
            }
        });

        app.MapGet("/_sim/time-scale", () =>
        {
            lock (state.Gate)
            {
                return Results.Json(new { scale = state.TimeScale });
            }
        });

        app.MapPost("/_sim/time-scale", async (HttpContext ctx) =>
        {
            var o = await ReadJson(ctx);
            if (Json.Double(o, "scale") is not { } scale || scale <= 0)
            {
                return Results.Json(new { message = "Body must be {\"scale\": <positive number>}." }, statusCode: 400);
            }
            lock (state.Gate)
            {
                state.TimeScale = scale;
            }
            return Results.Json(new { scale });
        });

        app.MapPost("/_sim/scenario", async (HttpContext ctx) =>
        {
            var o = await ReadJson(ctx);
            var cluster = Json.Str(o, "cluster") ?? "default";
            var service = Json.Str(o, "service");
            var scenario = Json.Str(o, "scenario")?.ToLowerInvariant();
            if (service is null || !Scenarios.IsValid(scenario))
            {
                return Results.Json(new { message = "Body must be {\"cluster\",\"service\",\"scenario\": healthy|unhealthy|crash|slow|exit-after:<seconds>}." }, statusCode: 400);
            }
            lock (state.Gate)
            {
                state.ScenarioByService[SimState.ScenarioKey(cluster, service)] = scenario!;
            }
            return Results.Json(new { cluster, service, scenario });
        });

        app.MapPost("/_sim/faults", async (HttpContext ctx) =>
        {
            var o = await ReadJson(ctx);
            var op = Json.Str(o, "operation");
            var kind = Json.Str(o, "kind");
            var count = Json.Int(o, "count") ?? 1;
            if (op is null || kind is not ("Throttling" or "ServerError" or "AccessDenied") || count < 0)
            {
                return Results.Json(new { message = "Body must be {\"operation\",\"kind\": Throttling|ServerError|AccessDenied,\"count\"}." }, statusCode: 400);
            }
            lock (state.Gate)
            {
                state.Faults[op] = new Fault { Kind = kind, Remaining = count };
            }
            return Results.Json(new { operation = op, kind, count });
        });

        app.MapGet("/_sim/sessions", () =>
        {
            lock (state.Gate)
            {
                return Results.Json(state.Sessions.Select(x => new { x.SessionId, x.TaskArn, x.Container, x.Command, x.CreatedAt }).ToList());
            }
        });
    }
}
