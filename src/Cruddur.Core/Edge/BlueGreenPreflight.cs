using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Edge;

/// <summary>How one blue/green prerequisite stands: Fail stops a deploy, Warn is shown and the deploy goes on.</summary>
internal enum BlueGreenCheckStatus
{
    Pass,
    Warn,
    Fail,
}

/// <summary>One prerequisite of a service's blue/green (linear, canary) deployment: what was found and how to fix it.</summary>
internal sealed record BlueGreenCheck(string Service, string Check, BlueGreenCheckStatus Status, string Detail, string? Fix = null);

/// <summary>What IAM says about the role ECS is to assume; <see cref="Error"/> when it could not be read.</summary>
internal sealed record InfrastructureRoleFacts(string RoleArn, bool Exists, string? TrustPolicy, IReadOnlyList<string> AttachedPolicyArns, string? Error = null);

/// <summary>
/// A service's advancedConfiguration (as sent to ECS: ARNs) and what ELBv2 and IAM hold for it. A rule that does not
/// exist is null; <see cref="TestRuleArn"/> is null when the service names no test rule.
/// </summary>
internal sealed record BlueGreenFacts(
    string Service,
    string TargetGroupArn,
    string AlternateTargetGroupArn,
    string ProductionRuleArn,
    ListenerRule? ProductionRule,
    string? TestRuleArn,
    ListenerRule? TestRule,
    InfrastructureRoleFacts Role);

/// <summary>
/// The checks a blue/green, linear or canary deployment behind an Application Load Balancer needs before anything is
/// registered, as pure functions over <see cref="BlueGreenFacts"/> (read them with <see cref="ReadAsync"/>): the rules
/// are in the shape ECS shifts traffic in (<see cref="TrafficRules"/>), and ECS can assume the role and change the rules.
/// </summary>
internal static class BlueGreenPreflight
{
    public const string AlternateCheck = "AlternateTargetGroup";
    public const string ProductionRuleCheck = "ProductionListenerRule";
    public const string TestRuleCheck = "TestListenerRule";
    public const string RoleCheck = "InfrastructureRole";

    /// <summary>The service principal the role must trust.</summary>
    public const string EcsPrincipal = "ecs.amazonaws.com";

    /// <summary>Every check, in the order a user would fix them.</summary>
    public static IReadOnlyList<BlueGreenCheck> Evaluate(BlueGreenFacts facts) =>
    [
        Alternate(facts),
        Rule(facts, ProductionRuleCheck, facts.ProductionRuleArn, facts.ProductionRule),
        facts.TestRuleArn is null
            ? new BlueGreenCheck(facts.Service, TestRuleCheck, BlueGreenCheckStatus.Pass, "None named: ECS sends no test traffic to the new revision before production.")
            : facts.TestRuleArn == facts.ProductionRuleArn
                ? Fail(facts, TestRuleCheck, $"The test rule is the production rule {facts.ProductionRuleArn}; ECS needs two rules.",
                    $"Name the test listener's rule ({SeedDefaults.TestRuleName(facts.Service)} on port {SeedDefaults.TestListenerPort}, which Initialize-CruddurInfrastructure -Strategy BlueGreen creates) as testListenerRule, or leave it out.")
                : Rule(facts, TestRuleCheck, facts.TestRuleArn, facts.TestRule),
        Role(facts.Service, facts.Role),
    ];

    /// <summary>The deploy's refusal for the failed checks (none: null), each with its fix, under one stable id.</summary>
    public static CruddurException? Refusal(IReadOnlyList<BlueGreenCheck> checks)
    {
        var failed = checks.Where(c => c.Status == BlueGreenCheckStatus.Fail).ToList();
        return failed.Count == 0 ? null : new CruddurException(ErrorIds.DeployBlueGreenEdgeNotReady, ErrorKind.InvalidOperation,
            $"{failed[0].Service} cannot shift traffic: {string.Join(" ", failed.Select(c => $"{c.Check}: {c.Detail} Fix: {c.Fix}"))} Nothing was registered.",
            target: failed[0].Service);
    }

