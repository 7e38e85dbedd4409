using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Edge;

/// <summary>
/// A listener the plan owns: 80 redirecting to 443, or 443 HTTPS with the certificate forwarding to the frontend.
/// The wanted certificate and action are asked when the step runs, as their ARNs are only known then.
/// </summary>
internal sealed class ListenerStep : InfrastructureStep
{
    private readonly IElbv2Client _elb;
    private readonly EdgeState _state;
    private readonly string _protocol;
    private readonly int _port;
    private readonly Func<string?> _certificate;
    private readonly Func<ListenerAction?> _action;

    public ListenerStep(IElbv2Client elb, EdgeState state, string protocol, int port, Func<string?> certificate, Func<ListenerAction?> action)
        : base("Listener", $"{protocol}:{port}")
    {
        _elb = elb;
        _state = state;
        _protocol = protocol;
        _port = port;
        _certificate = certificate;
        _action = action;
    }

    public override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        if (_state.LoadBalancer is null)
        {
            return null; // not created (-WhatIf): neither are its listeners
        }

        var listener = (await _elb.ListListenersAsync(_state.LoadBalancer.Arn, cancellationToken).ConfigureAwait(false)).FirstOrDefault(l => l.Port == _port);
        if (listener is null)
        {
            return null;
        }

        Remember(listener.Arn);
        var drift = new List<string>();
        if (listener.Protocol != _protocol)
        {
            drift.Add($"protocol {listener.Protocol} -> {_protocol}");
        }

        var certificate = _certificate();
        if (certificate is not null && !listener.CertificateArns.Contains(certificate))
        {
            drift.Add("certificate -> " + certificate);
        }

        var action = _action();
        if (action is null || listener.DefaultActions.Count != 1 || !SameAction(listener.DefaultActions[0], action))
        {
            drift.Add($"default action {string.Join(", ", listener.DefaultActions)} -> {(object?)action ?? "(not known yet)"}");
        }

        return new ObservedResource(listener.Arn, drift.Count == 0 ? null : string.Join("; ", drift), action?.ToString());
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var listener = await _elb.CreateListenerAsync(_state.LoadBalancer!.Arn, _protocol, _port, _certificate(), Wanted(), cancellationToken).ConfigureAwait(false);
        Remember(listener.Arn);
        return listener.Arn;
    }

    public override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) =>
        _elb.ModifyListenerAsync(found.Id, _protocol, _port, _certificate(), Wanted(), cancellationToken);

    /// <summary>Equal as far as the plan cares (the status code and the redirect's other fields keep their defaults).</summary>
    internal static bool SameAction(ListenerAction have, ListenerAction want) =>
        have.Type == want.Type && have.TargetGroupArn == want.TargetGroupArn
        && (want.Type != "redirect" || (have.RedirectProtocol == want.RedirectProtocol && have.RedirectPort == want.RedirectPort));

    private ListenerAction Wanted() => _action() ?? throw new InvalidOperationException($"The target of {Name} is created by an earlier step.");

    private void Remember(string arn)
    {
        if (_protocol == "HTTPS")
        {
            _state.HttpsListenerArn = arn;
        }
    }
}

/// <summary>The HTTPS listener's rule: Host api.&lt;domain&gt; forwards to the backend's target group.</summary>
internal sealed class HostRuleStep : InfrastructureStep
{
    /// <summary>The seed's console flow gives its one rule a low number; the first free one from here is taken.</summary>
    private const int FirstPriority = 10;

    private readonly IElbv2Client _elb;
    private readonly EdgeState _state;
    private readonly string _host;
    private readonly Func<string?> _targetGroup;

    public HostRuleStep(IElbv2Client elb, EdgeState state, string host, Func<string?> targetGroup)
        : base("ListenerRule", "Host " + host)
    {
        _elb = elb;
        _state = state;
        _host = host;
        _targetGroup = targetGroup;
    }

    public override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        if (_state.HttpsListenerArn is null)
        {
            return null;
        }

        var rules = await _elb.ListRulesAsync(_state.HttpsListenerArn, cancellationToken).ConfigureAwait(false);
        var rule = rules.FirstOrDefault(r => !r.IsDefault && r.HostHeaders.Contains(_host, StringComparer.OrdinalIgnoreCase));
        if (rule is null)
        {
            return null;
        }

        var target = _targetGroup();
        var same = target is not null && rule.Actions.Count == 1 && ListenerStep.SameAction(rule.Actions[0], ListenerAction.Forward(target));
        return new ObservedResource(rule.Arn, same ? null : $"action {string.Join(", ", rule.Actions)} -> forward to {target}", $"priority {rule.Priority}, forward to {target}");
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var rules = await _elb.ListRulesAsync(_state.HttpsListenerArn!, cancellationToken).ConfigureAwait(false);
        var used = rules.Select(r => int.TryParse(r.Priority, out var p) ? p : -1).ToHashSet();
        var priority = FirstPriority;
        while (used.Contains(priority))
        {
            priority++;
        }

        return (await _elb.CreateHostRuleAsync(_state.HttpsListenerArn!, priority, _host, Forward(), cancellationToken).ConfigureAwait(false)).Arn;
    }

    public override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) =>
        _elb.ModifyHostRuleAsync(found.Id, _host, Forward(), cancellationToken);

    private ListenerAction Forward() => ListenerAction.Forward(_targetGroup() ?? throw new InvalidOperationException("The backend's target group step runs first."));
}

/// <summary>
/// The load balancer's listeners the plan does not own (the seed's temporary HTTP 4567 and 3000): reported, and removed
/// only with -Force.
/// </summary>
internal sealed class UnmanagedListenersStep : InfrastructureStepGroup
{
    private readonly IElbv2Client _elb;
    private readonly EdgeState _state;
    private readonly IReadOnlySet<int> _owned;
    private readonly bool _force;

    public UnmanagedListenersStep(IElbv2Client elb, EdgeState state, IReadOnlySet<int> ownedPorts, bool force)
        : base("Listener", "(others)")
    {
        _elb = elb;
        _state = state;
        _owned = ownedPorts;
        _force = force;
    }

    public override async Task<IReadOnlyList<InfrastructureStep>> ExpandAsync(CancellationToken cancellationToken) =>
        _state.LoadBalancer is null
            ? []
            : (await _elb.ListListenersAsync(_state.LoadBalancer.Arn, cancellationToken).ConfigureAwait(false))
                .Where(l => !_owned.Contains(l.Port)).OrderBy(l => l.Port).Select(l => new UnmanagedListenerStep(_elb, l, _force)).ToList();

    private sealed class UnmanagedListenerStep : InfrastructureStep
    {
        private readonly IElbv2Client _elb;
        private readonly Listener _listener;
        private readonly bool _force;

        public UnmanagedListenerStep(IElbv2Client elb, Listener listener, bool force)
            : base("Listener", $"{listener.Protocol}:{listener.Port}")
        {
            _elb = elb;
            _listener = listener;
            _force = force;
        }

        public override Task<ObservedResource?> FindAsync(CancellationToken cancellationToken) => Task.FromResult<ObservedResource?>(_force
            ? new ObservedResource(_listener.Arn, "not created by Initialize-CruddurInfrastructure", Removes: true)
            : new ObservedResource(_listener.Arn, Detail: "not created by Initialize-CruddurInfrastructure; kept (-Force removes it)"));

        public override Task<string> CreateAsync(CancellationToken cancellationToken) => throw new NotSupportedException("An unmanaged listener is never created.");

        public override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) => _elb.DeleteListenerAsync(found.Id, cancellationToken);
    }
}
