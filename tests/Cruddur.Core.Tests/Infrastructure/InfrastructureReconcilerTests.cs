using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Tests.Infrastructure;

public sealed class InfrastructureReconcilerTests
{
    [Fact]
    public async Task CreatesWhatIsMissingUpdatesWhatDiffersAndLeavesTheRest()
    {
        var missing = new FakeStep("A", null);
        var drifted = new FakeStep("B", new ObservedResource("id-b", "retention 3 -> 1"));
        var fine = new FakeStep("C", new ObservedResource("id-c", Detail: "ok"));

        var results = await InfrastructureReconciler.ReconcileAsync([missing, drifted, fine], new RecordingHost(), CancellationToken.None);

        Assert.Equal(
            ["A Created id-A", "B Updated id-b", "C Exists id-c"],
            results.Select(r => $"{r.Name} {r.Status} {r.Id}"));
        Assert.Equal(["create", "find"], missing.Calls.Order());
        Assert.Equal(["find", "update"], drifted.Calls.Order());
        Assert.Equal(["find"], fine.Calls);
    }

    [Fact]
    public async Task DeclinedChangesAreAskedAboutButNotMade()
    {
        var missing = new FakeStep("A", null);
        var drifted = new FakeStep("B", new ObservedResource("id-b", "policy differs"));
        var fine = new FakeStep("C", new ObservedResource("id-c"));
        var host = new RecordingHost(confirm: false);

        var results = await InfrastructureReconciler.ReconcileAsync([missing, drifted, fine], host, CancellationToken.None);

        Assert.Equal(["Create: Fake A", "Update (policy differs): Fake B"], host.Asked.Select(a => $"{a.Action}: {a.Target}"));
        Assert.Equal(["C Exists"], results.Select(r => $"{r.Name} {r.Status}"));
        Assert.DoesNotContain("create", missing.Calls);
        Assert.DoesNotContain("update", drifted.Calls);
    }

    [Fact]
    public async Task AFailureStopsTheRunAndCarriesWhatWasDoneAndTheFailedResource()
    {
        var first = new FakeStep("A", null);
        var failing = new FakeStep("B", null) { Failure = new AwsServiceException("IAM", "PutRolePolicy", "MalformedPolicyDocument", "bad Effect", 400) };
        var never = new FakeStep("C", null);

        var e = await Assert.ThrowsAsync<InfrastructureException>(() => InfrastructureReconciler.ReconcileAsync([first, failing, never], new RecordingHost(), CancellationToken.None));

        Assert.Equal("InfraResourceFailed", e.ErrorId);
        Assert.Contains("Fake 'B'", e.Message);
        Assert.Contains("MalformedPolicyDocument", e.Message);
        Assert.Equal(["A Created", "B Failed"], e.Results.Select(r => $"{r.Name} {r.Status}"));
        Assert.Equal("PutRolePolicy: MalformedPolicyDocument: bad Effect", e.Results[1].Detail);
        Assert.Empty(never.Calls);
    }

    [Fact]
    public async Task AStopNamesTheStepItStoppedAtAndWhatChangedBefore()
    {
        using var stop = new CancellationTokenSource();
        var created = new FakeStep("A", null);
        var existing = new FakeStep("B", new ObservedResource("id-b"));
        var waiting = new FakeStep("C", null) { Failure = new OperationCanceledException(stop.Token), BeforeFailing = stop.Cancel };
        var never = new FakeStep("D", null);

        var e = await Assert.ThrowsAsync<OperationStoppedException>(() => InfrastructureReconciler.ReconcileAsync([created, existing, waiting, never], new RecordingHost(), stop.Token));

        Assert.Equal("Stopped at Fake 'C'. Changed before the stop: Fake A Created (1 more already existed). Run Initialize-CruddurInfrastructure again to continue from here.", e.Message);
        Assert.Empty(never.Calls);
    }

    private sealed class FakeStep(string name, ObservedResource? found) : InfrastructureStep("Fake", name)
    {
        public List<string> Calls { get; } = [];

        public Exception? Failure { get; init; }

        public Action? BeforeFailing { get; init; }

        internal override Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
        {
            Calls.Add("find");
            return Task.FromResult(found);
        }

        public override Task<string> CreateAsync(CancellationToken cancellationToken)
        {
            Calls.Add("create");
            BeforeFailing?.Invoke();
            return Failure is null ? Task.FromResult("id-" + Name) : Task.FromException<string>(Failure);
        }

        internal override Task UpdateAsync(ObservedResource observed, CancellationToken cancellationToken)
        {
            Calls.Add("update");
            return Task.CompletedTask;
        }
    }
}
