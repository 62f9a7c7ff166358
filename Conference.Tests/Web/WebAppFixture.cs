using System.Net.Http.Json;
using Conference.Api.Data;
using Conference.Tests.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>
/// The web app as people use it: a <see cref="WebAppServer"/> in front of the real api (on real PostgreSQL and
/// Redis), whose join tokens send browsers to a <see cref="LiveKitSignalStandIn"/>.
/// </summary>
public sealed class WebAppFixture : IAsyncLifetime
{
    /// <summary>The server's admin, made by <see cref="ApiFixture"/> with the setup code.</summary>
    public const string AdminEmail = ApiFixture.AdminEmail;

    public ApiFixture Platform { get; } = new();

    public LiveKitSignalStandIn LiveKit { get; private set; } = null!;

    public WebApplicationFactory<ConferenceDbContext> Api { get; private set; } = null!;

    public WebAppServer Web { get; private set; } = null!;

    /// <summary>Everything the api logged, at every level.</summary>
    public LogCapture ApiLogs { get; } = new();

    public async Task InitializeAsync()
    {
        await Platform.InitializeAsync();
        LiveKit = await LiveKitSignalStandIn.StartAsync();
        Api = Platform.CreateApi(new Dictionary<string, string?> { ["MediaServer:PublicUrl"] = LiveKit.Url.ToString() },
            services =>
            {
                services.AddSingleton<IStartupFilter>(new ClientAddressesSeen(ClientAddresses));
                ApiLogs.AddTo(services);
            });
        Web = await WebAppServer.StartAsync(Api, Platform.RedisConnectionString);
    }

    public Task<IPage> NewPageAsync(bool phone = false, string? forwardedFor = null) => Web.NewPageAsync(phone, forwardedFor);

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
        if (LiveKit is not null)
        {
            await LiveKit.DisposeAsync();
        }
        await Platform.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class WebAppCollection : ICollectionFixture<WebAppFixture>
{
    public const string Name = "WebApp";
}
