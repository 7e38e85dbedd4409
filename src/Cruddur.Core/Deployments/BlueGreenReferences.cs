using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// The blue/green resources named in a service file: a <c>loadBalancers</c> entry's <c>advancedConfiguration</c> may say
/// <c>alternateTargetGroupName</c>, <c>productionListenerRuleName</c>, <c>testListenerRuleName</c> and <c>roleName</c>
/// instead of ECS's <c>alternateTargetGroupArn</c>, <c>productionListenerRule</c>, <c>testListenerRule</c> and
/// <c>roleArn</c>, whose ARNs differ in every account. Rules have no names in ELBv2, so a rule is named by its Name tag
/// (Initialize-CruddurInfrastructure -Strategy BlueGreen tags its rules; the console shows and sets the tag), looked up
/// among the rules of the load balancers the entry's target groups are behind. Each name is replaced by the ECS member,
/// so only ECS's own members reach ECS.
/// </summary>
internal static class BlueGreenReferences
{
    public const string Section = "advancedConfiguration";

    /// <summary>Each name field and the ECS member it becomes.</summary>
    public static readonly IReadOnlyList<(string Name, string Member)> Fields =
    [
        ("alternateTargetGroupName", "alternateTargetGroupArn"),
        ("productionListenerRuleName", "productionListenerRule"),
        ("testListenerRuleName", "testListenerRule"),
        ("roleName", "roleArn"),
    ];

    /// <summary>Replaces the names in <paramref name="entry"/>'s advancedConfiguration by ARNs; a clear error for a name nothing has.</summary>
    /// <param name="entry">A loadBalancers entry whose target group is already an ARN (<see cref="TargetGroupReferences"/>).</param>
    public static async Task ResolveAsync(JsonObject entry, IElbv2Client elb, IIamClient? iam, string source, CancellationToken cancellationToken)
    {
        if (entry[Section] is not JsonObject configuration)
        {
            return;
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, member) in Fields.Where(f => configuration[f.Name] is not null))
        {
            var name = AwsJson.TextOrNull(configuration[field]);
            if (string.IsNullOrWhiteSpace(name) || configuration[member] is not null)
            {
                throw new CruddurException(ErrorIds.DeployBlueGreenReferenceInvalid, ErrorKind.InvalidData,
                    $"{source}: {Section} needs either \"{member}\" or a non-empty \"{field}\", not both. Nothing was registered.", target: source);
            }

            names[field] = name;
        }

        if (names.TryGetValue(Fields[0].Name, out var alternate))
        {
            var group = await elb.FindTargetGroupAsync(alternate, cancellationToken).ConfigureAwait(false)
                ?? throw new CruddurException(ErrorIds.DeployTargetGroupNotFound, ErrorKind.ObjectNotFound,
                    $"{source} names the alternate target group '{alternate}', which does not exist in this account and region. Create it with Initialize-CruddurInfrastructure -Domain <your domain> -Strategy BlueGreen (or fix the name). Nothing was registered.",
                    target: alternate);
            Replace(configuration, Fields[0], group.Arn);
        }

        if (names.TryGetValue(Fields[3].Name, out var role))
        {
            var found = await (iam ?? throw new InvalidOperationException("No IAM client to resolve role names.")).GetRoleTrustAsync(role, cancellationToken).ConfigureAwait(false)
                ?? throw new CruddurException(ErrorIds.DeployInfrastructureRoleNotFound, ErrorKind.ObjectNotFound,
                    $"{source} names the role '{role}', which does not exist in this account. Create it with Initialize-CruddurInfrastructure -Domain <your domain> -Strategy BlueGreen ({SeedDefaults.EcsInfrastructureRole}), or fix the name. Nothing was registered.",
                    target: role);
            Replace(configuration, Fields[3], found.Arn);
        }

        IReadOnlyDictionary<string, List<string>>? rules = null;
        foreach (var field in new[] { Fields[1], Fields[2] }.Where(f => names.ContainsKey(f.Name)))
        {
            rules ??= await RulesByNameAsync(elb, entry, configuration, cancellationToken).ConfigureAwait(false);
            var name = names[field.Name];
            var arns = rules.GetValueOrDefault(name) ?? [];
            if (arns.Count != 1)
            {
                var groups = string.Join(", ", TargetGroupArns(entry, configuration).Select(AwsArn.TargetGroupName));
                throw arns.Count == 0
                    ? new CruddurException(ErrorIds.DeployListenerRuleNotFound, ErrorKind.ObjectNotFound,
                        $"{source} names the listener rule '{name}', but no rule tagged Name={name} forwards on the load balancers behind {groups}. Create the service's rules with Initialize-CruddurInfrastructure -Domain <your domain> -Strategy BlueGreen, or tag your rule (aws elbv2 add-tags --resource-arns <rule ARN> --tags Key=Name,Value={name}). Nothing was registered.",
                        target: name)
                    : new CruddurException(ErrorIds.DeployListenerRuleAmbiguous, ErrorKind.InvalidData,
                        $"{source} names the listener rule '{name}', but {arns.Count} rules carry that Name tag: {string.Join(", ", arns.Order(StringComparer.Ordinal))}. Give each rule its own name (aws elbv2 add-tags), or write the rule's ARN as \"{field.Member}\". Nothing was registered.",
                        target: name);
            }

            Replace(configuration, field, arns[0]);
        }
    }

    private static void Replace(JsonObject configuration, (string Name, string Member) field, string arn)
    {
        configuration.Remove(field.Name);
        configuration[field.Member] = arn;
    }

    private static IEnumerable<string> TargetGroupArns(JsonObject entry, JsonObject configuration) =>
        new[] { AwsJson.TextOrNull(entry["targetGroupArn"]), AwsJson.TextOrNull(configuration["alternateTargetGroupArn"]) }.OfType<string>().Distinct();

    /// <summary>The non-default rules of every listener of the load balancers the entry's groups are behind, by their Name tag.</summary>
    private static async Task<IReadOnlyDictionary<string, List<string>>> RulesByNameAsync(IElbv2Client elb, JsonObject entry, JsonObject configuration, CancellationToken cancellationToken)
    {
        var groups = TargetGroupArns(entry, configuration).ToList();
        var loadBalancers = groups.Count == 0 ? [] : (await elb.ListTargetGroupsAsync(groups, cancellationToken).ConfigureAwait(false)).SelectMany(g => g.LoadBalancerArns).Distinct().ToList();
        var rules = new List<string>();
        foreach (var loadBalancer in loadBalancers)
        {
            foreach (var listener in await elb.ListListenersAsync(loadBalancer, cancellationToken).ConfigureAwait(false))
            {
                rules.AddRange((await elb.ListRulesAsync(listener.Arn, cancellationToken).ConfigureAwait(false)).Where(r => !r.IsDefault).Select(r => r.Arn));
            }
        }

        var byName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (arn, tags) in rules.Count == 0 ? new Dictionary<string, IReadOnlyDictionary<string, string>>() : await elb.DescribeTagsAsync(rules, cancellationToken).ConfigureAwait(false))
        {
            if (tags.TryGetValue("Name", out var name))
            {
                (byName.TryGetValue(name, out var list) ? list : byName[name] = []).Add(arn);
            }
        }

        return byName;
    }
}
