using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Infrastructure;

/// <summary>
/// A step failed: the run stopped there. <see cref="Results"/> holds what was done before it (still true) and the failed
/// resource last, so the caller can report them; running again picks up from the failed step. An AWS refusal is
/// InfraResourceFailed; the project's own errors (a scheme that cannot change, a zone of another account) keep
/// their ids, so scripts can tell them apart.
/// </summary>
public sealed class InfrastructureException : CruddurException
{
    public InfrastructureException(InfrastructureStep step, IReadOnlyList<InfrastructureResource> results, CruddurException inner)
        : base(inner is AwsServiceException ? ErrorIds.InfraResourceFailed : inner.ErrorId, inner.Kind,
            $"{step.Kind} '{step.Name}' could not be set up: {inner.Message} The resources before it are in place; fix the cause and run Initialize-CruddurInfrastructure again to continue from here.",
            inner, step.Name)
    {
        Results = results;
    }

    public IReadOnlyList<InfrastructureResource> Results { get; }
}

/// <summary>The reconcile loop: for each step, find it, then create what is missing and update what differs (each asked first).</summary>
public static class InfrastructureReconciler
{
    private const int ProgressId = 80;

    /// <summary>
    /// Runs the steps in order. A step skipped by ShouldProcess (-WhatIf, or declined) yields no result. On a failure the
    /// loop stops with an <see cref="InfrastructureException"/> carrying every result so far; on Ctrl+C, with an
    /// <see cref="OperationStoppedException"/> that names them.
    /// </summary>
    public static async Task<IReadOnlyList<InfrastructureResource>> ReconcileAsync(
        IReadOnlyList<InfrastructureStep> steps, IOperationHost host, CancellationToken cancellationToken)
    {
        var results = new List<InfrastructureResource>();
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            host.WriteProgress(new ProgressUpdate(ProgressId, "Initializing Cruddur infrastructure", $"{step.Kind} {step.Name}", i * 100 / steps.Count));
            try
            {
                var expanded = step is InfrastructureStepGroup group ? await group.ExpandAsync(cancellationToken).ConfigureAwait(false) : [step];
                foreach (var one in expanded)
                {
                    step = one;
                    var result = await ReconcileAsync(one, host, cancellationToken).ConfigureAwait(false);
                    if (result is not null)
                    {
                        host.WriteVerbose($"{one}: {result.Status}{(result.Detail is null ? "" : " (" + result.Detail + ")")}.");
                        results.Add(result);
                    }
                }
            }
            catch (CruddurException e) when (!cancellationToken.IsCancellationRequested)
            {
                var failure = e is AwsServiceException aws ? $"{aws.Operation}: {aws.ErrorCode}: {aws.ServiceMessage}" : e.Message;
                results.Add(new InfrastructureResource(step.Kind, step.Name, null, ResourceStatus.Failed, failure));
                host.WriteProgress(new ProgressUpdate(ProgressId, "Initializing Cruddur infrastructure", "Failed", Completed: true));
                throw new InfrastructureException(step, results, e);
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: the results cannot be written any more, so the message says what is already in place.
                host.WriteProgress(new ProgressUpdate(ProgressId, "Initializing Cruddur infrastructure", "Stopped", Completed: true));
                var changed = results.Where(r => r.Status != ResourceStatus.Exists).Select(r => $"{r.Kind} {r.Name} {r.Status}").ToList();
                throw new OperationStoppedException(
                    $"Stopped at {step.Kind} '{step.Name}'{(e is OperationStoppedException stopped ? ": " + stopped.Message : ".")} {(changed.Count == 0 ? "Nothing was changed" : "Changed before the stop: " + string.Join(", ", changed))}"
                    + $"{(results.Count > changed.Count ? $" ({results.Count - changed.Count} more already existed)" : string.Empty)}. Run Initialize-CruddurInfrastructure again to continue from here.",
                    e, cancellationToken);
            }
        }

        host.WriteProgress(new ProgressUpdate(ProgressId, "Initializing Cruddur infrastructure", "Done", Completed: true));
        return results;
    }

    private static async Task<InfrastructureResource?> ReconcileAsync(InfrastructureStep step, IOperationHost host, CancellationToken cancellationToken)
    {
        var found = await step.FindAsync(cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            if (!host.ShouldProcess($"{step.Kind} {step.Name}", "Create"))
            {
                return null;
            }

            var id = await step.CreateAsync(cancellationToken).ConfigureAwait(false);
            return new InfrastructureResource(step.Kind, step.Name, id, ResourceStatus.Created, step.CreatedDetail);
        }

        if (found.Drift is null)
        {
            return new InfrastructureResource(step.Kind, step.Name, found.Id, ResourceStatus.Exists, found.Detail);
        }

        if (!host.ShouldProcess($"{step.Kind} {step.Name}", $"{(found.Removes ? "Remove" : "Update")} ({found.Drift})"))
        {
            return null;
        }

        await step.UpdateAsync(found, cancellationToken).ConfigureAwait(false);
        return new InfrastructureResource(step.Kind, step.Name, found.Id, found.Removes ? ResourceStatus.Removed : ResourceStatus.Updated, found.Drift);
    }
}
