using System.Collections.Concurrent;
using System.Globalization;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>
/// A token bucket as AWS meters its APIs: it holds up to <see cref="Burst"/> tokens, refills at <see cref="RatePerSecond"/>,
/// and every call takes one. A caller that finds it empty reserves the next token and waits for it, so waiting callers
/// are served in turn.
/// </summary>
internal sealed class TokenBucket
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private double _tokens;
    private DateTimeOffset _stamp;

    public TokenBucket(double burst, double ratePerSecond, TimeProvider time)
    {
        Burst = burst;
        RatePerSecond = ratePerSecond;
        _time = time;
        _tokens = burst;
        _stamp = time.GetUtcNow();
    }

    public double Burst { get; }

    public double RatePerSecond { get; }

    /// <summary>Takes a token; how long to wait before using it (zero when one was there).</summary>
    public TimeSpan Take()
    {
        lock (_gate)
        {
            Refill();
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / RatePerSecond);
        }
    }

    /// <summary>Gives back a token taken by a caller that stopped before using it.</summary>
    public void Return()
    {
        lock (_gate)
        {
            _tokens = Math.Min(Burst, _tokens + 1);
        }
    }

    /// <summary>
    /// Empties the bucket: the service throttled a call, so the account's real bucket is empty (others in the account
    /// spend it too) and the next calls must wait for the refill instead of failing.
    /// </summary>
    public void Drain()
    {
        lock (_gate)
        {
            Refill();
            _tokens = Math.Min(_tokens, 0);
        }
    }

    private void Refill()
    {
        var now = _time.GetUtcNow();
        _tokens = Math.Min(Burst, _tokens + Math.Max(0, (now - _stamp).TotalSeconds) * RatePerSecond);
        _stamp = now;
    }
}

/// <summary>
/// ECS's request throttling (ECS API reference, "Request throttling"): per account and Region, one token bucket per group
/// of actions, shared by everyone in the account. The module paces its own calls to these buckets so a large release
/// waits instead of being throttled, and leaves room for the account's other users.
/// </summary>
internal static class EcsQuotas
{
    /// <summary>
    /// The environment variable that scales every bucket's refill rate for an account whose limits AWS Support raised
    /// (2 doubles them; bursts stay as documented). The local test stack sets it to match the simulator's clock.
    /// </summary>
    public const string ScaleVariable = "CRUDDUR_ECS_QUOTA_SCALE";

    /// <summary>The bucket an ECS action draws from: its name, burst and refill per second; null for actions not metered here.</summary>
    public static (string Name, double Burst, double Rate)? Of(string operation) => operation switch
    {
        "DescribeServices" or "ListServices" or "ListServicesByNamespace" => ("service read", 100, 20),
        "CreateService" or "UpdateService" or "DeleteService" => ("service modification", 50, 5),
        "RegisterTaskDefinition" or "DeregisterTaskDefinition" or "DeleteTaskDefinitions" => ("task definition modification", 20, 1),
        "DescribeTaskDefinition" or "ListTaskDefinitions" or "ListTaskDefinitionFamilies" => ("task definition read", 50, 20),
        "DescribeTasks" or "ListTasks" or "DescribeContainerInstances" or "ListContainerInstances" => ("cluster resource read", 100, 20),
        "RunTask" or "StartTask" or "StopTask" or "ExecuteCommand" => ("cluster resource modification", 100, 40),
        "ListServiceDeployments" or "DescribeServiceDeployments" or "DescribeServiceRevisions" => ("service deployment read", 50, 20),
        "DescribeClusters" or "ListClusters" => ("cluster read", 50, 20),
        _ => null,
    };

    /// <summary>The scale from <see cref="ScaleVariable"/>: 1 when unset; a value that is not a positive number fails.</summary>
    public static double Scale(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return 1;
        }

        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) && scale > 0 && double.IsFinite(scale)
            ? scale
            : throw new CruddurException(ErrorIds.AwsQuotaScaleInvalid, ErrorKind.InvalidArgument,
                $"{ScaleVariable} is '{raw}', but it must be a positive number: the factor by which AWS raised this account's ECS API rates (2 for twice the documented refill rates). Set it to a positive number, or remove it to use the documented limits.",
                target: raw);
    }
}

/// <summary>
/// Paces calls to the APIs whose quotas are known (ECS), with one set of buckets per endpoint for the whole process: every
/// cmdlet, service, cluster and completer in it draws from the same buckets, as they do from the account's.
/// </summary>
internal sealed class ApiPacer
{
    private readonly ConcurrentDictionary<(string Endpoint, string Bucket, double Scale), TokenBucket> _buckets = new();
    private readonly TimeProvider _time;
    private readonly Func<string?> _scale;

    public ApiPacer(TimeProvider time, Func<string?> scale)
    {
        _time = time;
        _scale = scale;
    }

    public static ApiPacer Shared { get; } = new(TimeProvider.System, () => Environment.GetEnvironmentVariable(EcsQuotas.ScaleVariable));

    /// <summary>Waits for a token of <paramref name="call"/>'s bucket; returns how long it waited.</summary>
    public async Task<TimeSpan> WaitAsync(AwsCall call, IOperationHost host, CancellationToken cancellationToken)
    {
        if (Bucket(call) is not var (bucket, name))
        {
            return TimeSpan.Zero;
        }

        var wait = bucket.Take();
        if (wait <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        host.WriteVerbose($"{call}: waiting {wait.TotalMilliseconds:0} ms for ECS's {name} quota");
        try
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            bucket.Return();
            throw;
        }

        return wait;
    }

    /// <summary>The service throttled <paramref name="call"/>: its bucket is empty, whatever this process spent.</summary>
    public void Throttled(AwsCall call) => Bucket(call)?.Bucket.Drain();

    /// <summary>The bucket <paramref name="call"/> draws from, and its name; null for calls not metered here.</summary>
    private (TokenBucket Bucket, string Name)? Bucket(AwsCall call)
    {
        if (call.Service != AwsService.Ecs.EnvName || EcsQuotas.Of(call.Operation) is not { } quota)
        {
            return null;
        }

        var scale = EcsQuotas.Scale(_scale());
        return (_buckets.GetOrAdd((call.Endpoint.GetLeftPart(UriPartial.Authority), quota.Name, scale),
            _ => new TokenBucket(quota.Burst, quota.Rate * scale, _time)), quota.Name);
    }
}
