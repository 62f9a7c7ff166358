using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Conference.Tests.Web;

/// <summary>
/// Stands where LiveKit's signalling endpoint would be (no LiveKit server runs here): records every request to
/// <c>/rtc</c> — the WebSocket upgrade livekit-client opens, with its token — and then answers nothing useful: the
/// socket is closed at once and <c>/rtc/validate</c> says the service is unavailable, as a dead media server would.
/// </summary>
public sealed class LiveKitSignalStandIn : IAsyncDisposable
{
    readonly WebApplication app;

    LiveKitSignalStandIn(WebApplication app) => this.app = app;

    public ConcurrentQueue<SignalRequest> Requests { get; } = new();

    /// <summary>The URL browsers are told to connect to (ws://127.0.0.1:port).</summary>
    public Uri Url => new(app.Urls.First().Replace("http://", "ws://", StringComparison.Ordinal));

    public sealed record SignalRequest(string Path, bool IsWebSocket, IQueryCollection Query)
    {
        public string? AccessToken => Query["access_token"].FirstOrDefault();
    }

    public static async Task<LiveKitSignalStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new LiveKitSignalStandIn(app);
        app.UseWebSockets();
        app.Map("/rtc/{**rest}", async (HttpContext context) =>
        {
            standIn.Requests.Enqueue(new SignalRequest(context.Request.Path, context.WebSockets.IsWebSocketRequest, context.Request.Query));
            if (context.WebSockets.IsWebSocketRequest)
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                socket.Abort();
                return Results.Empty;
            }
            return Results.Text("the media server stand-in answers nothing", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        await app.StartAsync();
        return standIn;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
