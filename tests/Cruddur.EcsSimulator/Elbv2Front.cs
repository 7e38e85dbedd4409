using System.Globalization;
using System.Security;
using System.Text;

namespace Cruddur.EcsSimulator;

/// <summary>
/// The simulator as a small ELBv2 stand-in (Query protocol, requests signed for <c>elasticloadbalancing</c>): it answers
/// DescribeTargetHealth for the target groups its services use, from <see cref="TargetHealth"/>, and passes every other
/// ELBv2 request unchanged to --elbv2-upstream (moto), so one ELBv2 endpoint serves a whole run.
/// </summary>
public static class Elbv2Front
{
    public const string SigningName = "elasticloadbalancing";
    public const string Version = "2015-12-01";
    private const string Ns = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

    internal static HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A signature moto accepts (it routes by the credential scope and verifies nothing).</summary>
    internal static void Sign(HttpRequestMessage request, string region) =>
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential=testing/{DateTime.UtcNow:yyyyMMdd}/{region}/{SigningName}/aws4_request, SignedHeaders=host, Signature=0");

    public static async Task HandleAsync(HttpContext ctx, SimState state, string region, Uri? upstream)
    {
        ctx.Request.EnableBuffering();
        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        var action = form["Action"].ToString();
        var tg = form["TargetGroupArn"].ToString();
        string? answer = null;
        if (action == "DescribeTargetHealth")
        {
            lock (state.Gate)
            {
                state.Calls["ELBv2." + action] = state.Calls.GetValueOrDefault("ELBv2." + action) + 1;
                var owned = state.Services.Values.Any(s => s.Region == region && s.LoadBalancers.OfType<System.Text.Json.Nodes.JsonObject>().Any(l =>
                    Json.Str(l, "targetGroupArn") == tg || (l["advancedConfiguration"] is System.Text.Json.Nodes.JsonObject a && Json.Str(a, "alternateTargetGroupArn") == tg)));
                if (owned)
                {
                    answer = DescribeTargetHealth(TargetHealth.Targets(state, region).Where(t => t.TargetGroupArn == tg).ToList());
                }
            }
        }

        if (answer is not null)
        {
            ctx.Response.ContentType = "text/xml";
            await ctx.Response.WriteAsync(answer, ctx.RequestAborted);
            return;
        }

        if (upstream is null)
        {
            ctx.Response.StatusCode = 400;
            ctx.Response.ContentType = "text/xml";
            await ctx.Response.WriteAsync($"<ErrorResponse xmlns=\"{Ns}\"><Error><Type>Sender</Type><Code>UnsupportedOperation</Code><Message>The ECS simulator only answers DescribeTargetHealth for its services' target groups; start it with --elbv2-upstream for the rest.</Message></Error></ErrorResponse>", ctx.RequestAborted);
            return;
        }

        await ProxyAsync(ctx, upstream);
    }

    private static async Task ProxyAsync(HttpContext ctx, Uri upstream)
    {
        ctx.Request.Body.Position = 0;
        using var body = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(body, ctx.RequestAborted);
        using var request = new HttpRequestMessage(HttpMethod.Post, upstream) { Content = new ByteArrayContent(body.ToArray()) };
        foreach (var header in ctx.Request.Headers)
        {
            if (header.Key is "Host" or "Content-Length" or "Transfer-Encoding")
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray()))
            {
                request.Content.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }
        }

        using var response = await Http.SendAsync(request, ctx.RequestAborted);
        ctx.Response.StatusCode = (int)response.StatusCode;
        ctx.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "text/xml";
        await ctx.Response.WriteAsync(await response.Content.ReadAsStringAsync(ctx.RequestAborted), ctx.RequestAborted);
    }

    private static string DescribeTargetHealth(IReadOnlyList<SimTarget> targets)
    {
        static string X(string? s) => SecurityElement.Escape(s ?? "");
        var members = new StringBuilder();
        foreach (var t in targets)
        {
            var port = t.Port.ToString(CultureInfo.InvariantCulture);
            members.Append(CultureInfo.InvariantCulture, $"<member><Target><Id>{X(t.Task.PrivateIp)}</Id><Port>{port}</Port></Target><HealthCheckPort>{port}</HealthCheckPort><TargetHealth><State>{X(t.State)}</State>");
            if (t.Reason is not null)
            {
                members.Append(CultureInfo.InvariantCulture, $"<Reason>{X(t.Reason)}</Reason><Description>{X(t.Description)}</Description>");
            }

            members.Append("</TargetHealth></member>");
        }

        return $"<DescribeTargetHealthResponse xmlns=\"{Ns}\"><DescribeTargetHealthResult><TargetHealthDescriptions>{members}</TargetHealthDescriptions></DescribeTargetHealthResult><ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata></DescribeTargetHealthResponse>";
    }
}
