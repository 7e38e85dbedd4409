using System.Collections.Concurrent;
using System.Text;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Images;

/// <summary>A registry login from ECR GetAuthorizationToken. <see cref="ToString"/> never shows the password.</summary>
internal sealed record RegistryCredential(string Host, string UserName, string Password, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"{UserName}@{Host} (expires {ExpiresAt:u})";
}

/// <summary>
/// ECR tokens and engine logins, cached for the process (the PowerShell session) until shortly before the token expires,
/// so a pipeline of several publishes asks ECR and logs the engine in once. A token whose expiry has already passed
/// (moto's are dated 2015) is used once and not cached.
/// </summary>
internal sealed class EcrLogin
{
    /// <summary>How long before its expiry a cached token is no longer used.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(10);

    private static readonly ConcurrentDictionary<string, Entry> Cache = new(StringComparer.Ordinal);

    private readonly IEcrClient _ecr;
    private readonly Func<DateTimeOffset> _now;

    public EcrLogin(IEcrClient ecr, Func<DateTimeOffset>? now = null)
    {
        _ecr = ecr;
        _now = now ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// The credential for the registry (ECR's, or <paramref name="registryHost"/> when given), from the cache when fresh.
    /// <paramref name="key"/> names the AWS account/endpoint and the engine's credential store: a login is only reused
    /// where it was made.
    /// </summary>
    public async Task<RegistryCredential> GetCredentialAsync(string key, string? registryHost, CancellationToken cancellationToken)
    {
        if (Cache.TryGetValue(key, out var cached) && IsFresh(cached.Credential))
        {
            return cached.Credential;
        }

        var (token, endpoint, expiresAt) = await _ecr.GetAuthorizationTokenAsync(cancellationToken).ConfigureAwait(false);
        string decoded;
        try
        {
            decoded = token is null ? string.Empty : Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            decoded = string.Empty;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || endpoint is null)
        {
            throw new CruddurException(ErrorIds.ImageRegistryAuthorizationInvalid, ErrorKind.InvalidData,
                "ECR GetAuthorizationToken returned no usable token. Check the ECR endpoint and try again.");
        }

        var host = registryHost ?? new Uri(endpoint).Authority;
        var credential = new RegistryCredential(host, decoded[..colon], decoded[(colon + 1)..], expiresAt ?? DateTimeOffset.MinValue);
        Cache[key] = new Entry(credential, LoggedIn: false);
        return credential;
    }

    /// <summary>Logs the engine in unless this credential was already used to log it in.</summary>
    public async Task EnsureLoggedInAsync(string key, RegistryCredential credential, ContainerEngine engine, CancellationToken cancellationToken)
    {
        if (Cache.TryGetValue(key, out var entry) && entry.LoggedIn && ReferenceEquals(entry.Credential, credential))
        {
            return;
        }

        await engine.LoginAsync(credential, cancellationToken).ConfigureAwait(false);
        if (IsFresh(credential))
        {
            Cache[key] = new Entry(credential, LoggedIn: true);
        }
        else
        {
            Cache.TryRemove(key, out _);
        }
    }

    /// <summary>Forgets every cached token (tests; or after credentials change).</summary>
    public static void Clear() => Cache.Clear();

    private bool IsFresh(RegistryCredential credential) => credential.ExpiresAt > _now() + Margin;

    private sealed record Entry(RegistryCredential Credential, bool LoggedIn);
}
