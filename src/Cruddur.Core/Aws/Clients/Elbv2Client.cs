using System.Globalization;
using System.Xml.Linq;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;
using static Cruddur.Core.Aws.XmlFields;

namespace Cruddur.Core.Aws.Clients;

/// <summary>An application load balancer as ELBv2 describes it.</summary>
public sealed record LoadBalancer(string Arn, string Name, string Scheme, string DnsName, string CanonicalHostedZoneId, string VpcId, IReadOnlyList<string> SecurityGroups);

/// <summary>A target group; the health check fields are the ones the seed sets.</summary>
public sealed record TargetGroup(string Arn, string Name, string Protocol, int Port, string TargetType, string? HealthCheckPath, int HealthyThreshold, IReadOnlyList<string> LoadBalancerArns);

/// <summary>A listener's or rule's action: forward to a target group, or redirect (protocol, port, status code).</summary>
public sealed record ListenerAction(string Type, string? TargetGroupArn = null, string? RedirectProtocol = null, string? RedirectPort = null, string? RedirectStatusCode = null)
{
    public static ListenerAction Forward(string targetGroupArn) => new("forward", targetGroupArn);

    public static ListenerAction Redirect(string protocol, int port) => new("redirect", null, protocol, port.ToString(CultureInfo.InvariantCulture), "HTTP_301");

    public override string ToString() => Type == "forward" ? "forward to " + TargetGroupArn : $"{Type} to {RedirectProtocol}:{RedirectPort} ({RedirectStatusCode})";
}

/// <summary>A listener of a load balancer.</summary>
public sealed record Listener(string Arn, string Protocol, int Port, IReadOnlyList<string> CertificateArns, IReadOnlyList<ListenerAction> DefaultActions);

/// <summary>A listener rule; only host-header and path-pattern conditions are read (the ones a URL is made of).</summary>
public sealed record ListenerRule(string Arn, string Priority, bool IsDefault, IReadOnlyList<string> HostHeaders, IReadOnlyList<ListenerAction> Actions)
{
    public IReadOnlyList<string> PathPatterns { get; init; } = [];
}

/// <summary>One target's health in a target group: healthy, unhealthy, initial, draining, unused…, with ELB's reason code.</summary>
public sealed record TargetHealth(string Id, int? Port, string State, string? Reason, string? Description);

/// <summary>What a new target group is: HTTP, type ip, with a health check path and healthy threshold.</summary>
public sealed record TargetGroupSpec(string Name, int Port, string VpcId, string HealthCheckPath, int HealthyThreshold);

/// <summary>The Elastic Load Balancing v2 calls the project makes.</summary>
public interface IElbv2Client
{
    Task<LoadBalancer?> FindLoadBalancerAsync(string name, CancellationToken cancellationToken);

    /// <summary>The load balancers with these ARNs, or all of them when <paramref name="arns"/> is null.</summary>
    Task<IReadOnlyList<LoadBalancer>> ListLoadBalancersAsync(IReadOnlyList<string>? arns, CancellationToken cancellationToken);

    Task<LoadBalancer> CreateLoadBalancerAsync(string name, string scheme, IReadOnlyList<string> subnetIds, IReadOnlyList<string> securityGroupIds, CancellationToken cancellationToken);

    Task SetSecurityGroupsAsync(string loadBalancerArn, IReadOnlyList<string> securityGroupIds, CancellationToken cancellationToken);

    Task<TargetGroup?> FindTargetGroupAsync(string name, CancellationToken cancellationToken);

    /// <summary>The target groups with these ARNs, or all of them when <paramref name="arns"/> is null.</summary>
    Task<IReadOnlyList<TargetGroup>> ListTargetGroupsAsync(IReadOnlyList<string>? arns, CancellationToken cancellationToken);

    Task<TargetGroup> CreateTargetGroupAsync(TargetGroupSpec spec, CancellationToken cancellationToken);

    Task ModifyTargetGroupHealthCheckAsync(string targetGroupArn, string healthCheckPath, int healthyThreshold, CancellationToken cancellationToken);

    Task<IReadOnlyList<Listener>> ListListenersAsync(string loadBalancerArn, CancellationToken cancellationToken);

    Task<Listener> CreateListenerAsync(string loadBalancerArn, string protocol, int port, string? certificateArn, ListenerAction defaultAction, CancellationToken cancellationToken);

    Task ModifyListenerAsync(string listenerArn, string protocol, int port, string? certificateArn, ListenerAction defaultAction, CancellationToken cancellationToken);

    Task DeleteListenerAsync(string listenerArn, CancellationToken cancellationToken);

