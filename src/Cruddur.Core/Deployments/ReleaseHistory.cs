using System.Globalization;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Deployments;

/// <summary>
/// Which task definition revisions completed a deployment, so Undo-CruddurDeployment can go back to the last good release.
/// ECS itself forgets too soon: DescribeServices lists a replaced deployment only while its tasks drain, and service events
/// name deployment ids, not revisions. So the fact is recorded where it belongs, as tags on the revision: a deploy that was
/// watched to COMPLETED stamps it, an undo stamps the revision it left. Tags live in the account, so a teammate's or CI's
/// deploy counts as well; a deploy made without Cruddur (or with -NoWait) leaves no stamp.
/// </summary>
internal static class ReleaseHistory
{
    internal const string CompletedTag = "cruddur:completed-at";
    internal const string UndoneTag = "cruddur:undone-at";

    // Enough history for any real rollback, and a bound on the calls made to find it.
    private const int RevisionsLooked = 50;

    public static Task MarkCompletedAsync(IEcsClient ecs, string arn, DateTimeOffset at, CancellationToken cancellationToken) =>
        TagAsync(ecs, arn, CompletedTag, at, cancellationToken);

    public static Task MarkUndoneAsync(IEcsClient ecs, string arn, DateTimeOffset at, CancellationToken cancellationToken) =>
        TagAsync(ecs, arn, UndoneTag, at, cancellationToken);

    /// <summary>
    /// The revision to go back to from <paramref name="current"/>: one that is still draining after a completed rollout (what
    /// ran until this deploy, straight from ECS), else the active revision of the family that completed most recently and was
    /// not undone since. Null when neither exists.
    /// </summary>
    public static async Task<string?> LastCompletedAsync(IEcsClient ecs, EcsService service, CancellationToken cancellationToken)
    {
        var current = service.TaskDefinition!;
        var draining = service.Deployments
            .Where(d => d.Status == "ACTIVE" && d.RolloutState == "COMPLETED" && d.TaskDefinition != current)
            .OrderByDescending(d => d.CreatedAt ?? DateTimeOffset.UnixEpoch).Select(d => d.TaskDefinition).FirstOrDefault();
        if (draining is not null)
        {
            return draining;
        }

        var family = AwsArn.Family(current);
        var revisions = await ecs.ListActiveRevisionsAsync(family, cancellationToken).ConfigureAwait(false);
        (string Arn, DateTimeOffset At)? best = null;
        foreach (var arn in revisions.Where(a => a != current).Take(RevisionsLooked))
        {
            var tags = await ecs.ListTagsAsync(arn, cancellationToken).ConfigureAwait(false);
            var completed = Time(tags, CompletedTag);
            if (completed is null || Time(tags, UndoneTag) >= completed)
            {
                continue;
            }

            if (best is null || completed > best.Value.At)
            {
                best = (arn, completed.Value);
            }
        }

        return best?.Arn;
    }

    private static Task TagAsync(IEcsClient ecs, string arn, string key, DateTimeOffset at, CancellationToken cancellationToken) =>
        ecs.TagResourceAsync(arn, key, at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), cancellationToken);

    private static DateTimeOffset? Time(IReadOnlyDictionary<string, string> tags, string key) =>
        tags.TryGetValue(key, out var value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}
