using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Exec;

/// <summary>An IAM policy of the task role: where it comes from (inline name or managed ARN) and its JSON document.</summary>
internal sealed record RolePolicy(string Source, string Document);

/// <summary>What IAM says about the task role. <see cref="Error"/> is set when it could not be read.</summary>
internal sealed record TaskRoleFacts(string? RoleArn, bool Exists, IReadOnlyList<RolePolicy> Policies, string? Error = null)
{
    /// <summary>The role's trust policy (who may assume it), when it was read.</summary>
    public string? TrustPolicy { get; init; }

    /// <summary>The role name from its ARN (arn:aws:iam::123:role/path/Name → Name).</summary>
    public static string NameFromArn(string roleArn) => AwsArn.LastSegment(roleArn);
}

/// <summary>Everything the prerequisite checks look at, as ECS and IAM returned it.</summary>
internal sealed record ExecFacts(
    SessionManagerPluginInfo Plugin,
    EcsTask Task,
    string ContainerName,
    EcsTaskDefinition? TaskDefinition,
    string? ServiceName,
    bool? ServiceExecEnabled,
    TaskRoleFacts Role);

/// <summary>
/// The ECS Exec prerequisites that amazon-ecs-exec-checker verifies, as pure functions over DescribeTasks,
/// DescribeTaskDefinition, DescribeServices and IAM data. Each returns one <see cref="ExecCheck"/>.
/// </summary>
internal static class ExecPreflight
{
    public const string PluginCheck = "SessionManagerPlugin";
    public const string TaskRunningCheck = "TaskRunning";
    public const string PlatformVersionCheck = "PlatformVersion";
    public const string ExecEnabledCheck = "ExecuteCommandEnabled";
    public const string AgentCheck = "ExecuteCommandAgent";
    public const string TaskRoleCheck = "TaskRole";
    public const string ReadonlyRootCheck = "ReadonlyRootFilesystem";
    public const string InitProcessCheck = "InitProcessEnabled";
    public const string CredentialsCheck = "ContainerAwsCredentials";

    /// <summary>What the SSM agent in the container needs from the task role (the seed's SSMAccessPolicy).</summary>
    public static readonly IReadOnlyList<string> SsmMessagesActions =
    [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    ];

    private static readonly Version MinimumFargateVersion = new(1, 4, 0);
    private static readonly string[] CredentialVariables = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

    /// <summary>Every check, in the order a user would fix them. The plugin's row only informs when the session goes without it.</summary>
    public static IReadOnlyList<ExecCheck> Evaluate(ExecFacts facts, bool pluginRequired = true)
    {
        var containerDefinition = ContainerDefinition(facts.TaskDefinition, facts.ContainerName);
        var plugin = Plugin(facts.Plugin);
        return
        [
            pluginRequired ? plugin : ExecCheck.Info(PluginCheck, $"Not needed: Connect-CruddurTask opens the session itself. Connect-CruddurTask -UsePlugin needs it: {plugin.Detail}"),
            TaskRunning(facts.Task),
            PlatformVersion(facts.Task),
            ExecEnabled(facts.Task, facts.ServiceName, facts.ServiceExecEnabled),
            Agent(facts.Task, facts.ContainerName),
            TaskRole(facts.Role),
            ReadonlyRoot(containerDefinition, facts.ContainerName),
            InitProcess(containerDefinition, facts.ContainerName),
            Credentials(containerDefinition, facts.ContainerName),
        ];
    }

    public static ExecCheck Plugin(SessionManagerPluginInfo plugin)
    {
        if (plugin.Path is null)
        {
            return ExecCheck.Fail(PluginCheck, "session-manager-plugin is not on PATH.", plugin.InstallHint);
        }

        if (!plugin.ReadsEnvironmentSession)
        {
            return ExecCheck.Fail(PluginCheck,
                $"session-manager-plugin at {plugin.Path} reports version '{plugin.Version}' and does not read the session from an environment variable (versions up to {SessionManagerPlugin.LastVersionWithoutEnvironmentSession} take the session token only on the command line, where other users can read it).",
                "Upgrade the plugin: " + plugin.InstallHint);
        }

        return ExecCheck.Pass(PluginCheck, $"session-manager-plugin {plugin.Version} at {plugin.Path}{(plugin.EnvironmentSession == true ? " (reads the session from the environment, checked by a probe)" : "")}.");
    }

