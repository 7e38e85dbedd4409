using System.Globalization;
using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// A release strategy and its timings, as a service's deploymentConfiguration holds them (strategy, bakeTimeInMinutes,
/// linearConfiguration, canaryConfiguration). Null members are not set: ECS's own default applies, or a value from
/// elsewhere (<see cref="StrategyConfiguration.Override"/>).
/// </summary>
public sealed record StrategySettings
{
    public DeploymentStrategy? Strategy { get; init; }

    /// <summary>bakeTimeInMinutes: how long blue keeps running after production traffic has moved to green.</summary>
    public TimeSpan? BakeTime { get; init; }

    /// <summary>linearConfiguration.stepPercent.</summary>
    public double? StepPercent { get; init; }

    /// <summary>linearConfiguration.stepBakeTimeInMinutes.</summary>
    public TimeSpan? StepBakeTime { get; init; }

    /// <summary>canaryConfiguration.canaryPercent.</summary>
    public double? CanaryPercent { get; init; }

    /// <summary>canaryConfiguration.canaryBakeTimeInMinutes.</summary>
    public TimeSpan? CanaryBakeTime { get; init; }

    /// <summary>Whether nothing is set.</summary>
    public bool IsEmpty => this == new StrategySettings();

    /// <summary>The strategy in effect: ECS's default is ROLLING.</summary>
    public DeploymentStrategy EffectiveStrategy => Strategy ?? DeploymentStrategy.Rolling;
}

/// <summary>
/// Reads, checks, merges and writes <see cref="StrategySettings"/>. The ranges are the ECS API model's (botocore 1.43):
/// bakeTimeInMinutes, stepBakeTimeInMinutes and canaryBakeTimeInMinutes 0 to 1440 whole minutes; stepPercent a multiple of
/// 0.1 from 3.0 to 100.0; canaryPercent a multiple of 0.1 from 0.1 to 100.0. ECS requires bakeTimeInMinutes for
/// BLUE_GREEN; when nobody gave one the deploy sends <see cref="DefaultBakeTime"/>.
/// </summary>
internal static class StrategyConfiguration
{
    public const string Section = "deploymentConfiguration";

    /// <summary>The bake time a blue/green deployment gets when neither the caller nor the service file names one (ECS has no default).</summary>
    public static readonly TimeSpan DefaultBakeTime = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MaxBakeTime = TimeSpan.FromMinutes(1440);

    private static readonly (DeploymentStrategy Strategy, string Name)[] Names =
    [
        (DeploymentStrategy.Rolling, "ROLLING"), (DeploymentStrategy.BlueGreen, "BLUE_GREEN"), (DeploymentStrategy.Linear, "LINEAR"), (DeploymentStrategy.Canary, "CANARY"),
    ];

    /// <summary>ECS's name of a strategy (BLUE_GREEN).</summary>
    public static string EcsName(DeploymentStrategy strategy) => Names.First(n => n.Strategy == strategy).Name;

    /// <summary>The strategy ECS calls <paramref name="name"/>, or null for one this module does not know.</summary>
    public static DeploymentStrategy? FromEcsName(string? name) => Names.Where(n => n.Name == name).Select(n => (DeploymentStrategy?)n.Strategy).FirstOrDefault();

    /// <summary>The settings in a deploymentConfiguration (a service file's, or a service's as DescribeServices shows it); a clear error for a value of the wrong kind.</summary>
    public static StrategySettings Read(JsonObject? deploymentConfiguration, string source)
    {
        if (deploymentConfiguration is null)
        {
            return new StrategySettings();
        }

        var strategyName = deploymentConfiguration["strategy"] is { } node ? AwsJson.TextOrNull(node) ?? "" : null;
        var strategy = strategyName is null ? (DeploymentStrategy?)null : FromEcsName(strategyName) ?? throw Invalid(source,
            $"deploymentConfiguration.strategy is '{strategyName}'; ECS knows {string.Join(", ", Names.Select(n => n.Name))}.");
        var linear = deploymentConfiguration["linearConfiguration"] as JsonObject;
        var canary = deploymentConfiguration["canaryConfiguration"] as JsonObject;
        return new StrategySettings
        {
            Strategy = strategy,
            BakeTime = Minutes(deploymentConfiguration, "bakeTimeInMinutes", source),
            StepPercent = Number(linear, "stepPercent", source),
            StepBakeTime = Minutes(linear, "stepBakeTimeInMinutes", source),
            CanaryPercent = Number(canary, "canaryPercent", source),
            CanaryBakeTime = Minutes(canary, "canaryBakeTimeInMinutes", source),
        };
    }