    public static BlueGreenCheck Alternate(BlueGreenFacts facts) => facts.AlternateTargetGroupArn == facts.TargetGroupArn
        ? Fail(facts, AlternateCheck, $"The alternate target group is the service's own {AwsArn.TargetGroupName(facts.TargetGroupArn)}; ECS needs a second group for the new revision.",
            $"Name {SeedDefaults.AlternateTargetGroup(AwsArn.TargetGroupName(facts.TargetGroupArn))} as alternateTargetGroupName (Initialize-CruddurInfrastructure -Strategy BlueGreen creates it).")
        : Pass(facts, AlternateCheck, $"{AwsArn.TargetGroupName(facts.AlternateTargetGroupArn)} takes the new revision's tasks.");

    public static BlueGreenCheck Rule(BlueGreenFacts facts, string check, string ruleArn, ListenerRule? rule)
    {
        var primary = facts.TargetGroupArn;
        var alternate = facts.AlternateTargetGroupArn;
        if (rule is null)
        {
            return Fail(facts, check, $"ELBv2 has no listener rule {ruleArn}.",
                $"Run Initialize-CruddurInfrastructure -Domain <your domain> -Strategy BlueGreen and name its rule by Name tag ({(check == TestRuleCheck ? SeedDefaults.TestRuleName(facts.Service) : SeedDefaults.ProductionRuleName(facts.Service))}), or fix the ARN.");
        }

        var problems = TrafficRules.Problems(rule, primary, alternate);
        if (problems.Count > 0)
        {
            var wanted = TrafficRules.Wanted(rule, primary, alternate).ForwardGroups;
            var forward = string.Join(",", wanted.Select(g => $"{{TargetGroupArn={g.Arn},Weight={g.Weight}}}"));
            return Fail(facts, check, $"Rule {ruleArn} is not one ECS can shift traffic in: {string.Join("; ", problems)}.",
                (rule.IsDefault ? "Give the service a rule of its own (Initialize-CruddurInfrastructure -Strategy BlueGreen creates one). " : string.Empty)
                + $"Make its only action the weighted forward: aws elbv2 modify-rule --rule-arn {ruleArn} --actions 'Type=forward,ForwardConfig={{TargetGroups=[{forward}]}}' (on the edge Initialize-CruddurInfrastructure built, its -Strategy BlueGreen run does this).");
        }

        return TrafficRules.SplitsTraffic(rule)
            ? new BlueGreenCheck(facts.Service, check, BlueGreenCheckStatus.Warn, $"Rule {ruleArn} splits traffic ({TrafficRules.Weights(rule)}): a deployment is shifting it, or the weights were edited by hand.",
                "Let the deployment under way finish (Get-CruddurService), or set the weights to 100 and 0.")
            : Pass(facts, check, $"Rule {ruleArn} forwards to {TrafficRules.Weights(rule)}.");
    }

