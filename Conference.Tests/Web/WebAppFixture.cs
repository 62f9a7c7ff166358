using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Conference.Api.Data;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>
/// The web app as people use it: a <see cref="WebAppServer"/> in front of the real api (on real PostgreSQL and
/// Redis), whose join tokens send browsers to the fixture's LiveKit emulator (<see cref="ApiFixture.LiveKit"/>):
/// calls connect as they would to LiveKit. What the pages ask of it is in <see cref="SignalRequests"/>;
/// <see cref="CutOffMediaServerAsync"/> makes it unreachable for one page.
/// </summary>
public sealed class WebAppFixture : IAsyncLifetime, IOpensPages
{
    /// <summary>The server's admin, made by <see cref="ApiFixture"/> with the setup code.</summary>
    public const string AdminEmail = ApiFixture.AdminEmail;

    public ApiFixture Platform { get; } = new();

    /// <summary>The media server the pages connect to (the api's LiveKit too).</summary>
    public LiveKitEmulator LiveKit => Platform.LiveKit;

    /// <summary>Every request a page made to the media server (the signalling WebSocket, its validate call), in order.</summary>
    public ConcurrentQueue<SignalRequest> SignalRequests { get; } = new();

    public WebApplicationFactory<ConferenceDbContext> Api { get; private set; } = null!;

    public WebAppServer Web { get; private set; } = null!;

    /// <summary>Everything the api logged, at every level.</summary>
    public LogCapture ApiLogs { get; } = new();

    public async Task InitializeAsync()
    {
        await Platform.InitializeAsync();
        Api = Platform.CreateApi(new Dictionary<string, string?> { ["MediaServer:PublicUrl"] = LiveKit.Url.ToString() },
            services =>
            {
                services.AddSingleton<IStartupFilter>(new ClientAddressesSeen(ClientAddresses));
                ApiLogs.AddTo(services);
            });
        Web = await WebAppServer.StartAsync(Api, Platform.RedisConnectionString,
            new Dictionary<string, string> { ["MediaServer:PublicUrl"] = LiveKit.Url.ToString() });
    }

    /// <inheritdoc />
    public Task ClosePagesAsync() => Web.ClosePagesAsync();

    public async Task<IPage> NewPageAsync(bool phone = false, string? forwardedFor = null)
    {
        var page = await Web.NewPageAsync(phone, forwardedFor);
        page.WebSocket += (_, socket) => RecordSignal(socket.Url, isWebSocket: true);
        page.Request += (_, request) => RecordSignal(request.Url, isWebSocket: false);
        return page;
    }

    void RecordSignal(string url, bool isWebSocket)
    {
        var address = new Uri(url);
        if (address.Port == LiveKit.Port && address.AbsolutePath.StartsWith("/rtc", StringComparison.Ordinal))
        {
            SignalRequests.Enqueue(new SignalRequest(address.AbsolutePath, isWebSocket, QueryHelpers.ParseQuery(address.Query)));
        }
    }

    /// <summary>
    /// The network between <paramref name="page"/> and the media server fails, as when LiveKit is down or its port is
    /// blocked: the signalling WebSocket closes at once and its validate call fails. Disposing the result brings the
    /// network back (later WebSockets and requests pass through to the emulator).
    /// </summary>
    public async Task<IDisposable> CutOffMediaServerAsync(IPage page)
    {
        var cut = new MediaServerCut();
        // A routed WebSocket raises no page.WebSocket event: the attempt is recorded here.
        await page.RouteWebSocketAsync(new Regex($"^wss?://127\\.0\\.0\\.1:{LiveKit.Port}/"), socket =>
        {
            RecordSignal(socket.Url, isWebSocket: true);
            if (cut.Active)
            {
                _ = socket.CloseAsync();
            }
            else
            {
                socket.ConnectToServer();
            }
        });
        await page.RouteAsync(new Regex($"^https?://127\\.0\\.0\\.1:{LiveKit.Port}/"),
            route => cut.Active ? route.AbortAsync("connectionrefused") : route.ContinueAsync());
        return cut;
    }

    sealed class MediaServerCut : IDisposable
    {
        public volatile bool Active = true;

        public void Dispose() => Active = false;
    }

    /// <summary>Waits until LiveKit reports someone named <paramref name="name"/> in <paramref name="room"/>.</summary>
    public async Task<Conference.LiveKit.ParticipantInfo> WaitForParticipantAsync(string room, string name)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var participants = await Platform.ParticipantsInAsync(room);
            if (participants.FirstOrDefault(p => p.Name == name) is { } found)
            {
                return found;
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{name} never joined {room} at the media server; it has: {string.Join(", ", participants.Select(p => p.Name))}");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Each api request's method, path and the client address the api settled on (after forwarded headers).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(string Request, string? Address)> ClientAddresses { get; } = new();

    sealed class ClientAddressesSeen(System.Collections.Concurrent.ConcurrentQueue<(string, string?)> seen) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                await nextMiddleware(context);
                // Read after the api's own pipeline, whose forwarded-headers middleware sets the address.
                seen.Enqueue(($"{context.Request.Method} {context.Request.Path}", context.Connection.RemoteIpAddress?.ToString()));
            });
            next(app);
        };
    }

    public static Task ScreenshotAsync(IPage page, string name) => WebAppServer.ScreenshotAsync(page, name);

    public async Task DisposeAsync()
    {
        if (Web is not null)
        {
            await Web.DisposeAsync();
        }
        await Platform.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class WebAppCollection : ICollectionFixture<WebAppFixture>
{
    public const string Name = "WebApp";
}

/// <summary>One request a page made to the media server: its path, whether it was the WebSocket, its query.</summary>
public sealed record SignalRequest(string Path, bool IsWebSocket, IDictionary<string, Microsoft.Extensions.Primitives.StringValues> Query)
{
    /// <summary>The join token livekit-client sends (<c>access_token</c>).</summary>
    public string? AccessToken => Query.TryGetValue("access_token", out var token) ? token.FirstOrDefault() : null;
}
