using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>One step of a blue/green-family deployment: the lifecycle stage it reports, the hook stage whose hooks run
/// once its own work is done (null: none), and what it does.</summary>
public abstract record RunStep(string Stage, string? HookStage);

/// <summary>Only the hooks of a stage (PRE_SCALE_UP, POST_SCALE_UP, POST_TEST_TRAFFIC_SHIFT, ...).</summary>
public sealed record HookStep(string Stage, string HookStage) : RunStep(Stage, HookStage);

/// <summary>RECONCILE_SERVICE: other revisions than production are scaled in and traffic goes back to production.</summary>
public sealed record ReconcileStep() : RunStep(Sd.ReconcileService, Sd.ReconcileService);

/// <summary>SCALE_UP: the green revision launches its tasks and waits for them to be healthy in the load balancer.</summary>
public sealed record ScaleUpStep() : RunStep(Sd.ScaleUp, null);

/// <summary>A traffic shift: the test or production listener rule forwards <paramref name="GreenPercent"/> to green.</summary>
public sealed record ShiftStep(string Stage, bool Test, double GreenPercent) : RunStep(Stage, Stage);

/// <summary>A wait with both revisions running: BAKE_TIME, or a linear/canary step's bake (reported as PRODUCTION_TRAFFIC_SHIFT).</summary>
public sealed record BakeStep(string Stage, double Minutes) : RunStep(Stage, null);

/// <summary>CLEAN_UP: the revision that lost (blue after success, green after a rollback) scales to 0.</summary>
public sealed record CleanUpStep(bool Green) : RunStep(Sd.CleanUp, null);

/// <summary>How a step went when polled.</summary>
public readonly record struct StepOutcome(bool Done, string? Failure)
{
    public static readonly StepOutcome Waiting = new(false, null);
    public static readonly StepOutcome Ok = new(true, null);

    public static StepOutcome Fail(string reason) => new(false, reason);
}

/// <summary>The state of a BLUE_GREEN, LINEAR or CANARY service deployment as it walks its steps.</summary>
public sealed class BlueGreenRun
{
    public required List<RunStep> Steps { get; set; }
    public int Index { get; set; }
    public bool Entered { get; set; }
    public bool HooksStarted { get; set; }
    public double StepStartedAt { get; set; }

    /// <summary>Every stage lasts at least this long (ECS's own work at each stage takes a few seconds).</summary>
    public double DwellUntil { get; set; }

    public bool GreenLaunched { get; set; }
    public bool RollingBack { get; set; }

    /// <summary>No more steps: finished, or stuck after a failed rollback.</summary>
    public bool Halted { get; set; }

    /// <summary>Finished (successfully or rolled back): the service is back to the scheduler's everyday work.</summary>
    public bool Finished { get; set; }

    /// <summary>Green's share of test and production traffic as last requested (percent).</summary>
    public double TestPercent { get; set; }
    public double ProductionPercent { get; set; }

    /// <summary>Green's share before the current shift step (restored when the load balancer refuses the step).</summary>
    public double PercentBefore { get; set; }

    /// <summary>The hooks of the current step.</summary>
    public List<HookRun> StepHooks { get; set; } = [];

    /// <summary>A stage fault injected with /_sim/stage-fault for the current step.</summary>
    public string? Fault { get; set; }

    /// <summary>The listener-rule writes of the current step.</summary>
    public List<TrafficWrite> Writes { get; } = [];

    /// <summary>The stages entered, in order, with their time: for the /_sim/service-deployments control endpoint.</summary>
    public List<JsonObject> History { get; } = [];

    public RunStep Step => Steps[Index];
}
