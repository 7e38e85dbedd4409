using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Tests.Aws;

/// <summary>A base for scripted ELBv2 clients: a test overrides the calls it expects; any other call fails the test.</summary>
internal abstract class ScriptedElbv2Client : IElbv2Client
{
    public virtual Task<LoadBalancer?> FindLoadBalancerAsync(string name, CancellationToken cancellationToken) => Unexpected<LoadBalancer?>();

    public virtual Task<IReadOnlyList<LoadBalancer>> ListLoadBalancersAsync(IReadOnlyList<string>? arns, CancellationToken cancellationToken) => Unexpected<IReadOnlyList<LoadBalancer>>();

    public virtual Task<LoadBalancer> CreateLoadBalancerAsync(string name, string scheme, IReadOnlyList<string> subnetIds, IReadOnlyList<string> securityGroupIds, CancellationToken cancellationToken) => Unexpected<LoadBalancer>();

    public virtual Task SetSecurityGroupsAsync(string loadBalancerArn, IReadOnlyList<string> securityGroupIds, CancellationToken cancellationToken) => Unexpected<bool>();

    public virtual Task<TargetGroup?> FindTargetGroupAsync(string name, CancellationToken cancellationToken) => Unexpected<TargetGroup?>();

    public virtual Task<IReadOnlyList<TargetGroup>> ListTargetGroupsAsync(IReadOnlyList<string>? arns, CancellationToken cancellationToken) => Unexpected<IReadOnlyList<TargetGroup>>();

    public virtual Task<TargetGroup?> GetTargetGroupAsync(string arn, CancellationToken cancellationToken) => Unexpected<TargetGroup?>();

    public virtual Task<TargetGroup> CreateTargetGroupAsync(TargetGroupSpec spec, CancellationToken cancellationToken) => Unexpected<TargetGroup>();

    public virtual Task ModifyTargetGroupHealthCheckAsync(string targetGroupArn, string healthCheckPath, int healthyThreshold, CancellationToken cancellationToken) => Unexpected<bool>();

    public virtual Task<IReadOnlyList<Listener>> ListListenersAsync(string loadBalancerArn, CancellationToken cancellationToken) => Unexpected<IReadOnlyList<Listener>>();

    public virtual Task<Listener> CreateListenerAsync(string loadBalancerArn, string protocol, int port, string? certificateArn, ListenerAction defaultAction, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken) => Unexpected<Listener>();

    public virtual Task ModifyListenerAsync(string listenerArn, string protocol, int port, string? certificateArn, ListenerAction defaultAction, CancellationToken cancellationToken) => Unexpected<bool>();

    public virtual Task DeleteListenerAsync(string listenerArn, CancellationToken cancellationToken) => Unexpected<bool>();

    public virtual Task<IReadOnlyList<ListenerRule>> ListRulesAsync(string listenerArn, CancellationToken cancellationToken) => Unexpected<IReadOnlyList<ListenerRule>>();

    public virtual Task<ListenerRule?> FindRuleAsync(string ruleArn, CancellationToken cancellationToken) => Unexpected<ListenerRule?>();

    public virtual Task<ListenerRule> CreateRuleAsync(string listenerArn, int priority, RuleCondition condition, ListenerAction action, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken) => Unexpected<ListenerRule>();

    public virtual Task ModifyRuleAsync(string ruleArn, RuleCondition condition, ListenerAction action, CancellationToken cancellationToken) => Unexpected<bool>();

    public virtual Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> DescribeTagsAsync(IReadOnlyList<string> arns, CancellationToken cancellationToken) => Unexpected<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>>();

    public virtual Task AddTagsAsync(string arn, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) => Unexpected<bool>();

    public virtual Task<IReadOnlyList<TargetHealth>> DescribeTargetHealthAsync(string targetGroupArn, CancellationToken cancellationToken) => Unexpected<IReadOnlyList<TargetHealth>>();

    private static Task<T> Unexpected<T>([System.Runtime.CompilerServices.CallerMemberName] string call = "") =>
        throw new Xunit.Sdk.XunitException($"Unexpected ELBv2 call {call}");
}