    public static ExecCheck TaskRunning(EcsTask task)
    {
        var status = task.LastStatus ?? "UNKNOWN";
        return status == "RUNNING"
            ? ExecCheck.Pass(TaskRunningCheck, $"Task {task.Id} is RUNNING.")
            : ExecCheck.Fail(TaskRunningCheck, $"Task {task.Id} is {status} (desired {task.DesiredStatus ?? "UNKNOWN"}); ECS Exec needs a RUNNING task.",
                "Connect to a running task: Connect-CruddurTask without -TaskArn picks the newest RUNNING task of the service.");
    }

    public static ExecCheck PlatformVersion(EcsTask task)
    {
        var launchType = task.LaunchType;
        if (launchType is not null && launchType != "FARGATE")
        {
            return ExecCheck.Pass(PlatformVersionCheck, $"The task runs on {launchType}, not Fargate: no platform version applies.");
        }

        if (task.PlatformFamily?.StartsWith("Windows", StringComparison.OrdinalIgnoreCase) == true)
        {
            return ExecCheck.Pass(PlatformVersionCheck, $"Windows Fargate platform {task.PlatformVersion} supports ECS Exec.");
        }

        var text = task.PlatformVersion;
        if (text is null || text == "LATEST")
        {
            return ExecCheck.Pass(PlatformVersionCheck, "Fargate platform version LATEST.");
        }

        if (!Version.TryParse(text, out var version))
        {
            return ExecCheck.Warn(PlatformVersionCheck, $"Fargate platform version '{text}' could not be read; ECS Exec needs 1.4.0 or later.",
                "Set \"platformVersion\": \"LATEST\" (or 1.4.0) in the service definition and redeploy.");
        }

        return version >= MinimumFargateVersion
            ? ExecCheck.Pass(PlatformVersionCheck, $"Fargate platform version {text}.")
            : ExecCheck.Fail(PlatformVersionCheck, $"Fargate platform version {text} is older than 1.4.0, the first that supports ECS Exec.",
                "Set \"platformVersion\": \"LATEST\" (or 1.4.0) in the service definition and roll new tasks with Deploy-CruddurService.");
    }

    public static ExecCheck ExecEnabled(EcsTask task, string? serviceName, bool? serviceExecEnabled)
    {
        if (task.EnableExecuteCommand)
        {
            return ExecCheck.Pass(ExecEnabledCheck, $"Task {task.Id} was started with enableExecuteCommand.");
        }

        if (serviceExecEnabled == true)
        {
            return ExecCheck.Fail(ExecEnabledCheck,
                $"Service {serviceName} has enableExecuteCommand, but task {task.Id} predates it: ECS applies the setting only to tasks started after it was turned on.",
                $"Roll new tasks with Deploy-CruddurService -Service {serviceName} (a new deployment), then connect again.");
        }

        var where = serviceName is null ? "the task" : $"service {serviceName}";
        return ExecCheck.Fail(ExecEnabledCheck,
            $"Task {task.Id} was started without enableExecuteCommand, and {where} does not turn it on.",
            serviceName is null
                ? "Run a new task with enableExecuteCommand (aws ecs run-task --enable-execute-command)."
                : $"Set \"enableExecuteCommand\": true in the service definition ({SeedDefaults.ServiceDefinitionFile(serviceName)}) and deploy it with Deploy-CruddurService, or run 'aws ecs update-service --cluster <cluster> --service {serviceName} --enable-execute-command --force-new-deployment'.");
    }

    public static ExecCheck Agent(EcsTask task, string containerName)
    {
        var container = task.Containers.FirstOrDefault(c => c.Name == containerName);
        var agent = container?.ManagedAgents.FirstOrDefault(a => a.Name == "ExecuteCommandAgent");
        if (agent is null)
        {
            return ExecCheck.Fail(AgentCheck, $"Container {containerName} has no ExecuteCommandAgent: the task was not started with ECS Exec.",
                "Start new tasks with enableExecuteCommand (see the ExecuteCommandEnabled check).");
        }

        var status = agent.LastStatus ?? "UNKNOWN";
        return status switch
        {
            "RUNNING" => ExecCheck.Pass(AgentCheck, $"ExecuteCommandAgent is RUNNING in container {containerName}."),
            "PENDING" => ExecCheck.Fail(AgentCheck, $"ExecuteCommandAgent is still PENDING in container {containerName}.",
                "Wait a few seconds for the agent to start, then connect again."),
            _ => ExecCheck.Fail(AgentCheck, $"ExecuteCommandAgent is {status} in container {containerName}{Reason(agent)}.",
                "Stopped agents do not restart: roll a new task with Deploy-CruddurService. The agent needs a writable root filesystem and outbound HTTPS to ssmmessages."),
        };
    }

