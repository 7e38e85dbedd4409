using System.Diagnostics;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>
/// One call to AWS as the retry policy sees it. <see cref="Idempotent"/> is declared by the typed client method: a 5xx
/// (or a timed-out attempt) does not say whether the call took effect, so only calls that are safe to repeat are repeated.
/// </summary>
internal sealed record AwsCall(string Service, string Operation, bool Idempotent, Uri Endpoint)
{
    public override string ToString() => $"{Service} {Operation}";
}

/// <summary>
/// The one retry policy for every AWS call, own protocols and AWSSDK clients alike (their own retries are off):
/// throttling is retried with full-jitter exponential backoff; server errors and timed-out attempts only for idempotent
/// calls; every attempt and the whole call are bounded in time; answers are read up to a size cap.
/// </summary>
internal sealed record AwsRetryPolicy
{
    public static AwsRetryPolicy Default { get; } = new();

    /// <summary>5 attempts: the AWS SDKs' legacy mode uses 4 retries too; ECS throttles bursts of DescribeServices while watching.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Backoff ceiling for attempt n is min(MaxDelay, BaseDelay * 2^n); the pause is uniformly random below it.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// 20 s per attempt: every call the module makes is a small control-plane request that AWS answers in well under a
    /// second; HttpClient's 100 s default (and the SDKs' retries on top) let a black-holed endpoint hang for minutes.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>60 s for a call with all its retries: the backoff pauses add at most ~3 s, so this leaves room for two or three slow attempts.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// 8 MiB per answer: the largest ones the module asks for (10 services with 100 events each, a task definition with
    /// many containers, 60 Cognito users) are a few hundred KiB; anything bigger is not an AWS answer to us.
    /// </summary>
    public int MaxResponseBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>The buckets calls wait for before each attempt (the process's own, shared by every client).</summary>
    internal ApiPacer Pacer { get; init; } = ApiPacer.Shared;

    /// <summary>"Full jitter": a random pause up to min(MaxDelay, BaseDelay * 2^attempt).</summary>
    public TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    /// <summary>Whether <paramref name="failure"/> of <paramref name="call"/> is worth another attempt.</summary>
    internal static bool ShouldRetry(AwsCall call, CruddurException failure) => failure switch
    {
        AwsServiceException { IsThrottling: true } => true,
        AwsServiceException { StatusCode: >= 500 } => call.Idempotent,
        { ErrorId: ErrorIds.AwsRequestTimeout } => call.Idempotent,
        _ => false,
    };

    /// <summary>
    /// Runs <paramref name="attempt"/> (which gets a token bounded by <see cref="AttemptTimeout"/>) until it succeeds, fails
    /// for good, or the attempts or <see cref="TotalTimeout"/> run out. Every failure leaves as a <see cref="CruddurException"/>
    /// (see <see cref="AwsErrors.Translate"/>); a stop by the caller leaves as OperationCanceledException. Each attempt
    /// first waits for its quota (<see cref="Pacer"/>); that wait is queueing, not the call being slow, so it does not count
    /// against <see cref="TotalTimeout"/>, and a throttled answer empties the bucket so the next attempts wait their turn.
    /// </summary>
    internal async Task<T> RunAsync<T>(AwsCall call, Func<CancellationToken, Task<T>> attempt, IOperationHost host, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var paced = TimeSpan.Zero;
        TimeSpan Spent() => Stopwatch.GetElapsedTime(started) - paced;
        using var total = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        for (var n = 1; ; n++)
        {
            // The whole call's clock runs only while it is not queueing for its quota.
            total.CancelAfter(Timeout.InfiniteTimeSpan);
            paced += await Pacer.WaitAsync(call, host, cancellationToken).ConfigureAwait(false);
            total.CancelAfter(TimeSpan.FromTicks(Math.Max(1, (TotalTimeout - Spent()).Ticks)));

            host.WriteVerbose(n > 1 ? $"{call} (attempt {n})" : call.ToString());
            CruddurException failure;
            using (var each = CancellationTokenSource.CreateLinkedTokenSource(total.Token))
            {
                each.CancelAfter(AttemptTimeout);
                try
                {
                    return await attempt(each.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = e is OperationCanceledException && total.IsCancellationRequested
                        ? AwsErrors.Timeout(call, TotalTimeout, wholeCall: true, e)
                        : e is OperationCanceledException && each.IsCancellationRequested
                            ? AwsErrors.Timeout(call, AttemptTimeout, wholeCall: false, e)
                            : AwsErrors.Translate(call, e);
                }
            }

            if (failure is AwsServiceException { IsThrottling: true })
            {
                Pacer.Throttled(call);
            }

            var delay = Backoff(n);
            if (n >= MaxAttempts || !ShouldRetry(call, failure) || Spent() + delay >= TotalTimeout)
            {
                throw failure;
            }

            host.WriteVerbose($"{call}: {(failure is AwsServiceException s ? s.ErrorCode : failure.ErrorId)}; retrying in {delay.TotalMilliseconds:0} ms");
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }
}
