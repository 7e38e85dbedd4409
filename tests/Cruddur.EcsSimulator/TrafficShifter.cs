using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Cruddur.EcsSimulator;

/// <summary>One rewrite of a listener rule's forward weights: <see cref="TowardTargetGroup"/> gets <see cref="Percent"/>
/// of the traffic, <see cref="OtherTargetGroup"/> the rest.</summary>
public sealed class TrafficWrite
{
    public required string Region { get; init; }
    public required string RuleArn { get; init; }
    public required string TowardTargetGroup { get; init; }
    public required string OtherTargetGroup { get; init; }
    public required double Percent { get; init; }
    public bool Started { get; set; }
    public bool Done { get; set; }
    public string? Error { get; set; }
}

public sealed partial class SimState
{
    /// <summary>Where listener-rule weights are written (moto in the stack); null keeps them in the simulator only.</summary>
    public Uri? Elbv2Upstream { get; set; }

    /// <summary>Writes waiting for the <see cref="TrafficShifter"/>, oldest first.</summary>
    public List<TrafficWrite> TrafficWrites { get; } = [];

    private void ResetTraffic() => TrafficWrites.Clear();

    /// <summary>Queues the weights of every load balancer's production (or test) listener rule of <paramref name="toward"/>:
    /// its target group gets <paramref name="percent"/>, the other of the blue/green pair the rest.</summary>
    private void WriteTraffic(BlueGreenRun run, ServiceRevisionRec toward, bool test, double percent)
    {
        for (var i = 0; i < toward.LoadBalancers.Count; i++)
        {
            if (toward.LoadBalancers[i] is not JsonObject lb || lb["advancedConfiguration"] is not JsonObject advanced
                || Json.Str(advanced, test ? "testListenerRule" : "productionListenerRule") is not { } rule
                || toward.TargetGroups[i] is not { } tg)
            {
                continue;
            }
            var primary = Json.Str(lb, "targetGroupArn");
            var write = new TrafficWrite
            {
                Region = toward.Service.Region,
                RuleArn = rule,
                TowardTargetGroup = tg,
                OtherTargetGroup = (tg == primary ? Json.Str(advanced, "alternateTargetGroupArn") : primary) ?? "",
                Percent = percent,
                Done = Elbv2Upstream is null,
            };
            run.Writes.Add(write);
            if (!write.Done)
            {
                TrafficWrites.Add(write);
            }
        }
    }
}

/// <summary>
/// Shifts traffic the way ECS does for blue/green, linear and canary deployments: it reads the listener rule, checks that
/// its forward action names both target groups ("Both targetGroup and alternateTargetGroup must be associated with the
/// productionListenerRule or testListenerRule"), and writes the new weights with ELBv2 ModifyRule, so `aws elbv2
/// describe-rules` shows the shift. Writes run one at a time in the order they were queued.
/// </summary>
public sealed class TrafficShifter(SimState state) : BackgroundService
{
    public const string AssociationMessage =
        "Service deployment rolled back because of invalid networking configuration. Both targetGroup and alternateTargetGroup must be associated with the productionListenerRule or testListenerRule.";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                TrafficWrite? next;
                Uri? upstream;
                lock (state.Gate)
                {
                    next = state.TrafficWrites.FirstOrDefault(w => !w.Started);
                    upstream = state.Elbv2Upstream;
                    if (next is not null)
                    {
                        next.Started = true;
                    }
                }
                if (next is null || upstream is null)
                {
                    continue;
                }
                var error = await ApplyAsync(upstream, next, stoppingToken);
                lock (state.Gate)
                {
                    next.Error = error;
                    next.Done = true;
                    state.TrafficWrites.Remove(next);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<string?> ApplyAsync(Uri upstream, TrafficWrite write, CancellationToken cancellationToken)
    {
        var (ok, described) = await CallAsync(upstream, write.Region, new Dictionary<string, string>
        {
            ["Action"] = "DescribeRules", ["RuleArns.member.1"] = write.RuleArn,
        }, cancellationToken);
        if (!ok)
        {
            return $"Service deployment rolled back because the listener rule {write.RuleArn} could not be read: {ErrorOf(described)}";
        }
        var forward = Elements(described, "Actions").SelectMany(a => a.Elements()).FirstOrDefault(a => Child(a, "Type") == "forward");
        var groups = forward is null ? [] : forward.Descendants().Where(e => e.Name.LocalName == "TargetGroupArn").Select(e => e.Value).ToHashSet();
        if (!groups.Contains(write.TowardTargetGroup) || !groups.Contains(write.OtherTargetGroup))
        {
            return TrafficShifter.AssociationMessage;
        }
        var (toward, other) = SimState.Weights(write.Percent);
        var form = new Dictionary<string, string>
        {
            ["Action"] = "ModifyRule",
            ["RuleArn"] = write.RuleArn,
            ["Actions.member.1.Type"] = "forward",
            ["Actions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn"] = write.OtherTargetGroup,
            ["Actions.member.1.ForwardConfig.TargetGroups.member.1.Weight"] = other.ToString(CultureInfo.InvariantCulture),
            ["Actions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn"] = write.TowardTargetGroup,
            ["Actions.member.1.ForwardConfig.TargetGroups.member.2.Weight"] = toward.ToString(CultureInfo.InvariantCulture),
        };
        // Keep the rule's stickiness: ECS changes weights only.
        if (forward?.Descendants().FirstOrDefault(e => e.Name.LocalName == "TargetGroupStickinessConfig") is { } sticky)
        {
            foreach (var field in new[] { "Enabled", "DurationSeconds" })
            {
                if (Child(sticky, field) is { } value)
                {
                    form[$"Actions.member.1.ForwardConfig.TargetGroupStickinessConfig.{field}"] = value;
                }
            }
        }
        var (modified, answer) = await CallAsync(upstream, write.Region, form, cancellationToken);
        return modified ? null : $"Service deployment rolled back because the listener rule {write.RuleArn} could not be modified: {ErrorOf(answer)}";
    }

    private static async Task<(bool Ok, XDocument? Body)> CallAsync(Uri upstream, string region, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        form["Version"] = Elbv2Front.Version;
        using var request = new HttpRequestMessage(HttpMethod.Post, upstream) { Content = new FormUrlEncodedContent(form) };
        Elbv2Front.Sign(request, region);
        try
        {
            using var response = await Elbv2Front.Http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            XDocument? body = null;
            try
            {
                body = XDocument.Parse(text);
            }
            catch (System.Xml.XmlException)
            {
                // moto answers an unimplemented or crashing operation with HTML
            }
            return (response.IsSuccessStatusCode, body);
        }
        catch (HttpRequestException e)
        {
            return (false, new XDocument(new XElement("Error", new XElement("Code", "RequestFailed"), new XElement("Message", e.Message))));
        }
    }

    private static IEnumerable<XElement> Elements(XDocument? doc, string name) =>
        doc?.Descendants().Where(e => e.Name.LocalName == name) ?? [];

    private static string? Child(XElement e, string name) => e.Elements().FirstOrDefault(c => c.Name.LocalName == name)?.Value;

    private static string ErrorOf(XDocument? doc) =>
        Elements(doc, "Error").FirstOrDefault() is { } error ? $"{Child(error, "Code")}: {Child(error, "Message")}" : "no answer";
}
