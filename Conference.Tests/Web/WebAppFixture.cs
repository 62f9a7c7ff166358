using System.Net;
using System.Net.Http.Json;
using Conference.Api.Data;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Conference.Web.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>
/// The web app as people use it: Conference.Web on a real loopback port, talking to the real api (on real
/// PostgreSQL and Redis), whose join tokens send browsers to a <see cref="LiveKitSignalStandIn"/>; and Debian's
/// Chromium, driven by Playwright, with a fake camera and microphone.
/// </summary>
public sealed class WebAppFixture : IAsyncLifetime
{
    public ApiFixture Platform { get; } = new();

    public LiveKitSignalStandIn LiveKit { get; private set; } = null!;

    public WebApplicationFactory<ConferenceDbContext> Api { get; private set; } = null!;

    public WebApplicationFactory<ApiClient> Web { get; private set; } = null!;

    /// <summary>Where the browser opens the web app: http://127.0.0.1:port (a secure context, so the camera works).</summary>
    public Uri WebUrl { get; private set; } = null!;

    public const string AdminEmail = "admin@example.org";

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Screenshots go to bin/.../screenshots (and are copied into docs/screenshots by the tests that take them).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        await Platform.InitializeAsync();
        LiveKit = await LiveKitSignalStandIn.StartAsync();
        Api = Platform.CreateApi(new Dictionary<string, string?> { ["MediaServer:PublicUrl"] = LiveKit.Url.ToString() });
        // The first account on a server is its admin; make it before any test signs up.
        using (var client = Api.CreateClient())
        {
            (await client.PostAsJsonAsync("/api/accounts/signup", new { email = AdminEmail, password = WebJourney.Password, displayName = "Ada Admin" }))
                .EnsureSuccessStatusCode();
        }

        var port = LocalMachine.FreePort();
        WebUrl = new Uri($"http://127.0.0.1:{port}/");
        Web = new WebApplicationFactory<ApiClient>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment("Testing");
            host.UseStaticWebAssets();
            host.UseSetting("Logging:LogLevel:Default", "Warning");
            // Service discovery needs an address for "api"; the handler below carries the requests in memory.
            host.UseSetting("services:api:http:0", "http://api.test");
            host.ConfigureTestServices(services => services.ConfigureHttpClientDefaults(http =>
                http.ConfigurePrimaryHttpMessageHandler(() => Api.Server.CreateHandler())));
        });
        Web.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        Web.StartServer();

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    /// <summary>A fresh browser profile (its own cookies) at desktop or phone size, allowed the camera and microphone.</summary>
    public async Task<IPage> NewPageAsync(bool phone = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = WebUrl.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 800 },
            DeviceScaleFactor = 1,
            IsMobile = phone,
            HasTouch = phone,
            Permissions = ["camera", "microphone"],
            ColorScheme = ColorScheme.Light,
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var file = Path.Combine(ScreenshotDirectory, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        var docs = Path.Combine(LocalMachine.RepositoryRoot, "docs", "screenshots");
        Directory.CreateDirectory(docs);
        File.Copy(file, Path.Combine(docs, $"{name}.png"), overwrite: true);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        Playwright?.Dispose();
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
