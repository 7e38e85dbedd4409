using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Edge;

/// <summary>
/// The rule shape ECS shifts traffic in (blue/green, linear, canary): a rule of its own, not a listener's default, with one
/// action, a forward to the service's target group and its alternate by weight, the weights in percent. What ELB allows
/// beside it (a second action, a third group) makes the deployment fail. Initialize-CruddurInfrastructure -Strategy
/// BlueGreen brings its rules into this shape and the blue/green preflight refuses a rule that is not in it: one decision.
/// </summary>
internal static class TrafficRules
{
    /// <summary>What keeps ECS from shifting traffic in <paramref name="rule"/>, each as a clause; empty when nothing does.</summary>
    public static IReadOnlyList<string> Problems(ListenerRule rule, string targetGroupArn, string alternateArn)
    {
        var problems = new List<string>();
        if (rule.IsDefault)
        {
            problems.Add("it is a listener's default rule, which ECS does not change");
        }

        if (rule.Actions.Count != 1)
        {
            problems.Add($"it has {rule.Actions.Count} actions ({string.Join(", ", rule.Actions.Select(a => a.Type))}), not one forward");
        }

        var forward = rule.Actions.FirstOrDefault(a => a.Type == "forward");
        if (forward is null)
        {
            if (rule.Actions.Count == 1)
            {
                problems.Add($"its action is {rule.Actions[0].Type}, not forward");
            }

            return problems;
        }

        var groups = forward.Groups;
        if (!groups.Any(g => g.Arn == targetGroupArn))
        {
            problems.Add($"it does not forward to the service's target group {AwsArn.TargetGroupName(targetGroupArn)}");
        }

        if (!groups.Any(g => g.Arn == alternateArn))
        {
            problems.Add($"it does not forward to the alternate target group {AwsArn.TargetGroupName(alternateArn)}");
        }

        var others = groups.Where(g => g.Arn != targetGroupArn && g.Arn != alternateArn).Select(g => AwsArn.TargetGroupName(g.Arn)).ToList();
        if (others.Count > 0)
        {
            problems.Add($"it also forwards to {string.Join(", ", others)}");
        }
        else if (groups.Count == 2 && groups.Sum(g => g.Weight) != 100)
        {
            problems.Add($"its weights add up to {groups.Sum(g => g.Weight)}, not 100 (ECS moves traffic in percent)");
        }

        return problems;
    }

    /// <summary>Whether a rule in shape sends traffic to both groups: a deployment is shifting it, or someone edited the weights.</summary>
    public static bool SplitsTraffic(ListenerRule rule) => rule.Actions is [{ Type: "forward" } forward] && forward.Groups is [{ Weight: > 0 }, { Weight: > 0 }];

    /// <summary>
    /// The action that puts a rule in shape: the two groups at 100/0; at 0/100 when the rule now sends traffic only to the
    /// alternate (where ECS left the tasks after a deployment), so that bringing a rule in line never moves live traffic.
    /// </summary>
    public static ListenerAction Wanted(ListenerRule? rule, string targetGroupArn, string alternateArn)
    {
        var live = (rule?.Actions ?? []).Where(a => a.Type == "forward").SelectMany(a => a.Groups).Where(g => g.Weight > 0).Select(g => g.Arn).Distinct().ToList();
        var onAlternate = live is [var only] && only == alternateArn;
        return ListenerAction.WeightedForward([new WeightedTargetGroup(targetGroupArn, onAlternate ? 0 : 100), new WeightedTargetGroup(alternateArn, onAlternate ? 100 : 0)]);
    }

    /// <summary>The weights of a rule in shape, as "name weight, name weight".</summary>
    public static string Weights(ListenerRule rule) =>
        string.Join(", ", rule.Actions.SelectMany(a => a.Groups).Select(g => $"{AwsArn.TargetGroupName(g.Arn)} {g.Weight}"));
}