    public static BlueGreenCheck Role(string service, InfrastructureRoleFacts role)
    {
        var name = AwsArn.LastSegment(role.RoleArn);
        var policyArn = AwsArn.ManagedPolicy(AwsArn.Partition(role.RoleArn) ?? "aws", SeedDefaults.EcsInfrastructurePolicy);
        var create = $"aws iam create-role --role-name {name} --assume-role-policy-document '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\"{EcsPrincipal}\"}},\"Action\":\"sts:AssumeRole\"}}]}}'";
        var attach = $"aws iam attach-role-policy --role-name {name} --policy-arn {policyArn}";
        if (role.Error is not null)
        {
            return new BlueGreenCheck(service, RoleCheck, BlueGreenCheckStatus.Warn, $"Could not read role {name}: {role.Error}",
                "Check it yourself, or run with credentials that may call iam:GetRole and iam:ListAttachedRolePolicies.");
        }

        if (!role.Exists)
        {
            return new BlueGreenCheck(service, RoleCheck, BlueGreenCheckStatus.Fail, $"The role {role.RoleArn} does not exist.",
                $"Run Initialize-CruddurInfrastructure -Domain <your domain> -Strategy BlueGreen (it creates {SeedDefaults.EcsInfrastructureRole}), or: {create}; {attach}");
        }

        if (role.TrustPolicy is null || !IamPolicy.TrustsService(role.TrustPolicy, EcsPrincipal))
        {
            return new BlueGreenCheck(service, RoleCheck, BlueGreenCheckStatus.Fail, $"ECS cannot assume role {name}: its trust policy does not let {EcsPrincipal} call sts:AssumeRole.",
                $"aws iam update-assume-role-policy --role-name {name} --policy-document '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\"{EcsPrincipal}\"}},\"Action\":\"sts:AssumeRole\"}}]}}'");
        }

        if (!role.AttachedPolicyArns.Contains(policyArn, StringComparer.Ordinal))
        {
            return new BlueGreenCheck(service, RoleCheck, BlueGreenCheckStatus.Fail,
                $"Role {name} lacks the AWS-managed {SeedDefaults.EcsInfrastructurePolicy}: ECS could not change the listener rules or register targets.", attach);
        }

        return new BlueGreenCheck(service, RoleCheck, BlueGreenCheckStatus.Pass, $"ECS may assume {name}, which has {SeedDefaults.EcsInfrastructurePolicy}.");
    }

    /// <summary>
    /// Reads what the checks look at for one loadBalancers entry whose advancedConfiguration holds ARNs (as after
    /// <see cref="Deployments.BlueGreenReferences.ResolveAsync"/>): the two rules from ELBv2, the role from IAM.
    /// </summary>
    public static async Task<BlueGreenFacts> ReadAsync(IElbv2Client elb, IIamClient iam, string service, string targetGroupArn, AdvancedConfiguration configuration, CancellationToken cancellationToken)
    {
        var production = await elb.FindRuleAsync(configuration.ProductionListenerRule, cancellationToken).ConfigureAwait(false);
        var test = configuration.TestListenerRule is { } testArn ? await elb.FindRuleAsync(testArn, cancellationToken).ConfigureAwait(false) : null;
        return new BlueGreenFacts(service, targetGroupArn, configuration.AlternateTargetGroupArn, configuration.ProductionListenerRule, production,
            configuration.TestListenerRule, test, await ReadRoleAsync(iam, configuration.RoleArn, cancellationToken).ConfigureAwait(false));
    }

    private static BlueGreenCheck Pass(BlueGreenFacts facts, string check, string detail) => new(facts.Service, check, BlueGreenCheckStatus.Pass, detail);

    private static BlueGreenCheck Fail(BlueGreenFacts facts, string check, string detail, string fix) => new(facts.Service, check, BlueGreenCheckStatus.Fail, detail, fix);

    private static async Task<InfrastructureRoleFacts> ReadRoleAsync(IIamClient iam, string roleArn, CancellationToken cancellationToken)
    {
        var name = AwsArn.LastSegment(roleArn);
        try
        {
            if (await iam.GetRoleTrustAsync(name, cancellationToken).ConfigureAwait(false) is not { } role)
            {
                return new InfrastructureRoleFacts(roleArn, false, null, []);
            }

            var attached = await iam.ListAttachedRolePoliciesAsync(name, cancellationToken).ConfigureAwait(false);
            return new InfrastructureRoleFacts(roleArn, true, role.TrustPolicy, attached.Select(p => p.Arn).ToList());
        }
        catch (AwsServiceException e) when (e.IsRefusal)
        {
            return new InfrastructureRoleFacts(roleArn, true, null, [], $"{e.ErrorCode}: {e.ServiceMessage}");
        }
    }
}

/// <summary>The members of ECS's AdvancedConfiguration, as they are sent: ARNs only.</summary>
internal sealed record AdvancedConfiguration(string AlternateTargetGroupArn, string ProductionListenerRule, string? TestListenerRule, string RoleArn);
