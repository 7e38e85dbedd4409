using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cruddur.Core.Tests.Aws;

/// <summary>
/// A real HTTP endpoint on 127.0.0.1 whose answers a test scripts: garbage, HTML, huge bodies, silence. Each request is
/// recorded (operation from X-Amz-Target or the Query Action) so a test can count attempts.
/// </summary>
public sealed class ScriptedEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedEndpoint(WebApplication app) => _app = app;

    public ConcurrentQueue<(string Method, string Path, string Operation, string Body)> Requests { get; } = new();

    /// <summary>The User-Agent header of each request, in order.</summary>
    public ConcurrentQueue<string> UserAgents { get; } = new();

    public string Url => _app.Urls.Single().TrimEnd('/');

    /// <summary>Starts an endpoint; <paramref name="answer"/> gets the operation and how many requests for it came so far (1-based), and writes the answer.</summary>
    public static async Task<ScriptedEndpoint> StartAsync(Func<HttpContext, string, int, Task> answer)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var endpoint = new ScriptedEndpoint(app);
        app.Run(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            var target = context.Request.Headers["X-Amz-Target"].ToString();
            var action = body.Split('&').Select(p => p.Split('=')).FirstOrDefault(p => p[0] == "Action")?[1];
            var operation = action ?? target[(target.IndexOf('.') + 1)..];
            endpoint.UserAgents.Enqueue(context.Request.Headers.UserAgent.ToString());
            endpoint.Requests.Enqueue((context.Request.Method, context.Request.Path + context.Request.QueryString, operation, body));
            await answer(context, operation, endpoint.Count(operation));
        });
        await app.StartAsync();
        return endpoint;
    }

    /// <summary>Answers every request with <paramref name="status"/> and <paramref name="body"/>.</summary>
    public static Task<ScriptedEndpoint> StartAsync(int status, string body, string contentType = "application/x-amz-json-1.1") =>
        StartAsync((context, _, _) => Write(context, status, body, contentType));

    public static Task Write(HttpContext context, int status, string body, string contentType = "application/x-amz-json-1.1")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body);
    }

    public int Count(string operation) => Requests.Count(r => r.Operation == operation);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
