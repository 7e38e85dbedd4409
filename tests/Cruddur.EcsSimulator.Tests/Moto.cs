using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>moto_server (from the machine's Python) on a free loopback port, shared by the tests of one class.</summary>
public sealed class MotoServer : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private Process? _process;

    public string Url { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        Url = $"http://127.0.0.1:{port}";
        var psi = new ProcessStartInfo("moto_server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }
        _process = Process.Start(psi) ?? throw new InvalidOperationException("moto_server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var up = await Poll.UntilAsync(async () =>
        {
            try
            {
                using var res = await _http.GetAsync(Url + "/moto-api/");
                return res.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));
        Assert.True(up, "moto_server did not answer within 60 s");
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process?.Dispose();
        _http.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A Query-protocol call signed for <paramref name="service"/> (moto routes by the credential scope).</summary>
    public async Task<XDocument> QueryAsync(string service, string version, Dictionary<string, string> form)
    {
        form["Version"] = version;
        using var req = new HttpRequestMessage(HttpMethod.Post, Url + "/") { Content = new FormUrlEncodedContent(form) };
        req.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0");
        using var res = await _http.SendAsync(req);
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.IsSuccessStatusCode, $"{form["Action"]}: {(int)res.StatusCode} {text}");
        return XDocument.Parse(text);
    }

    /// <summary>A JSON 1.1 call (SSM, ECR, Logs …) signed for <paramref name="service"/>; the status and the answer's text.</summary>
    public async Task<(HttpStatusCode Status, string Text)> JsonAsync(string service, string target, System.Text.Json.Nodes.JsonObject body)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, Url + "/") { Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/x-amz-json-1.1") };
        req.Content.Headers.ContentType!.CharSet = null;
        req.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        req.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0");
        using var res = await _http.SendAsync(req);
        return (res.StatusCode, await res.Content.ReadAsStringAsync());
    }

    public Task<XDocument> Elbv2Async(Dictionary<string, string> form) => QueryAsync("elasticloadbalancing", "2015-12-01", form);

    public static IEnumerable<string> Values(XDocument doc, string name) => doc.Descendants().Where(e => e.Name.LocalName == name).Select(e => e.Value);

    /// <summary>A load balancer with a blue and a green target group, a production rule on port 80 and a test rule on
    /// port 8080, both forwarding to blue (weight 1) and green (weight 0), as ECS blue/green needs them.</summary>
    public async Task<BlueGreenLb> CreateBlueGreenLbAsync(bool greenInRules = true)
    {
        var name = "cr" + Guid.NewGuid().ToString("N")[..10];
        var subnets = await QueryAsync("ec2", "2016-11-15", new() { ["Action"] = "DescribeSubnets" });
        var items = subnets.Descendants().Where(e => e.Name.LocalName == "item" && e.Elements().Any(c => c.Name.LocalName == "subnetId")).ToList();
        string Child(XElement e, string n) => e.Elements().First(c => c.Name.LocalName == n).Value;
        var vpc = Child(items[0], "vpcId");
        var pair = items.Where(i => Child(i, "vpcId") == vpc).GroupBy(i => Child(i, "availabilityZone")).Select(g => Child(g.First(), "subnetId")).Take(2).ToList();
        var lb = Values(await Elbv2Async(new()
        {
            ["Action"] = "CreateLoadBalancer", ["Name"] = name, ["Subnets.member.1"] = pair[0], ["Subnets.member.2"] = pair[1],
        }), "LoadBalancerArn").First();
        async Task<string> TargetGroup(string suffix) => Values(await Elbv2Async(new()
        {
            ["Action"] = "CreateTargetGroup", ["Name"] = name + suffix, ["Protocol"] = "HTTP", ["Port"] = "4567", ["VpcId"] = vpc, ["TargetType"] = "ip",
        }), "TargetGroupArn").First();
        var blue = await TargetGroup("-b");
        var green = await TargetGroup("-g");
        async Task<string> Rule(string port)
        {
            var listener = Values(await Elbv2Async(new()
            {
                ["Action"] = "CreateListener", ["LoadBalancerArn"] = lb, ["Protocol"] = "HTTP", ["Port"] = port,
                ["DefaultActions.member.1.Type"] = "forward", ["DefaultActions.member.1.TargetGroupArn"] = blue,
            }), "ListenerArn").First();
            var form = new Dictionary<string, string>
            {
                ["Action"] = "CreateRule", ["ListenerArn"] = listener, ["Priority"] = "10",
                ["Conditions.member.1.Field"] = "path-pattern", ["Conditions.member.1.Values.member.1"] = "/*",
                ["Actions.member.1.Type"] = "forward",
                ["Actions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn"] = blue,
                ["Actions.member.1.ForwardConfig.TargetGroups.member.1.Weight"] = "1",
            };
            if (greenInRules)
            {
                form["Actions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn"] = green;
                form["Actions.member.1.ForwardConfig.TargetGroups.member.2.Weight"] = "0";
            }
            return Values(await Elbv2Async(form), "RuleArn").First();
        }
        return new BlueGreenLb(blue, green, await Rule("80"), await Rule("8080"));
    }

    /// <summary>The forward weights of a listener rule, by target group.</summary>
    public async Task<Dictionary<string, int>> WeightsAsync(string ruleArn)
    {
        var doc = await Elbv2Async(new() { ["Action"] = "DescribeRules", ["RuleArns.member.1"] = ruleArn });
        return doc.Descendants().Where(e => e.Name.LocalName == "member" && e.Parent?.Name.LocalName == "TargetGroups")
            .ToDictionary(m => Values(new XDocument(m), "TargetGroupArn").First(), m => int.Parse(Values(new XDocument(m), "Weight").First(), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The target ids moto has registered in a target group.</summary>
    public async Task<List<string>> TargetsAsync(string targetGroupArn) =>
        Values(await Elbv2Async(new() { ["Action"] = "DescribeTargetHealth", ["TargetGroupArn"] = targetGroupArn }), "Id").ToList();
}
