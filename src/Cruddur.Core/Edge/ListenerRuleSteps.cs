using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Edge;

/// <summary>
/// A rule of one of the plan's HTTPS listeners that forwards a service's traffic: the seed's Host api.&lt;domain&gt; to the
/// backend, and on a blue/green edge also a catch-all Path /* to the frontend and the same two on the test listener.
/// Without an alternate group (Rolling) the rule forwards to the service's group, and a rule that already forwards to it
/// and one other group by weight is left as it is: ECS shifts traffic there, and undoing that could send production to
/// an empty group. With an alternate group the rule takes the shape of <see cref="TrafficRules"/>, carries its Name tag
/// (found by it first, then by its condition), and a rule in another shape is brought into it without moving live traffic.
/// </summary>
internal sealed class ForwardRuleStep : InfrastructureStep
{
    /// <summary>Host rules take the first free priority from here (the seed's console flow gives its one rule a low number).</summary>
    private const int FirstPriority = 10;

    /// <summary>ELB's last priority: a catch-all rule there lets every other rule go first.</summary>
    private const int LastPriority = 50000;

    private readonly IElbv2Client _elb;
    private readonly EdgeState _state;
    private readonly int _port;
    private readonly RuleCondition _condition;
    private readonly Func<string?> _targetGroup;
    private readonly Func<string?>? _alternate;
    private readonly string _alternateName;
    private readonly string? _nameTag;
    private ListenerRule? _found;
    private bool _tagMissing;

    /// <param name="alternate">The alternate group's ARN (asked when the step runs); null for a rolling rule.</param>
    /// <param name="alternateName">Names the alternate in what the step reports before the group exists (-WhatIf).</param>
    /// <param name="nameTag">The rule's Name tag on a blue/green edge: service files name the rule by it.</param>
    public ForwardRuleStep(IElbv2Client elb, EdgeState state, int listenerPort, RuleCondition condition, Func<string?> targetGroup,
        Func<string?>? alternate = null, string alternateName = "", string? nameTag = null)
        : base("ListenerRule", (listenerPort == 443 ? string.Empty : $"HTTPS:{listenerPort} ") + condition)
    {
        _elb = elb;
        _state = state;
        _port = listenerPort;
        _condition = condition;
        _targetGroup = targetGroup;
        _alternate = alternate;
        _alternateName = alternateName;
        _nameTag = nameTag;
    }

    private bool CatchAll => _condition.Field == "path-pattern";

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        if (!_state.ListenerArns.TryGetValue(_port, out var listener))
        {
            return null;
        }

        var rules = (await _elb.ListRulesAsync(listener, cancellationToken).ConfigureAwait(false)).Where(r => !r.IsDefault).ToList();
        ListenerRule? rule = null;
        if (_nameTag is not null && rules.Count > 0)
        {
            var tags = await _elb.DescribeTagsAsync(rules.Select(r => r.Arn).ToList(), cancellationToken).ConfigureAwait(false);
            rule = rules.FirstOrDefault(r => tags.GetValueOrDefault(r.Arn)?.GetValueOrDefault("Name") == _nameTag);
        }

        _tagMissing = _nameTag is not null && rule is null;
        rule ??= rules.FirstOrDefault(HasCondition);
        _found = rule;
        if (rule is null)
        {
            return null;
        }

        var target = _targetGroup();
        return _alternate is null ? Rolling(rule, target) : BlueGreen(rule, target ?? "(not created yet)", _alternate() ?? _alternateName);
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var listener = _state.ListenerArns[_port];
        var used = (await _elb.ListRulesAsync(listener, cancellationToken).ConfigureAwait(false)).Select(r => int.TryParse(r.Priority, out var p) ? p : -1).ToHashSet();
        var priority = CatchAll ? LastPriority : FirstPriority;
        while (used.Contains(priority))
        {
            priority += CatchAll ? -1 : 1;
        }

        var tags = _nameTag is null ? null : new Dictionary<string, string> { ["Name"] = _nameTag };
        return (await _elb.CreateRuleAsync(listener, priority, _condition, Wanted(null), tags, cancellationToken).ConfigureAwait(false)).Arn;
    }

    internal override async Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken)
    {
        var wanted = Wanted(_found);
        if (_found is null || _found.Actions.Count != 1 || !ListenerStep.SameAction(_found.Actions[0], wanted) || !_condition.IsOnlyConditionOf(_found))
        {
            await _elb.ModifyRuleAsync(found.Id, _condition, wanted, cancellationToken).ConfigureAwait(false);
        }

        if (_tagMissing)
        {
            await _elb.AddTagsAsync(found.Id, new Dictionary<string, string> { ["Name"] = _nameTag! }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The seed's match for a host rule (any rule with that host); a catch-all is a path rule without a host.</summary>
    private bool HasCondition(ListenerRule rule) => CatchAll
        ? rule.HostHeaders.Count == 0 && rule.PathPatterns.Contains(_condition.Value, StringComparer.Ordinal)
        : rule.HostHeaders.Contains(_condition.Value, StringComparer.OrdinalIgnoreCase);

    private static ObservedResource Rolling(ListenerRule rule, string? target)
    {
        if (target is not null && rule.Actions is [{ Type: "forward" } forward] && forward.Groups.Count == 2 && forward.Groups.Any(g => g.Arn == target))
        {
            return new ObservedResource(rule.Arn, Detail: $"priority {rule.Priority}, {forward}: ECS shifts traffic here, left as it is");
        }

        var same = target is not null && rule.Actions.Count == 1 && ListenerStep.SameAction(rule.Actions[0], ListenerAction.Forward(target));
        return new ObservedResource(rule.Arn, same ? null : $"action {string.Join(", ", rule.Actions)} -> forward to {target}", $"priority {rule.Priority}, forward to {target}");
    }

    private ObservedResource BlueGreen(ListenerRule rule, string target, string alternate)
    {
        var drift = TrafficRules.Problems(rule, target, alternate).ToList();
        if (!_condition.IsOnlyConditionOf(rule))
        {
            drift.Add($"conditions -> {_condition} only");
        }

        if (_tagMissing)
        {
            drift.Add("no Name tag " + _nameTag);
        }

        if (drift.Count > 0)
        {
            return new ObservedResource(rule.Arn, $"{string.Join("; ", drift)} -> {TrafficRules.Wanted(rule, target, alternate)}{(_tagMissing ? ", Name " + _nameTag : string.Empty)}");
        }

        var split = TrafficRules.SplitsTraffic(rule) ? " (traffic split: a deployment is shifting it)" : string.Empty;
        return new ObservedResource(rule.Arn, Detail: $"priority {rule.Priority}, Name {_nameTag}, forward to {TrafficRules.Weights(rule)}{split}");
    }

    private ListenerAction Wanted(ListenerRule? rule)
    {
        var target = _targetGroup() ?? throw new InvalidOperationException($"The target group of {Name} is created by an earlier step.");
        return _alternate is null
            ? ListenerAction.Forward(target)
            : TrafficRules.Wanted(rule, target, _alternate() ?? throw new InvalidOperationException($"The alternate target group of {Name} is created by an earlier step."));
    }
}
