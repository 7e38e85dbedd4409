using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Edge;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Infrastructure;

/// <summary>What Initialize-CruddurInfrastructure sets up; the defaults are the seed's.</summary>
public sealed record InfrastructureOptions
{
    public string Cluster { get; init; } = SeedDefaults.Cluster;

    /// <summary>Each service gets an ECR repository of its name (besides the base image's, <see cref="SeedDefaults.BaseImageRepository"/>).</summary>
    public IReadOnlyList<string> Services { get; init; } = SeedDefaults.Services;

    public int LogRetentionDays { get; init; } = SeedDefaults.LogRetentionDays;

    /// <summary>The folder holding service/*.json and task/*.json (the seed's aws/policies); null or absent: built-ins.</summary>
    public string? PolicyPath { get; init; }

    /// <summary>The public edge (load balancer, HTTPS, DNS) for a domain; null: none (the seed's state before its load balancer).</summary>
    public EdgeOptions? Edge { get; init; }
}

/// <summary>The seed's one-time set-up as an ordered list of steps, for <see cref="InfrastructureReconciler"/>.</summary>
public static class InfrastructurePlan
{
    /// <summary>The retention values CloudWatch Logs accepts.</summary>
    public static readonly IReadOnlyList<int> RetentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

    /// <summary>
    /// Checks the input and reads every policy document (so a bad file stops the run before anything changes), asks STS
    /// for the account id, and returns the steps in the order the seed runs them.
    /// </summary>
    public static async Task<IReadOnlyList<InfrastructureStep>> CreateAsync(AwsContext context, InfrastructureOptions options, IOperationHost host, CancellationToken cancellationToken)
    {
        if (!RetentionDays.Contains(options.LogRetentionDays))
        {
            throw new CruddurException(ErrorIds.InfraLogRetentionInvalid, ErrorKind.InvalidArgument,
                $"CloudWatch Logs cannot keep logs for {options.LogRetentionDays} day(s). Use one of {string.Join(", ", RetentionDays)}.", target: options.LogRetentionDays);
        }

        if (options.PolicyPath is not null && File.Exists(options.PolicyPath))
        {
            throw new CruddurException(ErrorIds.InfraPolicyPathNotFolder, ErrorKind.InvalidArgument,
                $"'{options.PolicyPath}' is a file, not the folder that holds service/ and task/ (the seed's {SeedDefaults.PolicyFolder}).", target: options.PolicyPath);
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(options.Cluster, "^[A-Za-z0-9_-]{1,255}$"))
        {
            throw new CruddurException(ErrorIds.InfraClusterNameInvalid, ErrorKind.InvalidArgument,
                $"'{options.Cluster}' is not an ECS cluster name. Use up to 255 letters, digits, '-' and '_', such as {SeedDefaults.Cluster}.", target: options.Cluster);
        }

        var edge = options.Edge?.Validate();
        var repositories = new[] { SeedDefaults.BaseImageRepository }.Concat(options.Services).Distinct(StringComparer.Ordinal).ToList();
        foreach (var repository in repositories)
        {
            Images.EcrRepositories.ValidateName(repository);
        }

        var region = context.Region;
        var accountId = await context.GetAccountIdAsync(cancellationToken).ConfigureAwait(false);
        PolicyDocument Load(string file, string builtIn) => PolicyDocuments.Load(options.PolicyPath, file, builtIn, accountId, region, host);
        var serviceTrust = Load(PolicyDocuments.ServiceTrustFile, PolicyDocuments.BuiltInTrust);
        var servicePolicy = Load(PolicyDocuments.ServicePolicyFile, PolicyDocuments.BuiltInServicePolicy);
        var taskTrust = Load(PolicyDocuments.TaskTrustFile, PolicyDocuments.BuiltInTrust);
        var taskPolicy = Load(PolicyDocuments.TaskPolicyFile, PolicyDocuments.BuiltInTaskPolicy);

        var logs = new LogsClient(context, host);
        var ecs = new EcsClient(context, host);
        var ecr = new EcrClient(context, host);
        var iam = new IamClient(context, host);
        var partition = AwsArn.PartitionOf(region);

        var steps = new List<InfrastructureStep>
        {
            new LogGroupStep(logs, options.Cluster, options.LogRetentionDays),
            new EcsClusterStep(ecs, options.Cluster),
        };
        steps.AddRange(repositories.Select(name => new EcrRepositoryStep(ecr, name)));
        steps.Add(new IamRoleStep(iam, SeedDefaults.ServiceExecutionRole, serviceTrust));
        steps.Add(new IamRolePolicyStep(iam, SeedDefaults.ServiceExecutionRole, SeedDefaults.ServiceExecutionPolicy, servicePolicy));
        steps.Add(new IamRoleStep(iam, SeedDefaults.TaskRole, taskTrust));
        steps.Add(new IamRolePolicyStep(iam, SeedDefaults.TaskRole, SeedDefaults.TaskPolicy, taskPolicy));
        steps.Add(new IamPolicyAttachmentStep(iam, SeedDefaults.TaskRole, AwsArn.ManagedPolicy(partition, "CloudWatchFullAccess")));
        steps.Add(new IamPolicyAttachmentStep(iam, SeedDefaults.TaskRole, AwsArn.ManagedPolicy(partition, "AWSXRayDaemonWriteAccess")));
        if (edge is not null && edge.Strategy.ShiftsTraffic())
        {
            // The role ECS assumes to change the listener rules' weights during blue/green, linear and canary deployments.
            steps.Add(new IamRoleStep(iam, SeedDefaults.EcsInfrastructureRole, new PolicyDocument(PolicyDocuments.BuiltInInfrastructureTrust.Trim(), "the built-in ECS infrastructure trust policy")));
            steps.Add(new IamPolicyAttachmentStep(iam, SeedDefaults.EcsInfrastructureRole, AwsArn.ManagedPolicy(partition, SeedDefaults.EcsInfrastructurePolicy)));
        }

        var ec2 = new Ec2Client(context, host);
        if (edge is null)
        {
            steps.Add(new SecurityGroupStep(ec2, SeedDefaults.SecurityGroupName, SeedDefaults.SecurityGroupDescription,
                () => [new IngressRule(SeedDefaults.BackendPort, EdgeOptions.Anywhere, null)], exclusive: false));
        }
        else
        {
            steps.AddRange(EdgePlan.CreateSteps(context, ec2, edge, host));
        }
        return steps;
    }
}
