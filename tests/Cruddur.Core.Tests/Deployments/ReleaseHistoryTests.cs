using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>Which revision Undo goes back to: one still draining after a completed rollout, else the last one recorded as completed and not undone since.</summary>
public sealed class ReleaseHistoryTests
{
    [Fact]
    public async Task ARevisionStillDrainingAfterACompletedRolloutIsTheNewestOfThemAndNeedsNoTags()
    {
        var service = Service(3,
            ("PRIMARY", 3, "COMPLETED", 400),
            ("ACTIVE", 3, "COMPLETED", 500), // the current revision is never the way back
            ("ACTIVE", 4, "IN_PROGRESS", 450), // nor a rollout that never completed
            ("INACTIVE", 6, "COMPLETED", 600),
            ("ACTIVE", 1, "COMPLETED", 100),
            ("ACTIVE", 2, "COMPLETED", 200));

        Assert.Equal(Arn(2), await ReleaseHistory.LastCompletedAsync(new History(), EcsClient.Service(service), CancellationToken.None)); // History(): no revisions listed, no tags read
    }

    [Fact]
    public async Task OtherwiseTheMostRecentlyCompletedRevisionNotUndoneSince()
    {
        var ecs = new History(6)
        {
            [6] = Tags("2026-01-09T00:00:00Z"), // the current one
            [5] = Tags("2026-01-08T00:00:00Z", undone: "2026-01-08T00:00:00Z"), // undone as it completed
            [4] = Tags("2026-01-07T00:00:00Z", undone: "2026-01-07T12:00:00Z"),
            [3] = Tags("not a time"),
            [2] = Tags("2026-01-05T00:00:00Z", undone: "2026-01-04T00:00:00Z"), // completed again after an undo
            [1] = Tags("2026-01-06T00:00:00Z"),
        };

        Assert.Equal(Arn(1), await ReleaseHistory.LastCompletedAsync(ecs, EcsClient.Service(Service(6)), CancellationToken.None));
        Assert.DoesNotContain(Arn(6), ecs.Read);
    }

    [Fact]
    public async Task NothingRecordedIsNoRevision()
    {
        Assert.Null(await ReleaseHistory.LastCompletedAsync(new History(3), EcsClient.Service(Service(3)), CancellationToken.None));
    }

    [Fact]
    public async Task OnlyTheNewestFiftyRevisionsAreLookedAt()
    {
        var ecs = new History(60) { [9] = Tags("2026-01-01T00:00:00Z") };

        Assert.Null(await ReleaseHistory.LastCompletedAsync(ecs, EcsClient.Service(Service(60)), CancellationToken.None));
        Assert.Equal(50, ecs.Read.Count);
    }

    [Fact]
    public async Task TheMarksAreUtcTimestampsInTheirOwnTags()
    {
        var ecs = new History(1);
        var at = new DateTimeOffset(2026, 1, 2, 5, 4, 5, 678, TimeSpan.FromHours(2));

        await ReleaseHistory.MarkCompletedAsync(ecs, Arn(1), at, CancellationToken.None);
        await ReleaseHistory.MarkUndoneAsync(ecs, Arn(1), at, CancellationToken.None);

        Assert.Equal(
            [(Arn(1), "cruddur:completed-at", "2026-01-02T03:04:05.678Z"), (Arn(1), "cruddur:undone-at", "2026-01-02T03:04:05.678Z")],
            ecs.Written);
    }

    private static string Arn(int revision) => $"arn:aws:ecs:us-east-1:123456789012:task-definition/backend-flask:{revision}";

    [Fact]
    public async Task AServiceListedWithoutDeploymentsFallsBackToTheHistory()
    {
        var service = Service(3);
        service.Remove("deployments");

        Assert.Equal(Arn(2), await ReleaseHistory.LastCompletedAsync(new History(3) { [2] = Tags("2026-01-05T00:00:00Z") }, EcsClient.Service(service), CancellationToken.None));
    }

    [Fact]
    public async Task OfTwoRevisionsCompletedAtTheSameTimeTheNewerIsTheOneToGoBackTo()
    {
        var ecs = new History(3) { [2] = Tags("2026-01-05T00:00:00Z"), [1] = Tags("2026-01-05T00:00:00Z") };

        Assert.Equal(Arn(2), await ReleaseHistory.LastCompletedAsync(ecs, EcsClient.Service(Service(3)), CancellationToken.None));
    }

    private static Dictionary<string, string> Tags(string completed, string? undone = null)
    {
        var tags = new Dictionary<string, string> { ["cruddur:completed-at"] = completed };
        if (undone is not null)
        {
            tags["cruddur:undone-at"] = undone;
        }

        return tags;
    }

    private static JsonObject Service(int current, params (string Status, int Revision, string Rollout, double CreatedAt)[] deployments) => new()
    {
        ["serviceName"] = "backend-flask",
        ["taskDefinition"] = Arn(current),
        ["deployments"] = new JsonArray(deployments.Select(d => (JsonNode)new JsonObject
        {
            ["status"] = d.Status,
            ["taskDefinition"] = Arn(d.Revision),
            ["rolloutState"] = d.Rollout,
            ["createdAt"] = d.CreatedAt,
        }).ToArray()),
    };

    /// <summary>The family backend-flask with active revisions 1..newest (none: listing fails the test) and tags per revision.</summary>
    private sealed class History(int newest = 0) : ScriptedEcsClient
    {
        private readonly Dictionary<string, Dictionary<string, string>> _tags = [];

        public List<string> Read { get; } = [];

        public List<(string Arn, string Key, string Value)> Written { get; } = [];

        public Dictionary<string, string> this[int revision]
        {
            get => _tags[Arn(revision)];
            init => _tags[Arn(revision)] = value;
        }

        public override Task<IReadOnlyList<string>> ListActiveRevisionsAsync(string family, CancellationToken cancellationToken)
        {
            Assert.Equal("backend-flask", family);
            Assert.NotEqual(0, newest);
            return Task.FromResult<IReadOnlyList<string>>(Enumerable.Range(1, newest).Reverse().Select(Arn).ToList());
        }

        public override Task<IReadOnlyDictionary<string, string>> ListTagsAsync(string arn, CancellationToken cancellationToken)
        {
            Read.Add(arn);
            return Task.FromResult<IReadOnlyDictionary<string, string>>(_tags.GetValueOrDefault(arn) ?? []);
        }

        public override Task TagResourceAsync(string arn, string key, string value, CancellationToken cancellationToken)
        {
            Written.Add((arn, key, value));
            return Task.CompletedTask;
        }
    }
}
