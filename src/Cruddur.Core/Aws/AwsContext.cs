using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.SecurityToken;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>
/// Region, credentials and endpoints for one run of a cmdlet, resolved the way the AWS SDKs and CLI resolve them:
/// <list type="bullet">
/// <item>region: <c>-Region</c>, else $StoredAWSRegion, else AWS_REGION, else AWS_DEFAULT_REGION, else the profile's region;
/// checked against the regions of the partitions AWSSDK.Core knows (CRUDDUR_ALLOW_UNKNOWN_REGION=true lets a newer one through);</item>
/// <item>credentials, in AWS.Tools' order: literal keys, else the profile named by <c>-ProfileName</c> (from <c>-ProfileLocation</c>
/// when given), else <c>-Credential</c>, else $StoredAWSCredentials, else AWSSDK.Core's default chain (environment, AWS_PROFILE or
/// default profile incl. SSO, container and instance roles);</item>
/// <item>endpoint: <c>-EndpointUrl</c>, else AWS_ENDPOINT_URL_&lt;SERVICE&gt;, else AWS_ENDPOINT_URL, else the profile's
/// endpoint_url, else the public endpoint (the environment and profile are skipped when
/// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true).</item>
/// </list>
/// Nothing is looked up until a call needs it, so cmdlets that fail on bad input never touch the network.
/// </summary>
public sealed class AwsContext
{
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly Lazy<CredentialProfile?> _profile;
    private readonly Lazy<string> _region;
    private AWSCredentials? _credentials;
    private string? _accountId;

    public AwsContext(AwsSettings settings, IReadOnlyDictionary<string, string?>? environment = null)
    {
        Settings = settings;
        _environment = environment ?? ReadEnvironment();
        _profile = new Lazy<CredentialProfile?>(FindProfile);
        _region = new Lazy<string>(ResolveRegion);
    }

    internal AwsSettings Settings { get; }

    /// <summary>The region every call is made in.</summary>
    internal string Region => _region.Value;

    /// <summary>The profile in use: -ProfileName, else the one $StoredAWSCredentials names, else AWS_PROFILE, else "default" (which may not exist).</summary>
    internal string ProfileName => NamedProfileName ?? "default";

    /// <summary>The profile someone named (-ProfileName, $StoredAWSCredentials or AWS_PROFILE), or null when none was.</summary>
    internal string? NamedProfileName => Settings.ProfileName ?? Settings.StoredProfileName ?? Env("AWS_PROFILE");

