using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>
/// What a container definition (plus the task's containerOverrides) asks to run: argv (<c>entryPoint</c> then <c>command</c>,
/// an override's <c>command</c> replacing the definition's, as Docker does), environment, working directory, health check,
/// stop timeout and dependsOn. Null argv means the image's own program: the stand-in server.
/// </summary>
public sealed record ContainerCommand(
    IReadOnlyList<string>? Argv,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    string? WorkingDirectory,
    HealthCheckSpec? HealthCheck,
    double StopTimeoutSeconds,
    IReadOnlyList<ContainerDependency> DependsOn)
{
    /// <summary>ECS's default stopTimeout: SIGKILL 30 s after SIGTERM.</summary>
    public const double DefaultStopTimeoutSeconds = 30;

    public static ContainerCommand Of(JsonObject definition, JsonObject? containerOverride)
    {
        var entryPoint = Json.StrList(definition, "entryPoint");
        var command = containerOverride?["command"] is JsonArray { Count: > 0 } ? Json.StrList(containerOverride, "command") : Json.StrList(definition, "command");
        var argv = entryPoint.Concat(command).ToList();
        var env = new List<KeyValuePair<string, string>>();
        foreach (var list in new[] { definition["environment"], containerOverride?["environment"] }.OfType<JsonArray>())
        {
            foreach (var e in list.OfType<JsonObject>())
            {
                if (Json.Str(e, "name") is { } name)
                {
                    env.Add(new(name, Json.Str(e, "value") ?? ""));
                }
            }
        }
        var dependsOn = (definition["dependsOn"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(d => Json.Str(d, "containerName") is not null)
            .Select(d => new ContainerDependency(Json.Str(d, "containerName")!, Json.Str(d, "condition") ?? ContainerDependency.Start))
            .ToList();
        return new ContainerCommand(argv.Count > 0 ? argv : null, env, Json.Str(definition, "workingDirectory"),
            HealthCheckSpec.Of(definition["healthCheck"] as JsonObject), Json.Int(definition, "stopTimeout") ?? DefaultStopTimeoutSeconds, dependsOn);
    }

    /// <summary>Starts argv in a process group of its own with only PATH, HOME and the container's environment (never the
    /// simulator's own), in <paramref name="directory"/>; null when the program is not found.</summary>
    public ProcessGroup? Start(IReadOnlyList<string> argv, string directory, string home, Action<string> onLine)
    {
        var psi = new ProcessStartInfo
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment.Clear();
        psi.Environment["PATH"] = System.Environment.GetEnvironmentVariable("PATH");
        psi.Environment["HOME"] = home;
        foreach (var (name, value) in Environment)
        {
            psi.Environment[name] = value;
        }
        return ProcessGroup.Start(argv, psi, onLine);
    }
}

/// <summary>A dependsOn entry: containerName and condition (START, COMPLETE, SUCCESS, HEALTHY).</summary>
public sealed record ContainerDependency(string ContainerName, string Condition)
{
    public const string Start = "START";
    public const string Complete = "COMPLETE";
    public const string Success = "SUCCESS";
    public const string Healthy = "HEALTHY";

    /// <summary>Whether the condition holds for the container it names (a name not in the task never holds).</summary>
    public bool IsMet(ContainerRec? other) => other is not null && Condition switch
    {
        Start => other.LastStatus is Status.Running or Status.Stopped && other.StartedRunning,
        Complete => other.LastStatus == Status.Stopped && other.ExitCode is not null,
        Success => other.LastStatus == Status.Stopped && other.ExitCode == 0,
        Healthy => other.HealthStatus == "HEALTHY",
        _ => false,
    };
}

/// <summary>A container's healthCheck: argv to run (CMD as given, CMD-SHELL through /bin/sh -c) and ECS's defaults (interval
/// 30 s, timeout 5 s, retries 3, no startPeriod). NONE or an empty command: no check.</summary>
public sealed record HealthCheckSpec(IReadOnlyList<string> Argv, double Interval, double Timeout, int Retries, double StartPeriod)
{
    public static HealthCheckSpec? Of(JsonObject? healthCheck)
    {
        if (healthCheck is null)
        {
            return null;
        }
        IReadOnlyList<string>? argv = Json.StrList(healthCheck, "command").ToArray() switch
        {
            ["CMD", .. var rest] when rest.Length > 0 => rest,
            ["CMD-SHELL", var text, ..] => ["/bin/sh", "-c", text],
            _ => null,
        };
        return argv is null ? null : new HealthCheckSpec(argv, Json.Int(healthCheck, "interval") ?? 30, Json.Int(healthCheck, "timeout") ?? 5,
            Json.Int(healthCheck, "retries") ?? 3, Json.Int(healthCheck, "startPeriod") ?? 0);
    }
}