    /// <summary><paramref name="baseline"/> with every member <paramref name="overrides"/> sets replaced by it.</summary>
    public static StrategySettings Override(StrategySettings baseline, StrategySettings overrides) => new()
    {
        Strategy = overrides.Strategy ?? baseline.Strategy,
        BakeTime = overrides.BakeTime ?? baseline.BakeTime,
        StepPercent = overrides.StepPercent ?? baseline.StepPercent,
        StepBakeTime = overrides.StepBakeTime ?? baseline.StepBakeTime,
        CanaryPercent = overrides.CanaryPercent ?? baseline.CanaryPercent,
        CanaryBakeTime = overrides.CanaryBakeTime ?? baseline.CanaryBakeTime,
    };

    /// <summary>
    /// Checks the values asked for against ECS's ranges and the strategy they belong to (a step percent is LINEAR's, a
    /// canary percent CANARY's), the strategy being the one asked for or else the service's <paramref name="current"/>
    /// one; <paramref name="source"/> says where they came from. Returns them with the bake time a blue/green deployment
    /// must have when neither they nor the service have one.
    /// </summary>
    public static StrategySettings Check(StrategySettings settings, StrategySettings current, string source)
    {
        Range(settings.StepPercent, 3.0, "step percent", source);
        Range(settings.CanaryPercent, 0.1, "canary percent", source);
        Duration(settings.BakeTime, "bake time", source);
        Duration(settings.StepBakeTime, "step bake time", source);
        Duration(settings.CanaryBakeTime, "canary bake time", source);
        var strategy = settings.Strategy ?? current.EffectiveStrategy;
        if (strategy != DeploymentStrategy.Linear && (settings.StepPercent is not null || settings.StepBakeTime is not null))
        {
            throw Mismatch(source, "a step percent or step bake time", DeploymentStrategy.Linear, strategy);
        }

        if (strategy != DeploymentStrategy.Canary && (settings.CanaryPercent is not null || settings.CanaryBakeTime is not null))
        {
            throw Mismatch(source, "a canary percent or canary bake time", DeploymentStrategy.Canary, strategy);
        }

        if (strategy == DeploymentStrategy.Rolling && settings.BakeTime is { } bake && bake > TimeSpan.Zero)
        {
            throw Mismatch(source, "a bake time", DeploymentStrategy.BlueGreen, strategy);
        }

        return strategy == DeploymentStrategy.BlueGreen && settings.BakeTime is null && current.BakeTime is null ? settings with { BakeTime = DefaultBakeTime } : settings;
    }

    /// <summary>Writes the set members into <paramref name="deploymentConfiguration"/> under ECS's names, leaving the rest of it as it is.</summary>
    public static void Write(JsonObject deploymentConfiguration, StrategySettings settings)
    {
        if (settings.Strategy is { } strategy)
        {
            deploymentConfiguration["strategy"] = EcsName(strategy);
            // A service's configuration of another strategy goes: ECS refuses linearConfiguration unless LINEAR, canaryConfiguration unless CANARY.
            if (strategy != DeploymentStrategy.Linear)
            {
                deploymentConfiguration.Remove("linearConfiguration");
            }

            if (strategy != DeploymentStrategy.Canary)
            {
                deploymentConfiguration.Remove("canaryConfiguration");
            }

            if (strategy != DeploymentStrategy.Rolling)
            {
                // The rolling circuit breaker is ROLLING's only: ECS ignores it for the others, and a watch must not expect it.
                deploymentConfiguration.Remove("deploymentCircuitBreaker");
            }
        }

        Put(deploymentConfiguration, "bakeTimeInMinutes", settings.BakeTime);
        if (settings.StepPercent is not null || settings.StepBakeTime is not null)
        {
            var linear = deploymentConfiguration["linearConfiguration"] as JsonObject ?? new JsonObject();
            Put(linear, "stepPercent", settings.StepPercent);
            Put(linear, "stepBakeTimeInMinutes", settings.StepBakeTime);
            deploymentConfiguration["linearConfiguration"] = linear;
        }

        if (settings.CanaryPercent is not null || settings.CanaryBakeTime is not null)
        {
            var canary = deploymentConfiguration["canaryConfiguration"] as JsonObject ?? new JsonObject();
            Put(canary, "canaryPercent", settings.CanaryPercent);
            Put(canary, "canaryBakeTimeInMinutes", settings.CanaryBakeTime);
            deploymentConfiguration["canaryConfiguration"] = canary;
        }
    }

