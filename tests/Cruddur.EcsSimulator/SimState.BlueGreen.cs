using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>
/// Blue/green, linear and canary deployments (Developer Guide: "Amazon ECS blue/green service deployments workflow",
/// "Amazon ECS linear deployments", "Amazon ECS canary deployments"): the green revision scales up beside blue, test
/// traffic then production traffic moves to it by rewriting the weights of the listener rules, both run through the bake
/// time, then blue scales to 0. A failure at any stage rolls back: traffic returns to blue and green scales in.
/// </summary>
public sealed partial class SimState
{
    /// <summary>How long ECS's own work at a stage takes (seconds at scale 1.0).</summary>
    public const double StageSeconds = 5;

    /// <summary>A stage that has not finished after 24 hours fails the deployment (each lifecycle stage "can last up to 24 hours").</summary>
    public const double StageTimeoutSeconds = 24 * 3600;

    private static BlueGreenRun NewRun(ServiceDeploymentRec sd, bool reconcile)
    {
        var steps = new List<RunStep>();
        if (reconcile)
        {
            steps.Add(new ReconcileStep());
        }
        steps.Add(new HookStep(Sd.PreScaleUp, Sd.PreScaleUp));
        steps.Add(new ScaleUpStep());
        steps.Add(new HookStep(Sd.PostScaleUp, Sd.PostScaleUp));
        steps.Add(new ShiftStep(Sd.TestTrafficShift, Test: true, 100));
        steps.Add(new HookStep(Sd.PostTestTrafficShift, Sd.PostTestTrafficShift));
        var config = sd.Configuration;
        foreach (var (percent, bakeMinutes) in DeploymentRules.ProductionSteps(config))
        {
            steps.Add(new HookStep(Sd.ProductionTrafficShift, Sd.PreProductionTrafficShift));
            steps.Add(new ShiftStep(Sd.ProductionTrafficShift, Test: false, percent));
            if (percent < 100)
            {
                steps.Add(new BakeStep(Sd.ProductionTrafficShift, bakeMinutes));
            }
        }
        steps.Add(new HookStep(Sd.PostProductionTrafficShift, Sd.PostProductionTrafficShift));
        // Bake time is the time both revisions run after the shift; a service's first deployment has no blue to keep.
        if (sd.Sources.Count > 0)
        {
            steps.Add(new BakeStep(Sd.BakeTime, Json.Int(config, "bakeTimeInMinutes") ?? 0));
        }
        steps.Add(new CleanUpStep(Green: false));
        return new BlueGreenRun { Steps = steps };
    }

    private void AdvanceRun(ServiceRec svc, ServiceDeploymentRec sd, BlueGreenRun run, List<TaskRec> all, double now)
    {
        MaintainRunTasks(svc, sd, run, all, now);
        if (run.Halted || now < run.DwellUntil)
        {
            return;
        }
        if (!run.Entered)
        {
            EnterStep(svc, sd, run, all, now);
        }
        var outcome = PollStep(svc, sd, run, all, now);
        if (outcome.Failure is { } failure)
        {
            if (run.RollingBack)
            {
                FinishServiceDeployment(sd, Sd.RollbackFailed, failure);
            }
            else
            {
                StartRollback(sd, failure, Sd.RollbackInProgress);
            }
        }
        else if (outcome.Done && now >= run.DwellUntil)
        {
            run.Index++;
            run.Entered = false;
            if (run.Index == run.Steps.Count)
            {
                if (run.RollingBack)
                {
                    FinishRollback(svc, sd);
                }
                else
                {
                    FinishRun(svc, sd, now);
                }
            }
        }
    }

