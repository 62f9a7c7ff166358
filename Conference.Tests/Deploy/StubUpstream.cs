using Conference.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Conference.Tests.Deploy;

/// <summary>
/// A tiny Kestrel server on a free loopback port that answers every request with its own name and the path it
/// received (and <see cref="HealthStatus"/> at /health), standing in for web, api or LiveKit behind Caddy.
/// </summary>
public sealed class StubUpstream : IAsyncDisposable
{
    readonly WebApplication? app;

    StubUpstream(string name, WebApplication? app)
    {
        Name = name;
        this.app = app;
    }

    public string Name { get; }

    public int Port { get; private init; }

    public string HostAndPort => $"127.0.0.1:{Port}";

    public int HealthStatus { get; set; } = StatusCodes.Status200OK;

    /// <summary>Request body bytes that reached this upstream, over all requests.</summary>
    public long BodyBytesReceived => Interlocked.Read(ref bodyBytesReceived);

    long bodyBytesReceived;

    public static async Task<StubUpstream> StartAsync(string name)
    {
        var port = LocalMachine.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var upstream = new StubUpstream(name, app) { Port = port };
        app.MapGet("/health", () => Results.StatusCode(upstream.HealthStatus));
        app.MapFallback(async context =>
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
            {
                Interlocked.Add(ref upstream.bodyBytesReceived, read);
            }
            // What Blazor's interactive server mode sends; Caddy's policy must replace it, not add a second one.
            context.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'self'";
            await context.Response.WriteAsync($"{name} {context.Request.Path}{context.Request.QueryString}");
        });
        await app.StartAsync();
        return upstream;
    }

    /// <summary>Names a server some test runs itself (with its own routes) as the upstream at <paramref name="port"/>.</summary>
    public static StubUpstream At(string name, int port) => new(name, null) { Port = port };

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}