    /// <summary>The lines of the -WhatIf diff: each member whose value changes, "strategy: ROLLING -> BLUE_GREEN".</summary>
    public static IReadOnlyList<string> Diff(StrategySettings current, StrategySettings next)
    {
        var lines = new List<string>();
        void Line(string name, string? before, string? after)
        {
            if (after is not null && before != after)
            {
                lines.Add($"{Section}.{name}: {before ?? "(not set)"} -> {after}");
            }
        }

        Line("strategy", EcsName(current.EffectiveStrategy), next.Strategy is { } s ? EcsName(s) : null);
        Line("bakeTimeInMinutes", Text(current.BakeTime), Text(next.BakeTime));
        Line("linearConfiguration.stepPercent", Text(current.StepPercent), Text(next.StepPercent));
        Line("linearConfiguration.stepBakeTimeInMinutes", Text(current.StepBakeTime), Text(next.StepBakeTime));
        Line("canaryConfiguration.canaryPercent", Text(current.CanaryPercent), Text(next.CanaryPercent));
        Line("canaryConfiguration.canaryBakeTimeInMinutes", Text(current.CanaryBakeTime), Text(next.CanaryBakeTime));
        return lines;
    }

    private static string? Text(TimeSpan? t) => t is { } v ? ((int)v.TotalMinutes).ToString(CultureInfo.InvariantCulture) : null;

    private static string? Text(double? d) => d?.ToString("0.0", CultureInfo.InvariantCulture);

    private static void Put(JsonObject target, string name, TimeSpan? minutes)
    {
        if (minutes is { } m)
        {
            target[name] = (int)m.TotalMinutes;
        }
    }

    private static void Put(JsonObject target, string name, double? percent)
    {
        if (percent is { } p)
        {
            target[name] = Math.Round(p, 1);
        }
    }

    private static void Range(double? percent, double min, string what, string source)
    {
        // A multiple of 0.1: ten times the value is whole (within double's rounding of decimal input such as 33.3).
        if (percent is { } p && (double.IsNaN(p) || p < min - 1e-9 || p > 100.0 + 1e-9 || Math.Abs(p * 10 - Math.Round(p * 10)) > 1e-6))
        {
            throw new CruddurException(ErrorIds.DeployStrategyValueOutOfRange, ErrorKind.InvalidArgument,
                $"{source}: the {what} {p.ToString(CultureInfo.InvariantCulture)} is not one ECS accepts: a multiple of 0.1 from {min.ToString("0.0", CultureInfo.InvariantCulture)} to 100.0. Nothing was registered.",
                target: p);
        }
    }

    private static void Duration(TimeSpan? time, string what, string source)
    {
        if (time is { } t && (t < TimeSpan.Zero || t > MaxBakeTime || t.Ticks % TimeSpan.TicksPerMinute != 0))
        {
            throw new CruddurException(ErrorIds.DeployStrategyValueOutOfRange, ErrorKind.InvalidArgument,
                $"{source}: the {what} {t} is not one ECS accepts: whole minutes from 0 to 1440 (24 hours). Pass a number of minutes (such as 10) or a TimeSpan (such as '00:10:00'). Nothing was registered.",
                target: t);
        }
    }

    private static CruddurException Mismatch(string source, string what, DeploymentStrategy belongs, DeploymentStrategy strategy) =>
        new(ErrorIds.DeployStrategyOptionMismatch, ErrorKind.InvalidArgument,
            $"{source}: {what} belongs to the {belongs} strategy{(belongs == DeploymentStrategy.BlueGreen ? " (and Linear, Canary)" : string.Empty)}, but the strategy is {strategy}. Choose that strategy, or leave the value out. Nothing was registered.",
            target: strategy);

    private static CruddurException Invalid(string source, string what) =>
        new(ErrorIds.DeployStrategyValueOutOfRange, ErrorKind.InvalidArgument, $"{source}: {what} Nothing was registered.", target: source);

    private static TimeSpan? Minutes(JsonObject? parent, string name, string source) => parent?[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out int m) => TimeSpan.FromMinutes(m),
        var other => throw Invalid(source, $"{name} is {other.ToJsonString()}; ECS wants a whole number of minutes from 0 to 1440."),
    };

    private static double? Number(JsonObject? parent, string name, string source) => parent?[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out double d) => d,
        var other => throw Invalid(source, $"{name} is {other.ToJsonString()}; ECS wants a number."),
    };
}