    /// <summary>Shared by every client of the process: one connection pool for all calls. Time is bounded per call by <see cref="AwsRetryPolicy"/>.</summary>
    internal static HttpClient Http { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>The endpoint URL for a service; see the class remarks for the order.</summary>
    internal Uri EndpointFor(AwsService service)
    {
        var configured = Settings.EndpointUrl;
        if (configured is null && !string.Equals(Env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            configured = Env("AWS_ENDPOINT_URL_" + service.EnvName) ?? Env("AWS_ENDPOINT_URL") ?? _profile.Value?.EndpointUrl;
        }

        if (configured is not null)
        {
            if (!Uri.TryCreate(configured, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new CruddurException(ErrorIds.AwsEndpointUrlInvalid, ErrorKind.InvalidArgument,
                    $"The endpoint URL '{configured}' is not an absolute http or https URL such as https://ecs.us-east-1.amazonaws.com or http://127.0.0.1:5000.",
                    target: configured);
            }

            return uri;
        }

        var suffix = Region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return service.Global ? new Uri($"https://{service.HostPrefix}.{suffix}/") : new Uri($"https://{service.HostPrefix}.{Region}.{suffix}/");
    }

    /// <summary>The region a request to the service is signed for (global services sign for us-east-1).</summary>
    internal string SigningRegionFor(AwsService service) => service.Global && Settings.EndpointUrl is null ? "us-east-1" : Region;

    /// <summary>Credentials from the profile or the default chain; a clear error when there are none.</summary>
    internal AWSCredentials Credentials => _credentials ??= ResolveCredentials();

    /// <summary>The requests sent with this context, per operation (a cmdlet prints them with -Verbose).</summary>
    public AwsCallCounts Calls { get; } = new();

    /// <summary>The retry policy and bounds of every call made with this context (tests shorten them).</summary>
    internal AwsRetryPolicy Policy { get; init; } = AwsRetryPolicy.Default;

    /// <summary>What every request says it comes from (<see cref="AwsUserAgent"/>).</summary>
    internal string UserAgent => AwsUserAgent.For(Settings.PowerShell);

    /// <summary>The account id of the caller, from STS GetCallerIdentity (asked once per context).</summary>
    internal async Task<string> GetAccountIdAsync(CancellationToken cancellationToken) =>
        _accountId ??= await new Clients.StsClient(this, SilentHost.Instance).GetAccountIdAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Points an AWSSDK client configuration at the resolved region and endpoint, with the SDK's own retries off, its
    /// timeout just above the policy's per-attempt bound and its answers size-capped: <see cref="AwsRetryPolicy"/> decides,
    /// as for the own protocols.
    /// </summary>
    internal TConfig ConfigureSdk<TConfig>(TConfig config, AwsService service)
        where TConfig : ClientConfig
    {
        config.ServiceURL = EndpointFor(service).ToString();
        config.AuthenticationRegion = SigningRegionFor(service);
        config.MaxErrorRetry = 0;
        config.Timeout = Policy.AttemptTimeout + TimeSpan.FromSeconds(1);
        config.HttpClientFactory = new CappedSdkHttpClientFactory(Policy.MaxResponseBytes);
        config.ClientAppId = AwsUserAgent.AppId(Settings.PowerShell); // the SDK's own User-Agent is read-only; it appends this as app/<id>
        return config;
    }

    private static Dictionary<string, string?> ReadEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var key = (string)entry.Key;
            if (key.StartsWith("AWS_", StringComparison.Ordinal) || key == AllowUnknownRegion)
            {
                result[key] = entry.Value as string;
            }
        }

        return result;
    }

    private string? Env(string name) => _environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    private CredentialProfileStoreChain Profiles() =>
        Settings.ProfileLocation is { } location ? new CredentialProfileStoreChain(location) : new CredentialProfileStoreChain();

    private CredentialProfile? FindProfile()
    {
        var chain = Profiles();
        if (chain.TryGetProfile(ProfileName, out var profile))
        {
            return profile;
        }

        if (Settings.ProfileLocation is not null && !File.Exists(Settings.ProfileLocation))
        {
            throw new CruddurException(ErrorIds.AwsProfileLocationNotFound, ErrorKind.ObjectNotFound,
                $"The credentials file '{Settings.ProfileLocation}' does not exist.", target: Settings.ProfileLocation);
        }

        if (Settings.ProfileName is not null || Settings.StoredProfileName is not null || Settings.ProfileLocation is not null)
        {
            throw new CruddurException(ErrorIds.AwsProfileNotFound, ErrorKind.ObjectNotFound,
                $"The AWS profile '{ProfileName}' was not found in {Settings.ProfileLocation ?? "~/.aws/credentials or ~/.aws/config"}{(Settings.ProfileName is null && Settings.StoredProfileName is not null ? " (named by $StoredAWSCredentials; Clear-AWSCredential forgets it)" : string.Empty)}. Create it with 'aws configure --profile {ProfileName}' or name an existing one.",
                target: ProfileName);
        }

        return null;
    }

    private string ResolveRegion()
    {
        var (region, source) = Settings.Region is { } r ? (r, "the Region parameter")
            : Settings.StoredRegion is { } stored ? (stored, "$StoredAWSRegion")
            : Env("AWS_REGION") is { } env ? (env, "$env:AWS_REGION")
            : Env("AWS_DEFAULT_REGION") is { } legacy ? (legacy, "$env:AWS_DEFAULT_REGION")
            : (_profile.Value?.Region?.SystemName, $"the profile '{ProfileName}'");
        if (region is null)
        {
            throw new CruddurException(ErrorIds.AwsRegionNotSet, ErrorKind.InvalidArgument,
                "No AWS region is set. Set $env:AWS_REGION or $env:AWS_DEFAULT_REGION, or 'region' in your AWS profile ('aws configure').");
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(region, "^[a-z]{2}(-[a-z]+)+-\\d+$"))
        {
            throw new CruddurException(ErrorIds.AwsRegionInvalid, ErrorKind.InvalidArgument,
                $"'{region}' (from {source}) is not an AWS region name. Use a name such as us-east-1 or eu-west-2.", target: region);
        }

        if (!AwsNames.Regions().Contains(region, StringComparer.Ordinal) && !string.Equals(Env(AllowUnknownRegion), "true", StringComparison.OrdinalIgnoreCase))
        {
            var near = AwsNames.Nearest(region);
            throw new CruddurException(ErrorIds.AwsRegionUnknown, ErrorKind.InvalidArgument,
                $"'{region}' (from {source}) is not a region of any AWS partition{(near is null ? string.Empty : $"; did you mean {near}")}? Fix {source}. "
                + $"For a region newer than this module knows, set $env:{AllowUnknownRegion} = 'true'.", target: region);
        }

        return region;
    }

    private AWSCredentials ResolveCredentials()
    {
        if (Settings.Keys is { } keys)
        {
            return Basic(keys);
        }

        if (Settings.ProfileName is not null || Settings.ProfileLocation is not null)
        {
            return FromProfile();
        }

        if ((Settings.Credential ?? Settings.StoredCredential) is { } given)
        {
            return Basic(given());
        }

        if (Settings.StoredProfileName is not null)
        {
            return FromProfile();
        }

        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials(new AmazonSecurityTokenServiceConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(Region) });
        }
        catch (AmazonClientException e)
        {
            throw new CruddurException(ErrorIds.AwsCredentialsNotFound, ErrorKind.AuthenticationError,
                "No AWS credentials were found. Set $env:AWS_ACCESS_KEY_ID and $env:AWS_SECRET_ACCESS_KEY, configure a profile ('aws configure' or 'aws sso login'), or run where a container or instance role is available.",
                e);
        }
    }

    private AWSCredentials FromProfile()
    {
        _ = _profile.Value; // throws AwsProfileNotFound for a profile that does not exist
        if (Profiles().TryGetAWSCredentials(ProfileName, out var fromProfile))
        {
            return fromProfile;
        }

        throw new CruddurException(ErrorIds.AwsCredentialsNotFound, ErrorKind.AuthenticationError,
            $"The AWS profile '{ProfileName}' holds no usable credentials. Run 'aws configure --profile {ProfileName}' (or 'aws sso login --profile {ProfileName}').",
            target: ProfileName);
    }

    private static AWSCredentials Basic(AwsKeys keys) =>
        keys.SessionToken is { Length: > 0 } token ? new SessionAWSCredentials(keys.AccessKey, keys.SecretKey, token) : new BasicAWSCredentials(keys.AccessKey, keys.SecretKey);

    /// <summary>The environment variable that lets a region outside AWSSDK.Core's list through (a region newer than the module).</summary>
    internal const string AllowUnknownRegion = "CRUDDUR_ALLOW_UNKNOWN_REGION";
}

/// <summary>ImmutableCredentials → the identity type the SigV4 signer takes.</summary>
internal static class CredentialExtensions
{
    public static AWSCredentials ToBasicCredentials(this ImmutableCredentials credentials) =>
        credentials.UseToken
            ? new SessionAWSCredentials(credentials.AccessKey, credentials.SecretKey, credentials.Token)
            : new BasicAWSCredentials(credentials.AccessKey, credentials.SecretKey);
}