    /// <summary>Keeps green (once scaled up) and blue at their desired counts, replacing failed tasks: blue keeps serving
    /// until CLEAN_UP, and a crash-looping green stays in SCALE_UP (there is no circuit breaker outside ROLLING).</summary>
    private void MaintainRunTasks(ServiceRec svc, ServiceDeploymentRec sd, BlueGreenRun run, List<TaskRec> all, double now)
    {
        var kept = sd.Sources.Where(svc.Deployments.Contains).ToList();
        if (run.GreenLaunched)
        {
            kept.Add(sd.Deployment);
        }
        foreach (var dep in kept)
        {
            ScaleDeployment(svc, dep, all.Where(t => ReferenceEquals(t.Deployment, dep) && t.IsLive).ToList(), now);
        }
    }

    private void EnterStep(ServiceRec svc, ServiceDeploymentRec sd, BlueGreenRun run, List<TaskRec> all, double now)
    {
        var step = run.Step;
        if (sd.Status is Sd.Pending or Sd.RollbackRequested)
        {
            sd.SetStatus(sd.Status == Sd.Pending ? Sd.InProgress : Sd.RollbackInProgress);
        }
        run.Entered = true;
        run.HooksStarted = false;
        run.StepHooks = [];
        run.Writes.Clear();
        run.StepStartedAt = now;
        run.DwellUntil = now + Scaled(StageSeconds);
        sd.LifecycleStage = step.Stage;
        sd.UpdatedAt = now;
        var entry = new JsonObject { ["lifecycleStage"] = step.Stage, ["at"] = Json.Time(now), ["rollback"] = run.RollingBack };
        Json.PutStr(entry, "hookStage", step.HookStage);
        if (step is ShiftStep { } shiftEntry)
        {
            entry["greenPercent"] = shiftEntry.GreenPercent;
        }
        else if (step is BakeStep { } bakeEntry)
        {
            entry["bakeMinutes"] = bakeEntry.Minutes;
        }
        run.History.Add(entry);
        run.Fault = run.RollingBack ? null : TakeStageFault(svc, step.Stage);
        switch (step)
        {
            case ReconcileStep:
                ReconcileOtherRevisions(svc, sd, run, all);
                break;
            case ScaleUpStep:
                run.GreenLaunched = true;
                break;
            case ShiftStep shift:
                run.PercentBefore = shift.Test ? run.TestPercent : run.ProductionPercent;
                SetPercent(run, shift.Test, shift.GreenPercent);
                WriteTraffic(run, sd.Target, shift.Test, shift.GreenPercent);
                break;
            case CleanUpStep cleanUp:
                var losers = cleanUp.Green ? [sd.Deployment] : sd.Sources;
                var winner = cleanUp.Green ? sd.Sources[0] : sd.Deployment;
                foreach (var dep in losers)
                {
                    dep.DesiredCount = 0;
                    dep.UpdatedAt = now;
                    StopTasks(svc, all.Where(t => ReferenceEquals(t.Deployment, dep) && t.IsLive).ToList(), winner);
                }
                break;
        }
    }

    private StepOutcome PollStep(ServiceRec svc, ServiceDeploymentRec sd, BlueGreenRun run, List<TaskRec> all, double now)
    {
        var step = run.Step;
        if (run.Fault is { } fault)
        {
            return StepOutcome.Fail(fault);
        }
        var own = step switch
        {
            ReconcileStep => WritesDone(run) is { Done: true } ? OthersGone(svc, sd, all) : WritesDone(run),
            ScaleUpStep => GreenHealthy(sd, all) ? StepOutcome.Ok : StepOutcome.Waiting,
            ShiftStep shift => WritesDone(run) is { Failure: not null } refused ? Refused(run, shift, refused) : WritesDone(run),
            BakeStep bake => now >= run.StepStartedAt + Scaled(bake.Minutes * 60) ? StepOutcome.Ok : StepOutcome.Waiting,
            CleanUpStep cleanUp => (cleanUp.Green ? [sd.Deployment] : sd.Sources)
                .All(d => all.Where(t => ReferenceEquals(t.Deployment, d)).All(t => t.LastStatus == Status.Stopped)) ? StepOutcome.Ok : StepOutcome.Waiting,
            _ => StepOutcome.Ok,
        };
        if (!own.Done)
        {
            return own.Failure is null && step is not BakeStep && now > run.StepStartedAt + Scaled(StageTimeoutSeconds)
                ? StepOutcome.Fail($"Lifecycle stage {step.Stage} did not complete within 24 hours.")
                : own;
        }
        if (step.HookStage is not { } hookStage)
        {
            return StepOutcome.Ok;
        }
        if (!run.HooksStarted)
        {
            StartHooks(sd, run, hookStage, now);
            run.HooksStarted = true;
        }
        return PollHooks(sd, run, now);
    }