    public static ExecCheck TaskRole(TaskRoleFacts role)
    {
        static string PolicyFix(string roleName) =>
            $"Give the task role the seed's {SeedDefaults.TaskPolicy}: aws iam put-role-policy --role-name {roleName} --policy-name {SeedDefaults.TaskPolicy} --policy-document file://{SeedDefaults.PolicyFolder}/{PolicyDocuments.TaskPolicyFile} (Allow ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel, OpenDataChannel on \"*\").";
        if (role.RoleArn is null)
        {
            return ExecCheck.Fail(TaskRoleCheck, "The task definition has no taskRoleArn: the SSM agent in the container has no credentials.",
                $"Set \"taskRoleArn\": \"arn:aws:iam::<account>:role/{SeedDefaults.TaskRole}\" in the task definition, register it and deploy. " + PolicyFix(SeedDefaults.TaskRole));
        }

        var name = TaskRoleFacts.NameFromArn(role.RoleArn);
        if (role.Error is not null)
        {
            return ExecCheck.Warn(TaskRoleCheck, $"Could not read task role {name}: {role.Error}", "Check it yourself, or run with credentials that may call iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy and iam:GetPolicyVersion.");
        }

        if (!role.Exists)
        {
            return ExecCheck.Fail(TaskRoleCheck, $"The task role {role.RoleArn} does not exist.",
                $"Create it: aws iam create-role --role-name {name} --assume-role-policy-document file://{SeedDefaults.PolicyFolder}/{PolicyDocuments.TaskTrustFile}; then " + PolicyFix(SeedDefaults.TaskRole));
        }

        var missing = IamPolicy.MissingActions(role.Policies.Select(p => p.Document), SsmMessagesActions);
        if (missing.Count == 0)
        {
            return ExecCheck.Pass(TaskRoleCheck, $"Task role {name} allows the four ssmmessages actions ({string.Join(", ", role.Policies.Select(p => p.Source))}).");
        }

        return ExecCheck.Fail(TaskRoleCheck,
            $"Task role {name} does not allow {string.Join(", ", missing)} on \"*\" (policies read: {(role.Policies.Count == 0 ? "none" : string.Join(", ", role.Policies.Select(p => p.Source)))}).",
            PolicyFix(name));
    }

    public static ExecCheck ReadonlyRoot(EcsContainerDefinition? containerDefinition, string containerName)
    {
        if (containerDefinition is { ReadonlyRootFilesystem: true })
        {
            return ExecCheck.Fail(ReadonlyRootCheck, $"Container {containerName} has readonlyRootFilesystem: the SSM agent cannot write its files, so ECS Exec does not work.",
                $"Remove \"readonlyRootFilesystem\": true from container {containerName} in the task definition, register it and deploy.");
        }

        return ExecCheck.Pass(ReadonlyRootCheck, $"Container {containerName} has a writable root filesystem.");
    }

    public static ExecCheck InitProcess(EcsContainerDefinition? containerDefinition, string containerName)
    {
        if (containerDefinition is { InitProcessEnabled: true })
        {
            return ExecCheck.Pass(InitProcessCheck, $"Container {containerName} runs an init process.");
        }

        return ExecCheck.Warn(InitProcessCheck, $"Container {containerName} has no init process: processes left behind by exec sessions are never reaped.",
            $"Add \"linuxParameters\": {{\"initProcessEnabled\": true}} to container {containerName} in the task definition.");
    }

    public static ExecCheck Credentials(EcsContainerDefinition? containerDefinition, string containerName)
    {
        var names = (containerDefinition?.EnvironmentNames ?? []).Concat(containerDefinition?.SecretNames ?? [])
            .Where(n => CredentialVariables.Contains(n, StringComparer.Ordinal))
            .Distinct()
            .ToList();
        if (names.Count == 0)
        {
            return ExecCheck.Pass(CredentialsCheck, $"Container {containerName} sets no AWS credentials in its environment.");
        }

        return ExecCheck.Warn(CredentialsCheck,
            $"Container {containerName} sets {string.Join(", ", names)}: the SSM agent uses these credentials instead of the task role, so they too must allow the ssmmessages actions.",
            "Prefer the task role: remove the AWS keys from the container's environment and secrets, or give their user the ssmmessages permissions.");
    }

    /// <summary>The container definition named <paramref name="containerName"/>, or null.</summary>
    public static EcsContainerDefinition? ContainerDefinition(EcsTaskDefinition? taskDefinition, string containerName) =>
        taskDefinition?.Containers.FirstOrDefault(c => c.Name == containerName);

    private static string Reason(EcsManagedAgent agent) => agent.Reason is { Length: > 0 } reason ? $" ({reason})" : string.Empty;
}
