using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>One page of a listing: its items and the token for the next page (null or empty: the last page).</summary>
internal sealed record AwsPage<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>
/// The one paginator, for every token style (JSON nextToken/NextToken, Query Marker with IsTruncated): the typed client
/// says how to fetch a page for a token; this loops until there is no token. A page may be empty and still carry a token.
/// </summary>
internal static class AwsPaginator
{
    /// <summary>Every item of every page, in order. A token the endpoint hands out twice ends the loop with AwsResponseInvalid.</summary>
    public static async Task<List<T>> AllAsync<T>(Func<string?, Task<AwsPage<T>>> fetch, string what)
    {
        var all = new List<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await fetch(token).ConfigureAwait(false);
            all.AddRange(page.Items);
            token = string.IsNullOrEmpty(page.Next) ? null : page.Next;
            if (token is not null && !seen.Add(token))
            {
                throw new Hosting.CruddurException(ErrorIds.AwsResponseInvalid, Hosting.ErrorKind.InvalidData,
                    $"{what} handed out the same page token twice; the listing would never end. Check that the endpoint is an AWS endpoint.");
            }
        }
        while (token is not null);

        return all;
    }

    /// <summary>The items page by page, fetching the next page only when the caller gets there (large listings stay out of memory).</summary>
    public static async IAsyncEnumerable<T> EachAsync<T>(Func<string?, Task<AwsPage<T>>> fetch, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await fetch(token).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            token = string.IsNullOrEmpty(page.Next) ? null : page.Next;
            if (token is not null && !seen.Add(token))
            {
                throw new Hosting.CruddurException(ErrorIds.AwsResponseInvalid, Hosting.ErrorKind.InvalidData,
                    $"{what} handed out the same page token twice; the listing would never end. Check that the endpoint is an AWS endpoint.");
            }
        }
        while (token is not null);
    }
}
