using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Exec;

namespace Cruddur.Core.Deployments.Preflight;

/// <summary>One permission the execution role needs: an action on a resource, and for what.</summary>
internal sealed record RoleNeed(string Action, string Resource, string For);

/// <summary>
/// The execution role (exists, trusts ecs-tasks.amazonaws.com, and its policies allow pulling each ECR image, reading each
/// repositoryCredentials secret, writing each log group and reading each secret and its KMS key) and the task role (exists, trusts ecs-tasks.amazonaws.com).
/// </summary>
internal static class RoleChecks
{
    public const string TasksPrincipal = "ecs-tasks.amazonaws.com";

    public static async Task<IReadOnlyList<DeployCheck>> ExecutionRoleAsync(PreflightFacts facts, string service, JsonObject definition, IReadOnlyList<JsonObject> containers, CancellationToken token)
    {
        var roleArn = (string?)definition["executionRoleArn"];
        var region = facts.Clients.Region;
        var account = AwsArn.Account(roleArn ?? string.Empty) ?? await facts.AccountAsync(token).ConfigureAwait(false);
        var partition = AwsArn.Partition(roleArn ?? string.Empty) ?? "aws";
        var needs = new List<RoleNeed>();
        foreach (var container in containers)
        {
            var name = (string?)container["name"] ?? "?";
            if (DeployPreflight.ImageReference.Parse((string?)container["image"] ?? string.Empty) is { Ecr: { } ecr } image)
            {
                var repository = AwsArn.Build(partition, "ecr", ecr.Region, ecr.Account, "repository/" + image.Repository);
                needs.Add(new RoleNeed("ecr:GetAuthorizationToken", "*", $"pulling {name}'s image"));
                needs.AddRange(new[] { "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage" }.Select(a => new RoleNeed(a, repository, $"pulling {name}'s image")));
            }

            if (LogChecks.AwsLogs(container) is { } logs)
            {
                var group = AwsArn.Build(partition, "logs", logs.Region ?? region, account, "log-group:" + logs.Group);
                var stream = $"{group}:log-stream:{(logs.StreamPrefix is null ? string.Empty : logs.StreamPrefix + "/")}{name}/<task-id>";
                needs.Add(new RoleNeed("logs:CreateLogStream", stream, $"{name}'s logs"));
                needs.Add(new RoleNeed("logs:PutLogEvents", stream, $"{name}'s logs"));
                if (logs.CreateGroup)
                {
                    needs.Add(new RoleNeed("logs:CreateLogGroup", group, $"creating {name}'s log group"));
                }
            }

            if ((string?)container["repositoryCredentials"]?["credentialsParameter"] is { Length: > 0 } credentials && (AwsArn.Region(credentials) ?? region) == region)
            {
                needs.AddRange(await SecretsManagerNeedsAsync(facts, credentials, $"{name}'s registry credentials", partition, region, account, token).ConfigureAwait(false));
            }

            foreach (var secret in (container["secrets"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                needs.AddRange(await SecretNeedsAsync(facts, secret, partition, region, account, token).ConfigureAwait(false));
            }
        }

        if (needs.Count == 0 && roleArn is null)
        {
            return [DeployCheck.Pass(service, DeployCheck.ExecutionRoleCheck, "No execution role is set, and none is needed: no private ECR image, registry credentials, awslogs group or secret.")];
        }

        if (roleArn is null)
        {
            return [DeployCheck.Fail(service, DeployCheck.ExecutionRoleCheck, $"The task definition has no executionRoleArn, but ECS needs one for {string.Join(", ", needs.Select(n => n.For).Distinct())}.",
                $"Set \"executionRoleArn\": \"arn:aws:iam::<account>:role/{SeedDefaults.ServiceExecutionRole}\" (Initialize-CruddurInfrastructure creates that role).")];
        }

        var role = await facts.RoleAsync(roleArn, token).ConfigureAwait(false);
        var exists = Role(service, DeployCheck.ExecutionRoleCheck, role, "execution", "aws/policies/service/service-assume-execution-role.json");
        return exists.Status == DeployCheckStatus.Pass ? [exists, Permissions(service, role, needs)] : [exists];
    }

    public static async Task<IReadOnlyList<DeployCheck>> TaskRoleAsync(PreflightFacts facts, string service, JsonObject definition, CancellationToken token)
    {
        if ((string?)definition["taskRoleArn"] is not { } roleArn)
        {
            return [DeployCheck.Info(service, DeployCheck.TaskRoleCheck, "The task definition has no taskRoleArn: the containers get no AWS credentials of their own (and ECS Exec will not work).")];
        }

        return [Role(service, DeployCheck.TaskRoleCheck, await facts.RoleAsync(roleArn, token).ConfigureAwait(false), "task", "aws/policies/task/task-assume-execution-role.json")];
    }

    /// <summary>Whether a role exists and ECS tasks may assume it.</summary>
    public static DeployCheck Role(string service, string check, TaskRoleFacts role, string kind, string trustFile)
    {
        var name = TaskRoleFacts.NameFromArn(role.RoleArn ?? string.Empty);
        if (role.Error is not null)
        {
            return DeployCheck.Info(service, check, $"Not checked: the {kind} role {name} could not be read ({role.Error}). Run with credentials that may call iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy and iam:GetPolicyVersion to check it.");
        }

        if (!role.Exists)
        {
            return DeployCheck.Fail(service, check, $"The {kind} role {role.RoleArn} does not exist, so ECS could not assume it and the tasks would not start.",
                $"Create it: Initialize-CruddurInfrastructure, or aws iam create-role --role-name {name} --assume-role-policy-document file://{trustFile}.");
        }

        if (role.TrustPolicy is null || !IamPolicy.TrustsService(role.TrustPolicy, TasksPrincipal))
        {
            return DeployCheck.Fail(service, check, $"The {kind} role {name} does not trust {TasksPrincipal}: ECS reports \"unable to assume the role\" and no task starts.",
                $"aws iam update-assume-role-policy --role-name {name} --policy-document file://{trustFile}");
        }

        return DeployCheck.Pass(service, check, $"The {kind} role {name} exists and trusts {TasksPrincipal}.");
    }

    /// <summary>Every need the role's policies do not allow, with the Deny that takes it away or the reason it could not be evaluated.</summary>
    public static DeployCheck Permissions(string service, TaskRoleFacts role, IReadOnlyList<RoleNeed> needs)
    {
        var name = TaskRoleFacts.NameFromArn(role.RoleArn ?? string.Empty);
        var verdicts = needs.Distinct().Select(n => (Need: n, Verdict: IamPolicy.Evaluate(role.Policies, n.Action, n.Resource))).ToList();
        var refused = verdicts.Where(v => v.Verdict.Decision is PolicyDecision.ImplicitDeny or PolicyDecision.ExplicitDeny).ToList();
        if (refused.Count > 0)
        {
            return DeployCheck.Fail(service, DeployCheck.ExecutionRolePermissionsCheck,
                $"The execution role {name} may not: " + string.Join("; ", refused.Select(v => $"{v.Need.Action} on {v.Need.Resource} ({v.Need.For}{(v.Verdict.Decision == PolicyDecision.ExplicitDeny ? $", denied by {v.Verdict.Reason}" : string.Empty)})")) + ".",
                $"Allow them in a policy of {name} (the seed's aws/policies/service/service-execution-policy.json; Initialize-CruddurInfrastructure puts it) and remove any Deny that matches.");
        }

        var unevaluated = verdicts.Where(v => v.Verdict.Decision == PolicyDecision.NotEvaluated).ToList();
        if (unevaluated.Count > 0)
        {
            return DeployCheck.Info(service, DeployCheck.ExecutionRolePermissionsCheck,
                $"Not fully checked: {unevaluated[0].Verdict.Reason}; check {string.Join(", ", unevaluated.Select(v => v.Need.Action).Distinct())} yourself.");
        }

        return DeployCheck.Pass(service, DeployCheck.ExecutionRolePermissionsCheck,
            needs.Count == 0 ? $"The execution role {name} needs no permission for these containers." : $"The execution role {name} allows all {verdicts.Count} actions the tasks need.");
    }

    private static async Task<IReadOnlyList<RoleNeed>> SecretNeedsAsync(PreflightFacts facts, JsonObject secret, string partition, string region, string account, CancellationToken token)
    {
        var variable = (string?)secret["name"] ?? "?";
        var source = SecretSource.Parse((string?)secret["valueFrom"] ?? string.Empty);
        if (source.Region is { } other && other != region)
        {
            return [];
        }

        if (source.IsSecretsManager)
        {
            return await SecretsManagerNeedsAsync(facts, source.Id, $"secret {variable}", partition, region, account, token).ConfigureAwait(false);
        }

        var parameter = await facts.ParameterAsync(source.Id, token).ConfigureAwait(false);
        var list = new List<RoleNeed> { new("ssm:GetParameters", source.ParameterArn(partition, region, account), $"secret {variable}") };
        if (parameter is { Type: "SecureString", KeyId: { } keyId } && !keyId.EndsWith("alias/aws/ssm", StringComparison.Ordinal))
        {
            list.Add(new RoleNeed("kms:Decrypt", KeyArn(keyId, partition, region, account), $"secret {variable}'s customer KMS key"));
        }

        return list;
    }

    /// <summary>Reading a Secrets Manager secret (by name or ARN): GetSecretValue on it, and Decrypt with its customer KMS key if it has one.</summary>
    private static async Task<IReadOnlyList<RoleNeed>> SecretsManagerNeedsAsync(PreflightFacts facts, string secretId, string forWhat, string partition, string region, string account, CancellationToken token)
    {
        var info = await facts.SecretAsync(secretId, token).ConfigureAwait(false);
        var needs = new List<RoleNeed> { new("secretsmanager:GetSecretValue", info?.Arn ?? secretId, forWhat) };
        if (info?.KmsKeyId is { } key && !key.EndsWith("alias/aws/secretsmanager", StringComparison.Ordinal))
        {
            needs.Add(new RoleNeed("kms:Decrypt", KeyArn(key, partition, region, account), $"{forWhat}'s customer KMS key"));
        }

        return needs;
    }

    private static string KeyArn(string key, string partition, string region, string account) =>
        AwsArn.IsArn(key) ? key : AwsArn.Build(partition, "kms", region, account, key.StartsWith("alias/", StringComparison.Ordinal) ? key : "key/" + key);
}
