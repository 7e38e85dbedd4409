using System.Globalization;
using System.Xml.Linq;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;
using static Cruddur.Core.Aws.XmlFields;

namespace Cruddur.Core.Aws.Clients;

/// <summary>An application load balancer as ELBv2 describes it.</summary>
internal sealed record LoadBalancer(string Arn, string Name, string Scheme, string DnsName, string CanonicalHostedZoneId, string VpcId, IReadOnlyList<string> SecurityGroups);

/// <summary>A target group; the health check fields are the ones the seed sets.</summary>
internal sealed record TargetGroup(string Arn, string Name, string Protocol, int Port, string TargetType, string? HealthCheckPath, int HealthyThreshold, IReadOnlyList<string> LoadBalancerArns);

/// <summary>A target group of a weighted forward and its weight (0 to 999; ECS writes percentages).</summary>
internal sealed record WeightedTargetGroup(string Arn, int Weight);

/// <summary>
/// A listener's or rule's action: forward to a target group, or redirect (protocol, port, status code). A forward names its
/// groups in <see cref="ForwardGroups"/> as ELB's ForwardConfig does (one group of weight 1 for a plain forward, as ELB
/// reports it); <see cref="TargetGroupArn"/> is the plain forward's group, or the first of a weighted one.
/// </summary>
internal sealed record ListenerAction(string Type, string? TargetGroupArn = null, string? RedirectProtocol = null, string? RedirectPort = null, string? RedirectStatusCode = null)
{
    /// <summary>Set for a forward with a ForwardConfig; a plain forward sent by the module leaves it empty.</summary>
    public IReadOnlyList<WeightedTargetGroup> ForwardGroups { get; init; } = [];

    public static ListenerAction Forward(string targetGroupArn) => new("forward", targetGroupArn);

    /// <summary>One forward to several groups by weight: the shape ECS's blue/green, linear and canary deployments shift traffic in.</summary>
    public static ListenerAction WeightedForward(IReadOnlyList<WeightedTargetGroup> groups) => new("forward", groups[0].Arn) { ForwardGroups = groups };

    public static ListenerAction Redirect(string protocol, int port) => new("redirect", null, protocol, port.ToString(CultureInfo.InvariantCulture), "HTTP_301");

    /// <summary>The groups a forward sends to with their weights, whichever way ELB wrote them; empty for other actions.</summary>
    public IReadOnlyList<WeightedTargetGroup> Groups =>
        Type != "forward" ? [] : ForwardGroups.Count > 0 ? ForwardGroups : TargetGroupArn is null ? [] : [new WeightedTargetGroup(TargetGroupArn, 1)];

    public override string ToString() => Type switch
    {
        "forward" when ForwardGroups.Count > 1 => "forward to " + string.Join(", ", ForwardGroups.Select(g => $"{AwsArn.TargetGroupName(g.Arn)} {g.Weight}")),
        "forward" => "forward to " + TargetGroupArn,
        "redirect" => $"{Type} to {RedirectProtocol}:{RedirectPort} ({RedirectStatusCode})",
        _ => Type,
    };
}

/// <summary>A rule condition the module writes: host-header or path-pattern with one value.</summary>
internal sealed record RuleCondition(string Field, string Value)
{
    public static RuleCondition Host(string host) => new("host-header", host);

    public static RuleCondition Path(string pattern) => new("path-pattern", pattern);

    /// <summary>Whether <paramref name="rule"/> has this condition and no other.</summary>
    public bool IsOnlyConditionOf(ListenerRule rule) =>
        rule.ConditionFields is [var field] && field == Field
        && (Field == "host-header" ? rule.HostHeaders : rule.PathPatterns) is [var value] && string.Equals(value, Value, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => (Field == "host-header" ? "Host " : "Path ") + Value;
}

/// <summary>A listener of a load balancer.</summary>
internal sealed record Listener(string Arn, string Protocol, int Port, IReadOnlyList<string> CertificateArns, IReadOnlyList<ListenerAction> DefaultActions);

/// <summary>A listener rule; the values of host-header and path-pattern conditions are read (the ones a URL is made of), the other conditions by field.</summary>
internal sealed record ListenerRule(string Arn, string Priority, bool IsDefault, IReadOnlyList<string> HostHeaders, IReadOnlyList<ListenerAction> Actions)
{
    public IReadOnlyList<string> PathPatterns { get; init; } = [];

