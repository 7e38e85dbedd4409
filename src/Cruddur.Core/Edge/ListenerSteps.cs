using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Infrastructure;

namespace Cruddur.Core.Edge;

/// <summary>
/// A listener the plan owns: 80 redirecting to 443, 443 HTTPS with the certificate forwarding to the frontend, and on a
/// blue/green edge the test listener, tagged with its Name so that other runs recognise it. The wanted certificate and
/// action are asked when the step runs, as their ARNs are only known then.
/// </summary>
internal sealed class ListenerStep : InfrastructureStep
{
    private readonly IElbv2Client _elb;
    private readonly EdgeState _state;
    private readonly string _protocol;
    private readonly int _port;
    private readonly Func<string?> _certificate;
    private readonly Func<ListenerAction?> _action;
    private readonly string? _nameTag;
    private bool _settingsDiffer;
    private bool _tagMissing;

    public ListenerStep(IElbv2Client elb, EdgeState state, string protocol, int port, Func<string?> certificate, Func<ListenerAction?> action, string? nameTag = null)
        : base("Listener", $"{protocol}:{port}")
    {
        _elb = elb;
        _state = state;
        _protocol = protocol;
        _port = port;
        _certificate = certificate;
        _action = action;
        _nameTag = nameTag;
    }

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
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

        _state.ListenerArns[_port] = listener.Arn;
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

        _settingsDiffer = drift.Count > 0;
        _tagMissing = _nameTag is not null
            && (await _elb.DescribeTagsAsync([listener.Arn], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(listener.Arn)?.GetValueOrDefault("Name") != _nameTag;
        if (_tagMissing)
        {
            drift.Add("Name tag -> " + _nameTag);
        }

        return new ObservedResource(listener.Arn, drift.Count == 0 ? null : string.Join("; ", drift), action?.ToString());
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var tags = _nameTag is null ? null : new Dictionary<string, string> { ["Name"] = _nameTag };
        var listener = await _elb.CreateListenerAsync(_state.LoadBalancer!.Arn, _protocol, _port, _certificate(), Wanted(), tags, cancellationToken).ConfigureAwait(false);
        _state.ListenerArns[_port] = listener.Arn;
        return listener.Arn;
    }

    internal override async Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken)
    {
        if (_settingsDiffer)
        {
            await _elb.ModifyListenerAsync(found.Id, _protocol, _port, _certificate(), Wanted(), cancellationToken).ConfigureAwait(false);
        }

        if (_tagMissing)
        {
            await _elb.AddTagsAsync(found.Id, new Dictionary<string, string> { ["Name"] = _nameTag! }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Equal as far as the plan cares: a forward to the same groups at the same weights (a plain forward is one group of
    /// weight 1, however ELB writes it); a redirect to the same protocol and port (its other fields keep their defaults).
    /// </summary>
    internal static bool SameAction(ListenerAction have, ListenerAction want) =>
        have.Type == want.Type
        && (want.Type != "forward" || have.Groups.SequenceEqual(want.Groups))
        && (want.Type != "redirect" || (have.RedirectProtocol == want.RedirectProtocol && have.RedirectPort == want.RedirectPort));

    private ListenerAction Wanted() => _action() ?? throw new InvalidOperationException($"The target of {Name} is created by an earlier step.");
}

/// <summary>
/// The load balancer's listeners the plan does not own (the seed's temporary HTTP 4567 and 3000): reported, and removed
/// only with -Force. With <c>keepTestListeners</c> (a run that does not build the blue/green edge) the blue/green test
/// listener, known by its Name tag, is reported and kept even with -Force: ECS's test rules live on it.
/// </summary>
internal sealed class UnmanagedListenersStep : InfrastructureStepGroup
{
    private readonly IElbv2Client _elb;
    private readonly EdgeState _state;
    private readonly IReadOnlySet<int> _owned;
    private readonly bool _force;
    private readonly bool _keepTestListeners;

    public UnmanagedListenersStep(IElbv2Client elb, EdgeState state, IReadOnlySet<int> ownedPorts, bool force, bool keepTestListeners)
        : base("Listener", "(others)")
    {
        _elb = elb;
        _state = state;
        _owned = ownedPorts;
        _force = force;
        _keepTestListeners = keepTestListeners;
    }

    public override async Task<IReadOnlyList<InfrastructureStep>> ExpandAsync(CancellationToken cancellationToken)
    {
        if (_state.LoadBalancer is null)
        {
            return [];
        }

        var others = (await _elb.ListListenersAsync(_state.LoadBalancer.Arn, cancellationToken).ConfigureAwait(false)).Where(l => !_owned.Contains(l.Port)).OrderBy(l => l.Port).ToList();
        var tags = _keepTestListeners && others.Count > 0
            ? await _elb.DescribeTagsAsync(others.Select(l => l.Arn).ToList(), cancellationToken).ConfigureAwait(false)
            : new Dictionary<string, IReadOnlyDictionary<string, string>>();
        return others.Select(l => new UnmanagedListenerStep(_elb, l, _force, tags.GetValueOrDefault(l.Arn)?.GetValueOrDefault("Name") == SeedDefaults.TestListenerName)).ToList();
    }

    private sealed class UnmanagedListenerStep : InfrastructureStep
    {
        private readonly IElbv2Client _elb;
        private readonly Listener _listener;
        private readonly bool _force;
        private readonly bool _testListener;

        public UnmanagedListenerStep(IElbv2Client elb, Listener listener, bool force, bool testListener)
            : base("Listener", $"{listener.Protocol}:{listener.Port}")
        {
            _elb = elb;
            _listener = listener;
            _force = force;
            _testListener = testListener;
        }

        internal override Task<ObservedResource?> FindAsync(CancellationToken cancellationToken) => Task.FromResult<ObservedResource?>(
            _testListener ? new ObservedResource(_listener.Arn, Detail: "the blue/green test listener; kept (only Initialize-CruddurInfrastructure -Strategy BlueGreen manages it)")
            : _force ? new ObservedResource(_listener.Arn, "not created by Initialize-CruddurInfrastructure", Removes: true)
            : new ObservedResource(_listener.Arn, Detail: "not created by Initialize-CruddurInfrastructure and kept (Initialize-CruddurInfrastructure -Force removes it)"));

        public override Task<string> CreateAsync(CancellationToken cancellationToken) => throw new NotSupportedException("An unmanaged listener is never created.");

        internal override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) => _elb.DeleteListenerAsync(found.Id, cancellationToken);
    }
}