    Task<IReadOnlyList<ListenerRule>> ListRulesAsync(string listenerArn, CancellationToken cancellationToken);

    Task<ListenerRule> CreateHostRuleAsync(string listenerArn, int priority, string host, ListenerAction action, CancellationToken cancellationToken);

    Task ModifyHostRuleAsync(string ruleArn, string host, ListenerAction action, CancellationToken cancellationToken);

    Task<IReadOnlyList<TargetHealth>> DescribeTargetHealthAsync(string targetGroupArn, CancellationToken cancellationToken);
}

/// <summary>ELBv2 over the Query protocol, API 2015-12-01 (its AWSSDK package is not available here). Lists are flattened as Name.member.N.</summary>
public sealed class Elbv2Client : IElbv2Client
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

    public async Task<Listener> CreateListenerAsync(string loadBalancerArn, string protocol, int port, string? certificateArn, ListenerAction defaultAction, CancellationToken cancellationToken)
    {
        var form = ListenerForm("LoadBalancerArn", loadBalancerArn, protocol, port, certificateArn, defaultAction);
        // Not idempotent: after a 5xx the listener may exist, and a repeat fails with DuplicateListener.
        return await _api.CallAsync("CreateListener", form, idempotent: false, r => ToListener(Members(r, "Listeners").First()), cancellationToken).ConfigureAwait(false);
    }

    public Task ModifyListenerAsync(string listenerArn, string protocol, int port, string? certificateArn, ListenerAction defaultAction, CancellationToken cancellationToken) =>
        _api.CallAsync("ModifyListener", ListenerForm("ListenerArn", listenerArn, protocol, port, certificateArn, defaultAction), idempotent: true, cancellationToken);

    public Task DeleteListenerAsync(string listenerArn, CancellationToken cancellationToken) =>
        _api.CallAsync("DeleteListener", new Dictionary<string, string> { ["ListenerArn"] = listenerArn }, idempotent: true, cancellationToken);

    public Task<IReadOnlyList<ListenerRule>> ListRulesAsync(string listenerArn, CancellationToken cancellationToken) =>
        ListAsync("DescribeRules", new Dictionary<string, string> { ["ListenerArn"] = listenerArn }, "Rules", ToRule, cancellationToken);

    public async Task<ListenerRule> CreateHostRuleAsync(string listenerArn, int priority, string host, ListenerAction action, CancellationToken cancellationToken)
    {
        var form = RuleForm("ListenerArn", listenerArn, host, action);
        form["Priority"] = Text(priority);
        return await _api.CallAsync("CreateRule", form, idempotent: false, r => ToRule(Members(r, "Rules").First()), cancellationToken).ConfigureAwait(false);
    }

    public Task ModifyHostRuleAsync(string ruleArn, string host, ListenerAction action, CancellationToken cancellationToken) =>
        _api.CallAsync("ModifyRule", RuleForm("RuleArn", ruleArn, host, action), idempotent: true, cancellationToken);

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

    private static Dictionary<string, string> RuleForm(string key, string arn, string host, ListenerAction action)
    {
        var form = new Dictionary<string, string>
        {
            [key] = arn,
            ["Conditions.member.1.Field"] = "host-header",
            ["Conditions.member.1.HostHeaderConfig.Values.member.1"] = host,
        };
        AddAction(form, "Actions.member.1.", action);
        return form;
    }

    private static void AddAction(Dictionary<string, string> form, string prefix, ListenerAction action)
    {
        form[prefix + "Type"] = action.Type;
        if (action.TargetGroupArn is not null)
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
    };

    // A condition's values come in its XxxConfig, or in the older flat Values list, or both.
    private static List<string> ConditionValues(XElement rule, string field, string config) =>
        Members(rule, "Conditions").Where(c => Field(c, "Field") == field)
            .SelectMany(c => Members(Child(c, config), "Values").Concat(Members(c, "Values")).Select(v => v.Value)).Distinct().ToList();

    private static ListenerAction ToAction(XElement e)
    {
        var redirect = Child(e, "RedirectConfig");
        // Newer answers also carry ForwardConfig; with one target group its TargetGroupArn is the same.
        var targetGroup = Field(e, "TargetGroupArn") ?? Members(Child(Child(e, "ForwardConfig"), "TargetGroups"), null).Select(t => Field(t, "TargetGroupArn")).FirstOrDefault();
        return new ListenerAction(Field(e, "Type") ?? "", targetGroup, Field(redirect, "Protocol"), Field(redirect, "Port"), Field(redirect, "StatusCode"));
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