    /// <summary>The field of each condition, in order (host-header, path-pattern, http-header, source-ip, ...).</summary>
    public IReadOnlyList<string> ConditionFields { get; init; } = [];
}

/// <summary>One target's health in a target group: healthy, unhealthy, initial, draining, unused…, with ELB's reason code.</summary>
internal sealed record TargetHealth(string Id, int? Port, string State, string? Reason, string? Description);

/// <summary>What a new target group is: HTTP, type ip, with a health check path and healthy threshold.</summary>
internal sealed record TargetGroupSpec(string Name, int Port, string VpcId, string HealthCheckPath, int HealthyThreshold);

/// <summary>The Elastic Load Balancing v2 calls the project makes.</summary>
internal interface IElbv2Client
{
    Task<LoadBalancer?> FindLoadBalancerAsync(string name, CancellationToken cancellationToken);

    /// <summary>The load balancers with these ARNs, or all of them when <paramref name="arns"/> is null.</summary>
    Task<IReadOnlyList<LoadBalancer>> ListLoadBalancersAsync(IReadOnlyList<string>? arns, CancellationToken cancellationToken);

    Task<LoadBalancer> CreateLoadBalancerAsync(string name, string scheme, IReadOnlyList<string> subnetIds, IReadOnlyList<string> securityGroupIds, CancellationToken cancellationToken);

    Task SetSecurityGroupsAsync(string loadBalancerArn, IReadOnlyList<string> securityGroupIds, CancellationToken cancellationToken);

    Task<TargetGroup?> FindTargetGroupAsync(string name, CancellationToken cancellationToken);

    /// <summary>The target groups with these ARNs, or all of them when <paramref name="arns"/> is null.</summary>
    Task<IReadOnlyList<TargetGroup>> ListTargetGroupsAsync(IReadOnlyList<string>? arns, CancellationToken cancellationToken);

    /// <summary>The target group with this ARN, or null when there is none.</summary>
    Task<TargetGroup?> GetTargetGroupAsync(string arn, CancellationToken cancellationToken);

    Task<TargetGroup> CreateTargetGroupAsync(TargetGroupSpec spec, CancellationToken cancellationToken);

    Task ModifyTargetGroupHealthCheckAsync(string targetGroupArn, string healthCheckPath, int healthyThreshold, CancellationToken cancellationToken);

    Task<IReadOnlyList<Listener>> ListListenersAsync(string loadBalancerArn, CancellationToken cancellationToken);

    Task<Listener> CreateListenerAsync(string loadBalancerArn, string protocol, int port, string? certificateArn, ListenerAction defaultAction, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken);

    Task ModifyListenerAsync(string listenerArn, string protocol, int port, string? certificateArn, ListenerAction defaultAction, CancellationToken cancellationToken);

    Task DeleteListenerAsync(string listenerArn, CancellationToken cancellationToken);

    Task<IReadOnlyList<ListenerRule>> ListRulesAsync(string listenerArn, CancellationToken cancellationToken);

    /// <summary>The rule with this ARN, or null when there is none.</summary>
    Task<ListenerRule?> FindRuleAsync(string ruleArn, CancellationToken cancellationToken);

    Task<ListenerRule> CreateRuleAsync(string listenerArn, int priority, RuleCondition condition, ListenerAction action, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken);

    /// <summary>Sets a rule's one condition and one action.</summary>
    Task ModifyRuleAsync(string ruleArn, RuleCondition condition, ListenerAction action, CancellationToken cancellationToken);

    /// <summary>The tags of each resource (load balancer, target group, listener, rule) by ARN; any number of ARNs.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> DescribeTagsAsync(IReadOnlyList<string> arns, CancellationToken cancellationToken);

