using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Deployments.Preflight;

/// <summary>
/// Where a secrets[].valueFrom points: a Parameter Store parameter (by name or ARN) or a Secrets Manager secret (by ARN,
/// optionally followed by :json-key:version-stage:version-id, each part possibly empty).
/// </summary>
internal sealed record SecretSource(bool IsSecretsManager, string Id, string? Region, string? JsonKey = null, string? VersionStage = null, string? VersionId = null)
{
    public static SecretSource Parse(string valueFrom)
    {
        var resource = AwsArn.Resource(valueFrom);
        if (AwsArn.Service(valueFrom) == "secretsmanager" && resource?.Split(':') is ["secret", var secret, .. var rest])
        {
            // secret:name-AbCdEf[:json-key[:version-stage[:version-id]]]
            var id = valueFrom[..^resource.Length] + "secret:" + secret;
            return new SecretSource(true, id, AwsArn.Region(valueFrom), Part(rest, 0), Part(rest, 1), Part(rest, 2));
        }

        if (AwsArn.Service(valueFrom) == "ssm" && resource is not null && resource.StartsWith("parameter/", StringComparison.Ordinal))
        {
            // parameter/a/b is the ARN of /a/b; parameter/a of a (a name without a path has no leading slash).
            var name = resource["parameter/".Length..];
            return new SecretSource(false, name.Contains('/', StringComparison.Ordinal) ? "/" + name : name, AwsArn.Region(valueFrom));
        }

        return new SecretSource(false, valueFrom, null);
    }

    /// <summary>The ARN IAM evaluates ssm:GetParameters against.</summary>
    public string ParameterArn(string partition, string region, string account) => AwsArn.Build(partition, "ssm", region, account, "parameter/" + Id.TrimStart('/'));

    private static string? Part(string[] parts, int index) => parts.Length > index && parts[index].Length > 0 ? parts[index] : null;
}

/// <summary>Whether each secret a container names exists (with its JSON key and version); who may read it is the execution role's check.</summary>
internal static class SecretChecks
{
    public static async Task<IReadOnlyList<DeployCheck>> CheckAsync(PreflightFacts facts, string service, JsonObject container, JsonObject secret, CancellationToken token)
    {
        var variable = (string?)secret["name"] ?? "?";
        var valueFrom = (string?)secret["valueFrom"] ?? string.Empty;
        var source = SecretSource.Parse(valueFrom);
        if (source.Region is { } region && region != facts.Clients.Region)
        {
            return [DeployCheck.Info(service, DeployCheck.SecretCheck, $"Secret {variable} of container {(string?)container["name"]}: {valueFrom} is in region {region}, not {facts.Clients.Region}; it is not checked.")];
        }

        if (!source.IsSecretsManager)
        {
            return [DecideParameter(service, variable, source, await facts.ParameterAsync(source.Id, token).ConfigureAwait(false))];
        }

        var info = await facts.SecretAsync(source.Id, token).ConfigureAwait(false);
        IReadOnlyCollection<string>? keys = null;
        if (info is not null && source.JsonKey is not null && VersionExists(info, source))
        {
            keys = await facts.SecretKeysAsync(source.Id, source.VersionStage, source.VersionId, token).ConfigureAwait(false) ?? [];
        }

        return [DecideSecret(service, variable, source, info, keys)];
    }

    public static DeployCheck DecideParameter(string service, string variable, SecretSource source, SsmParameterInfo? parameter) =>
        parameter is null
            ? DeployCheck.Fail(service, DeployCheck.SecretCheck,
                $"Secret {variable}: the parameter {source.Id} does not exist, so the task would stop with \"ResourceInitializationError: unable to pull secrets or registry auth: ... ParameterNotFound\".",
                $"Write it: Set-CruddurParameter -Name {AwsArn.LastSegment(source.Id)} -Path {ParentPath(source.Id)} (or aws ssm put-parameter --type SecureString --name {source.Id} --value ...).")
            : DeployCheck.Pass(service, DeployCheck.SecretCheck, $"Secret {variable}: parameter {parameter.Name} ({parameter.Type}) exists.");

    public static DeployCheck DecideSecret(string service, string variable, SecretSource source, SecretInfo? secret, IReadOnlyCollection<string>? keys)
    {
        const string Failure = "so the task would stop with \"ResourceInitializationError: unable to pull secrets or registry auth: ...\"";
        if (secret is null)
        {
            return DeployCheck.Fail(service, DeployCheck.SecretCheck, $"Secret {variable}: the Secrets Manager secret {source.Id} does not exist, {Failure}.",
                "Create it (aws secretsmanager create-secret --name <name> --secret-string ...) and put its full ARN in valueFrom.");
        }

        if (!VersionExists(secret, source))
        {
            return DeployCheck.Fail(service, DeployCheck.SecretCheck, $"Secret {variable}: {source.Id} has no version {source.VersionId ?? source.VersionStage}, {Failure}.",
                $"Name an existing version in valueFrom (stages: {string.Join(", ", secret.Versions.Values.SelectMany(v => v).Distinct())}), or leave the version out for AWSCURRENT.");
        }

        if (source.JsonKey is not null && keys is not null && !keys.Contains(source.JsonKey))
        {
            return DeployCheck.Fail(service, DeployCheck.SecretCheck, $"Secret {variable}: the value of {source.Id} has no JSON key {source.JsonKey}, {Failure}.",
                $"Add the key to the secret's JSON value, or name one it has in valueFrom{(keys.Count > 0 ? $" ({string.Join(", ", keys)})" : " (the value is not a JSON object)")}.");
        }

        return DeployCheck.Pass(service, DeployCheck.SecretCheck, $"Secret {variable}: {secret.Arn}{(source.JsonKey is null ? string.Empty : $" has the key {source.JsonKey}")}.");
    }

    private static bool VersionExists(SecretInfo secret, SecretSource source) =>
        (source.VersionId is null || secret.Versions.ContainsKey(source.VersionId))
        && (source.VersionStage is null || secret.Versions.Values.Any(stages => stages.Contains(source.VersionStage)));

    private static string ParentPath(string name) => name.LastIndexOf('/') is > 0 and var slash ? name[..slash] : "/";
}
