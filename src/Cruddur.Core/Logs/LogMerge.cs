namespace Cruddur.Core.Logs;

/// <summary>Merges sequences that are each in time order into one in time order, reading each lazily (k-way merge).</summary>
internal static class LogMerge
{
    public static async IAsyncEnumerable<T> MergeAsync<T>(IReadOnlyList<IAsyncEnumerable<T>> sources, Func<T, long> time,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (sources.Count == 1)
        {
            await foreach (var e in sources[0].WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }

            yield break;
        }

        var enumerators = sources.Select(s => s.GetAsyncEnumerator(cancellationToken)).ToList();
        try
        {
            // Ties go to the earlier source, so the order is stable.
            var heads = new PriorityQueue<int, (long Timestamp, int Source)>();
            for (var i = 0; i < enumerators.Count; i++)
            {
                if (await enumerators[i].MoveNextAsync().ConfigureAwait(false))
                {
                    heads.Enqueue(i, (time(enumerators[i].Current), i));
                }
            }

            while (heads.TryDequeue(out var i, out _))
            {
                yield return enumerators[i].Current;
                if (await enumerators[i].MoveNextAsync().ConfigureAwait(false))
                {
                    heads.Enqueue(i, (time(enumerators[i].Current), i));
                }
            }
        }
        finally
        {
            foreach (var e in enumerators)
            {
                await e.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