    /// <summary>Adds (or overwrites) tags of one resource.</summary>
    Task AddTagsAsync(string arn, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

    Task<IReadOnlyList<TargetHealth>> DescribeTargetHealthAsync(string targetGroupArn, CancellationToken cancellationToken);
}

/// <summary>ELBv2 over the Query protocol, API 2015-12-01 (its AWSSDK package is not available here). Lists are flattened as Name.member.N.</summary>
internal sealed class Elbv2Client : IElbv2Client
{
    private readonly QueryProtocol _api;

    public Elbv2Client(AwsContext context, IOperationHost host) => _api = new QueryProtocol(context, AwsService.Elbv2, "2015-12-01", host);

    public async Task<LoadBalancer?> FindLoadBalancerAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.CallAsync("DescribeLoadBalancers", new Dictionary<string, string> { ["Names.member.1"] = name }, idempotent: true,
                r => Members(r, "LoadBalancers").Select(ToLoadBalancer).FirstOrDefault(), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "LoadBalancerNotFound")
        {
            return null;
        }
    }

    public Task<IReadOnlyList<LoadBalancer>> ListLoadBalancersAsync(IReadOnlyList<string>? arns, CancellationToken cancellationToken) =>
        ListAsync("DescribeLoadBalancers", ArnList("LoadBalancerArns", arns), "LoadBalancers", ToLoadBalancer, cancellationToken);

    public async Task<LoadBalancer> CreateLoadBalancerAsync(string name, string scheme, IReadOnlyList<string> subnetIds, IReadOnlyList<string> securityGroupIds, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["Name"] = name, ["Scheme"] = scheme, ["Type"] = "application", ["IpAddressType"] = "ipv4" };
        AddList(form, "Subnets", subnetIds);
        AddList(form, "SecurityGroups", securityGroupIds);
        // Idempotent: creating a load balancer that exists with the same settings returns it.
        return await _api.CallAsync("CreateLoadBalancer", form, idempotent: true, r => ToLoadBalancer(Members(r, "LoadBalancers").First()), cancellationToken).ConfigureAwait(false);
    }

