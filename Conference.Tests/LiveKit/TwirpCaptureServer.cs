using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Conference.Tests.LiveKit;

/// <summary>
/// A stand-in for LiveKit's Twirp endpoint on 127.0.0.1: records every request and answers with
/// <see cref="Respond"/> (by default the sample answer of the called method).
/// </summary>
public sealed class TwirpCaptureServer : IAsyncDisposable
{
    readonly WebApplication app;

    TwirpCaptureServer(WebApplication app) => this.app = app;

    public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

    /// <summary>Answer for a request: status, content type and body.</summary>
    public Func<CapturedRequest, (int Status, string ContentType, string Body)> Respond { get; set; } =
        request => (200, "application/json", LiveKitSamples.ResponseFor(request.Method));

    /// <summary>Awaited before <see cref="Respond"/>: a test holds an answer back with it (a slow LiveKit).</summary>
    public Func<CapturedRequest, Task> BeforeAnswer { get; set; } = _ => Task.CompletedTask;

    public Uri Url => new(app.Urls.First());

    public static async Task<TwirpCaptureServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new TwirpCaptureServer(app);
        app.MapPost("/twirp/{service}/{method}", async (HttpContext context, string service, string method) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var request = new CapturedRequest(
                context.Request.Path, service, method, context.Request.ContentType,
                context.Request.Headers.Authorization.ToString(), context.Request.Headers.UserAgent.ToString(), body.ToArray());
            server.Requests.Enqueue(request);
            await server.BeforeAnswer(request);
            var (status, contentType, answer) = server.Respond(request);
            return Results.Text(answer, contentType, statusCode: status);
        });
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

public sealed record CapturedRequest(
    string Path, string Service, string Method, string? ContentType, string Authorization, string UserAgent, byte[] Body)
{
    public bool FromNodeSdk => UserAgent.StartsWith("livekit-server-sdk-node", StringComparison.Ordinal);

    public string BearerToken => Authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? Authorization[7..] : "";
}