    private static void SetPercent(BlueGreenRun run, bool test, double percent)
    {
        if (test)
        {
            run.TestPercent = percent;
        }
        else
        {
            run.ProductionPercent = percent;
        }
    }

    /// <summary>The load balancer refused the shift: traffic stays where it was, so a rollback has none to move back.</summary>
    private static StepOutcome Refused(BlueGreenRun run, ShiftStep shift, StepOutcome outcome)
    {
        SetPercent(run, shift.Test, run.PercentBefore);
        return outcome;
    }

    private static StepOutcome WritesDone(BlueGreenRun run) =>
        run.Writes.FirstOrDefault(w => w.Error is not null) is { } failed ? StepOutcome.Fail(failed.Error!)
        : run.Writes.All(w => w.Done) ? StepOutcome.Ok : StepOutcome.Waiting;

    /// <summary>SCALE_UP is done when every green task runs, passes its container health check and is healthy in each
    /// of its target groups.</summary>
    private bool GreenHealthy(ServiceDeploymentRec sd, List<TaskRec> all)
    {
        var green = all.Where(t => ReferenceEquals(t.Deployment, sd.Deployment) && t.IsLive).ToList();
        if (green.Count != sd.Deployment.DesiredCount || !green.All(t => t.IsReady))
        {
            return false;
        }
        var targets = TargetHealth.Targets(this, sd.Service.Region).Where(t => green.Contains(t.Task)).ToList();
        var expected = green.Sum(t => TargetGroupsOf(t).Count());
        return targets.Count == expected && targets.All(t => t.State == "healthy");
    }

    /// <summary>RECONCILE_SERVICE: deployments other than production and the new one (an earlier deployment stopped half
    /// way) scale to 0, and the listener rules forward everything to production again.</summary>
    private void ReconcileOtherRevisions(ServiceRec svc, ServiceDeploymentRec sd, BlueGreenRun run, List<TaskRec> all)
    {
        foreach (var dep in svc.Deployments.Where(d => !ReferenceEquals(d, sd.Deployment) && !sd.Sources.Contains(d)))
        {
            dep.DesiredCount = 0;
            StopTasks(svc, all.Where(t => ReferenceEquals(t.Deployment, dep) && t.IsLive).ToList(), sd.Deployment);
        }
        run.ProductionPercent = 0;
        run.TestPercent = 0;
        if (svc.LastCompleted is { } production)
        {
            WriteTraffic(run, production.Revision, test: false, 100);
            WriteTraffic(run, production.Revision, test: true, 100);
        }
    }

    private StepOutcome OthersGone(ServiceRec svc, ServiceDeploymentRec sd, List<TaskRec> all)
    {
        var others = svc.Deployments.Where(d => !ReferenceEquals(d, sd.Deployment) && !sd.Sources.Contains(d)).ToList();
        if (!others.All(d => all.Where(t => ReferenceEquals(t.Deployment, d)).All(t => t.LastStatus == Status.Stopped)))
        {
            return StepOutcome.Waiting;
        }
        svc.Deployments.RemoveAll(others.Contains);
        return StepOutcome.Ok;
    }