    public Task SetSecurityGroupsAsync(string loadBalancerArn, IReadOnlyList<string> securityGroupIds, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["LoadBalancerArn"] = loadBalancerArn };
        AddList(form, "SecurityGroups", securityGroupIds);
        return _api.CallAsync("SetSecurityGroups", form, idempotent: true, cancellationToken);
    }

    public async Task<TargetGroup?> FindTargetGroupAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.CallAsync("DescribeTargetGroups", new Dictionary<string, string> { ["Names.member.1"] = name }, idempotent: true,
                r => Members(r, "TargetGroups").Select(ToTargetGroup).FirstOrDefault(), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "TargetGroupNotFound")
        {
            return null;
        }
    }

    public Task<IReadOnlyList<TargetGroup>> ListTargetGroupsAsync(IReadOnlyList<string>? arns, CancellationToken cancellationToken) =>
        ListAsync("DescribeTargetGroups", ArnList("TargetGroupArns", arns), "TargetGroups", ToTargetGroup, cancellationToken);

    public async Task<TargetGroup?> GetTargetGroupAsync(string arn, CancellationToken cancellationToken)
    {
        try
        {
            return (await ListTargetGroupsAsync([arn], cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        }
        catch (AwsServiceException e) when (e.ErrorCode == "TargetGroupNotFound")
        {
            return null;
        }
    }

    public async Task<TargetGroup> CreateTargetGroupAsync(TargetGroupSpec spec, CancellationToken cancellationToken)
    {
        // Idempotent: creating a target group that exists with the same settings returns it.
        return await _api.CallAsync("CreateTargetGroup", new Dictionary<string, string>
        {
            ["Name"] = spec.Name,
            ["Protocol"] = "HTTP",
            ["Port"] = Text(spec.Port),
            ["VpcId"] = spec.VpcId,
            ["TargetType"] = "ip",
            ["IpAddressType"] = "ipv4",
            ["HealthCheckProtocol"] = "HTTP",
            ["HealthCheckPath"] = spec.HealthCheckPath,
            ["HealthyThresholdCount"] = Text(spec.HealthyThreshold),
        }, idempotent: true, r => ToTargetGroup(Members(r, "TargetGroups").First()), cancellationToken).ConfigureAwait(false);
    }

    public Task ModifyTargetGroupHealthCheckAsync(string targetGroupArn, string healthCheckPath, int healthyThreshold, CancellationToken cancellationToken) =>
        _api.CallAsync("ModifyTargetGroup", new Dictionary<string, string>
        {
            ["TargetGroupArn"] = targetGroupArn,
            ["HealthCheckPath"] = healthCheckPath,
            ["HealthyThresholdCount"] = Text(healthyThreshold),
        }, idempotent: true, cancellationToken);

    public Task<IReadOnlyList<Listener>> ListListenersAsync(string loadBalancerArn, CancellationToken cancellationToken) =>
        ListAsync("DescribeListeners", new Dictionary<string, string> { ["LoadBalancerArn"] = loadBalancerArn }, "Listeners", ToListener, cancellationToken);

    public async Task<Listener> CreateListenerAsync(string loadBalancerArn, string protocol, int port, string? certificateArn, ListenerAction defaultAction, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        var form = ListenerForm("LoadBalancerArn", loadBalancerArn, protocol, port, certificateArn, defaultAction);
        AddTags(form, tags);
        // Not idempotent: after a 5xx the listener may exist, and a repeat fails with DuplicateListener.
        return await _api.CallAsync("CreateListener", form, idempotent: false, r => ToListener(Members(r, "Listeners").First()), cancellationToken).ConfigureAwait(false);
    }

    public Task ModifyListenerAsync(string listenerArn, string protocol, int port, string? certificateArn, ListenerAction defaultAction, CancellationToken cancellationToken) =>
        _api.CallAsync("ModifyListener", ListenerForm("ListenerArn", listenerArn, protocol, port, certificateArn, defaultAction), idempotent: true, cancellationToken);

    public Task DeleteListenerAsync(string listenerArn, CancellationToken cancellationToken) =>
        _api.CallAsync("DeleteListener", new Dictionary<string, string> { ["ListenerArn"] = listenerArn }, idempotent: true, cancellationToken);

    public Task<IReadOnlyList<ListenerRule>> ListRulesAsync(string listenerArn, CancellationToken cancellationToken) =>
        ListAsync("DescribeRules", new Dictionary<string, string> { ["ListenerArn"] = listenerArn }, "Rules", ToRule, cancellationToken);

    public async Task<ListenerRule?> FindRuleAsync(string ruleArn, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.CallAsync("DescribeRules", new Dictionary<string, string> { ["RuleArns.member.1"] = ruleArn }, idempotent: true,
                r => Members(r, "Rules").Select(ToRule).FirstOrDefault(), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode is "RuleNotFound" or "ListenerNotFound" or "LoadBalancerNotFound")
        {
            return null;
        }
    }

    public async Task<ListenerRule> CreateRuleAsync(string listenerArn, int priority, RuleCondition condition, ListenerAction action, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        var form = RuleForm("ListenerArn", listenerArn, condition, action);
        form["Priority"] = Text(priority);
        AddTags(form, tags);
        // Not idempotent: after a 5xx the rule may exist, and a repeat fails with PriorityInUse.
        return await _api.CallAsync("CreateRule", form, idempotent: false, r => ToRule(Members(r, "Rules").First()), cancellationToken).ConfigureAwait(false);
    }

    public Task ModifyRuleAsync(string ruleArn, RuleCondition condition, ListenerAction action, CancellationToken cancellationToken) =>
        _api.CallAsync("ModifyRule", RuleForm("RuleArn", ruleArn, condition, action), idempotent: true, cancellationToken);

    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> DescribeTagsAsync(IReadOnlyList<string> arns, CancellationToken cancellationToken)
    {
        var tags = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        // DescribeTags takes at most 20 ARNs a call.
        foreach (var chunk in arns.Chunk(20))
        {
            var form = new Dictionary<string, string>();
            AddList(form, "ResourceArns", chunk);
            var page = await _api.CallAsync("DescribeTags", form, idempotent: true, r => Members(r, "TagDescriptions").Select(d => (
                Arn: Field(d, "ResourceArn") ?? "",
                Tags: (IReadOnlyDictionary<string, string>)Members(d, "Tags").GroupBy(t => Field(t, "Key") ?? "").ToDictionary(g => g.Key, g => Field(g.Last(), "Value") ?? "", StringComparer.Ordinal))).ToList(),
                cancellationToken).ConfigureAwait(false);
            foreach (var (arn, resourceTags) in page)
            {
                tags[arn] = resourceTags;
            }
        }

        return tags;
    }

    public Task AddTagsAsync(string arn, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["ResourceArns.member.1"] = arn };
        AddTags(form, tags);
        return _api.CallAsync("AddTags", form, idempotent: true, cancellationToken);
    }

    public Task<IReadOnlyList<TargetHealth>> DescribeTargetHealthAsync(string targetGroupArn, CancellationToken cancellationToken) =>
        _api.CallAsync("DescribeTargetHealth", new Dictionary<string, string> { ["TargetGroupArn"] = targetGroupArn }, idempotent: true,
            r => (IReadOnlyList<TargetHealth>)Members(r, "TargetHealthDescriptions").Select(d =>
            {
                var target = Child(d, "Target");
                var health = Child(d, "TargetHealth");
                return new TargetHealth(Field(target, "Id") ?? "", int.TryParse(Field(target, "Port"), CultureInfo.InvariantCulture, out var port) ? port : null,
                    Field(health, "State") ?? "unknown", Field(health, "Reason"), Field(health, "Description"));
            }).ToList(), cancellationToken);

    private async Task<IReadOnlyList<T>> ListAsync<T>(string action, Dictionary<string, string> form, string listName, Func<XElement, T> map, CancellationToken cancellationToken) =>
        await AwsPaginator.AllAsync(marker =>
        {
            var page = new Dictionary<string, string>(form);
            if (marker is not null)
            {
                page["Marker"] = marker;
            }

            return _api.CallAsync(action, page, idempotent: true, r => new AwsPage<T>(Members(r, listName).Select(map).ToList(), Field(r, "NextMarker")), cancellationToken);
        }, "ELBv2 " + action).ConfigureAwait(false);

    private static Dictionary<string, string> ListenerForm(string key, string arn, string protocol, int port, string? certificateArn, ListenerAction action)
    {
        var form = new Dictionary<string, string> { [key] = arn, ["Protocol"] = protocol, ["Port"] = Text(port) };
        if (certificateArn is not null)
        {
            form["Certificates.member.1.CertificateArn"] = certificateArn;
        }

        AddAction(form, "DefaultActions.member.1.", action);
        return form;
    }

    private static Dictionary<string, string> RuleForm(string key, string arn, RuleCondition condition, ListenerAction action)
    {
        var config = condition.Field == "host-header" ? "HostHeaderConfig" : "PathPatternConfig";
        var form = new Dictionary<string, string>
        {
            [key] = arn,
            ["Conditions.member.1.Field"] = condition.Field,
            [$"Conditions.member.1.{config}.Values.member.1"] = condition.Value,
        };
        AddAction(form, "Actions.member.1.", action);
        return form;
    }

    private static void AddTags(Dictionary<string, string> form, IReadOnlyDictionary<string, string>? tags)
    {
        var i = 0;
        foreach (var (key, value) in tags ?? new Dictionary<string, string>())
        {
            i++;
            form[$"Tags.member.{i}.Key"] = key;
            form[$"Tags.member.{i}.Value"] = value;
        }
    }

    private static void AddAction(Dictionary<string, string> form, string prefix, ListenerAction action)
    {
        form[prefix + "Type"] = action.Type;
        if (action.ForwardGroups.Count > 0)
        {
            // A weighted forward is a ForwardConfig alone: TargetGroupArn may only accompany a single group.
            for (var i = 0; i < action.ForwardGroups.Count; i++)
            {
                form[$"{prefix}ForwardConfig.TargetGroups.member.{i + 1}.TargetGroupArn"] = action.ForwardGroups[i].Arn;
                form[$"{prefix}ForwardConfig.TargetGroups.member.{i + 1}.Weight"] = Text(action.ForwardGroups[i].Weight);
            }
        }
        else if (action.TargetGroupArn is not null)
        {
            form[prefix + "TargetGroupArn"] = action.TargetGroupArn;
        }

        if (action.Type == "redirect")
        {
            form[prefix + "RedirectConfig.Protocol"] = action.RedirectProtocol!;
            form[prefix + "RedirectConfig.Port"] = action.RedirectPort!;
            form[prefix + "RedirectConfig.StatusCode"] = action.RedirectStatusCode!;
        }
    }

    private static Dictionary<string, string> ArnList(string name, IReadOnlyList<string>? arns)
    {
        var form = new Dictionary<string, string>();
        AddList(form, name, arns ?? []);
        return form;
    }

    private static void AddList(Dictionary<string, string> form, string name, IReadOnlyList<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            form[$"{name}.member.{i + 1}"] = values[i];
        }
    }

    private static LoadBalancer ToLoadBalancer(XElement e) => new(
        Field(e, "LoadBalancerArn")!, Field(e, "LoadBalancerName")!, Field(e, "Scheme") ?? "", Field(e, "DNSName") ?? "", Field(e, "CanonicalHostedZoneId") ?? "",
        Field(e, "VpcId") ?? "", Members(e, "SecurityGroups").Select(m => m.Value).ToList());

    private static TargetGroup ToTargetGroup(XElement e) => new(
        Field(e, "TargetGroupArn")!, Field(e, "TargetGroupName")!, Field(e, "Protocol") ?? "", int.Parse(Field(e, "Port") ?? "0", CultureInfo.InvariantCulture),
        Field(e, "TargetType") ?? "", Field(e, "HealthCheckPath"), int.Parse(Field(e, "HealthyThresholdCount") ?? "0", CultureInfo.InvariantCulture),
        Members(e, "LoadBalancerArns").Select(m => m.Value).ToList());

    private static Listener ToListener(XElement e) => new(
        Field(e, "ListenerArn")!, Field(e, "Protocol") ?? "", int.Parse(Field(e, "Port") ?? "0", CultureInfo.InvariantCulture),
        Members(e, "Certificates").Select(c => Field(c, "CertificateArn")).OfType<string>().ToList(),
        Members(e, "DefaultActions").Select(ToAction).ToList());

    private static ListenerRule ToRule(XElement e) => new(
        Field(e, "RuleArn")!, Field(e, "Priority") ?? "", Field(e, "IsDefault") == "true", ConditionValues(e, "host-header", "HostHeaderConfig"),
        Members(e, "Actions").Select(ToAction).ToList())
    {
        PathPatterns = ConditionValues(e, "path-pattern", "PathPatternConfig"),
        ConditionFields = Members(e, "Conditions").Select(c => Field(c, "Field") ?? "").ToList(),
    };

    // A condition's values come in its XxxConfig, or in the older flat Values list, or both.
    private static List<string> ConditionValues(XElement rule, string field, string config) =>
        Members(rule, "Conditions").Where(c => Field(c, "Field") == field)
            .SelectMany(c => Members(Child(c, config), "Values").Concat(Members(c, "Values")).Select(v => v.Value)).Distinct().ToList();

    private static ListenerAction ToAction(XElement e)
    {
        var redirect = Child(e, "RedirectConfig");
        // Newer answers also carry ForwardConfig; with one target group its TargetGroupArn is the same. A weighted forward has only ForwardConfig.
        var groups = Members(Child(Child(e, "ForwardConfig"), "TargetGroups"), null)
            .Select(t => new WeightedTargetGroup(Field(t, "TargetGroupArn") ?? "", int.TryParse(Field(t, "Weight"), CultureInfo.InvariantCulture, out var w) ? w : 1)).ToList();
        var targetGroup = Field(e, "TargetGroupArn") ?? groups.Select(g => g.Arn).FirstOrDefault();
        return new ListenerAction(Field(e, "Type") ?? "", targetGroup, Field(redirect, "Protocol"), Field(redirect, "Port"), Field(redirect, "StatusCode")) { ForwardGroups = groups };
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