    /// <summary>Traffic goes back to blue and green scales in. A user's request (StopServiceDeployment,
    /// ContinueServiceDeployment ROLLBACK) shows ROLLBACK_REQUESTED first; a failure goes straight to ROLLBACK_IN_PROGRESS.</summary>
    public void StartRollback(ServiceDeploymentRec sd, string reason, string status)
    {
        var run = sd.Run!;
        var svc = sd.Service;
        var green = sd.Deployment;
        green.RolloutState = "FAILED";
        green.RolloutStateReason = reason;
        green.UpdatedAt = Now;
        if (sd.Sources.FirstOrDefault(svc.Deployments.Contains) is not { } blue)
        {
            FinishServiceDeployment(sd, Sd.RollbackFailed, $"{reason} (there is no earlier service revision to roll back to)");
            return;
        }
        sd.SetStatus(status, reason);
        sd.Rollback = new RollbackRec(reason, Now, blue.Revision.Arn);
        var steps = new List<RunStep>();
        if (run.ProductionPercent > 0)
        {
            steps.Add(new ShiftStep(Sd.ProductionTrafficShift, Test: false, 0));
        }
        if (run.TestPercent > 0)
        {
            steps.Add(new ShiftStep(Sd.TestTrafficShift, Test: true, 0));
        }
        steps.Add(new CleanUpStep(Green: true));
        run.Steps = steps;
        run.Index = 0;
        run.Entered = false;
        run.RollingBack = true;
        run.DwellUntil = Now + Scaled(StageSeconds);
        AddEvent(svc, $"(service {svc.Name}) rolling back to deployment {blue.Id}.");
    }

    private void FinishRun(ServiceRec svc, ServiceDeploymentRec sd, double now)
    {
        var green = sd.Deployment;
        green.RolloutState = "COMPLETED";
        green.RolloutStateReason = $"ECS deployment {green.Id} completed.";
        green.UpdatedAt = now;
        svc.Deployments.RemoveAll(d => !ReferenceEquals(d, green));
        svc.LastCompleted = green;
        AddEvent(svc, $"(service {svc.Name}) (deployment {green.Id}) deployment completed.");
        AddEvent(svc, $"(service {svc.Name}) has reached a steady state.");
        FinishServiceDeployment(sd, Sd.Successful);
    }

    /// <summary>Blue is PRIMARY again; the rolled-back green deployment is gone with its tasks.</summary>
    private void FinishRollback(ServiceRec svc, ServiceDeploymentRec sd)
    {
        var blue = sd.Sources.First(svc.Deployments.Contains);
        svc.Deployments.Remove(sd.Deployment);
        svc.Deployments.Remove(blue);
        svc.Deployments.Insert(0, blue);
        blue.Status = "PRIMARY";
        blue.UpdatedAt = Now;
        AddEvent(svc, $"(service {svc.Name}) has reached a steady state.");
        FinishServiceDeployment(sd, Sd.RollbackSuccessful);
    }

    /// <summary>The target groups (with ports) a service task is registered in: its revision's, which for blue/green
    /// revisions alternate between targetGroupArn and alternateTargetGroupArn.</summary>
    public static IEnumerable<(string TargetGroupArn, int Port)> TargetGroupsOf(TaskRec task)
    {
        if (task.Service is null || task.Deployment is not { } dep)
        {
            yield break;
        }
        var lbs = dep.Revision.LoadBalancers;
        for (var i = 0; i < lbs.Count; i++)
        {
            if (lbs[i] is JsonObject lb && dep.Revision.TargetGroups[i] is { } tg)
            {
                yield return (tg, Json.Int(lb, "containerPort") ?? 80);
            }
        }
    }

    /// <summary>The weights a listener rule gets for a revision's share: ELB weights are integers 0–999, so a share is
    /// written in tenths of a percent, and 100 % as 1 : 0 (how a blue/green production rule starts out).</summary>
    public static (int Toward, int Other) Weights(double percent) => percent switch
    {
        >= 100 => (1, 0),
        <= 0 => (0, 1),
        _ => ((int)Math.Round(percent * 10, MidpointRounding.AwayFromZero), 1000 - (int)Math.Round(percent * 10, MidpointRounding.AwayFromZero)),
    };
}
