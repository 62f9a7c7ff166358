using System.Net;
using Conference.Api.Data;
using Conference.Tests.Infrastructure;
using Conference.Web.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>
/// Conference.Web on a real loopback port in front of a given api (reached in memory, as service discovery would
/// reach it), and Debian's Chromium driven by Playwright with a fake camera and microphone.
/// </summary>
public sealed class WebAppServer : IAsyncDisposable
{
    WebAppServer(WebApplicationFactory<ApiClient> web, Uri url, IPlaywright playwright, IBrowser browser, LogCapture logs)
    {
        Logs = logs;
        Web = web;
        Url = url;
        Playwright = playwright;
        Browser = browser;
    }

    public WebApplicationFactory<ApiClient> Web { get; }

    /// <summary>http://127.0.0.1:port: a secure context, so the camera works.</summary>
    public Uri Url { get; }

    public IPlaywright Playwright { get; }

    public IBrowser Browser { get; }

    /// <summary>Everything the web logged, at every level.</summary>
    public LogCapture Logs { get; }

    /// <summary>Screenshots go to bin/.../screenshots (test artifacts); docs/screenshots holds the README's copies.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>
    /// Starts the web in front of <paramref name="api"/>; with <paramref name="redis"/> its keys live there, as deployed.
    /// <paramref name="settings"/> are what the AppHost gives the web besides: LiveKit's public URL and the storage
    /// endpoint, from which it builds the page's Content-Security-Policy (without them, connections to the emulator
    /// and playback from the bucket are refused, as they would be in production).
    /// </summary>
    public static async Task<WebAppServer> StartAsync(WebApplicationFactory<ConferenceDbContext> api, string? redis = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = LocalMachine.FreePort();
        var logs = new LogCapture();
        var web = new WebApplicationFactory<ApiClient>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment("Testing");
            host.UseStaticWebAssets();
            host.UseSetting("Logging:LogLevel:Default", "Warning");
            // Service discovery needs an address for "api"; the handler below carries the requests in memory.
            host.UseSetting("services:api:http:0", "http://api.test");
            if (redis is not null)
            {
                host.UseSetting("ConnectionStrings:redis", redis);
            }
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                host.UseSetting(key, value);
            }
            host.ConfigureTestServices(services =>
            {
                services.ConfigureHttpClientDefaults(http => http.ConfigurePrimaryHttpMessageHandler(() => api.Server.CreateHandler()));
                logs.AddTo(services);
            });
        });
        web.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        web.StartServer();

        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Assertions.SetDefaultExpectTimeout(30_000);
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
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
        return new WebAppServer(web, new Uri($"http://127.0.0.1:{port}/"), playwright, browser, logs);
    }

    /// <summary>
    /// A page in a fresh browser profile (its own cookies) at desktop or phone size, allowed the camera and microphone.
    /// Every request it sends carries <c>X-Forwarded-For</c>, as Caddy adds: <paramref name="forwardedFor"/>, or by
    /// default an address of its own, so that each page is a different person to per-address rate limits (without
    /// it every page of the collection is 127.0.0.1 and shares one sign-in budget, which timed a sign-up out in a
    /// full run).
    /// </summary>
    public async Task<IPage> NewPageAsync(bool phone = false, string? forwardedFor = null)
    {
        forwardedFor ??= NextClientAddress();
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Url.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 800 },
            DeviceScaleFactor = 1,
            IsMobile = phone,
            HasTouch = phone,
            Permissions = ["camera", "microphone"],
            ColorScheme = ColorScheme.Light,
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Forwarded-For"] = forwardedFor },
        });
        // Generous: these only bound how long a failing step waits. A 2-core machine running a whole test suite has
        // been seen to take over 20 s for one page load.
        context.SetDefaultTimeout(60_000);
        contexts.Add(context);
        var page = await context.NewPageAsync();
        // What the page still waits for, for the message of a step that times out (see WebJourney.WaitForPageAsync).
        var pending = new System.Collections.Concurrent.ConcurrentDictionary<IRequest, DateTime>();
        page.Request += (_, request) => pending[request] = DateTime.UtcNow;
        page.RequestFinished += (_, request) => pending.TryRemove(request, out DateTime _);
        page.RequestFailed += (_, request) => pending.TryRemove(request, out DateTime _);
        PendingRequests.Add(page, pending);
        return page;
    }

    readonly OpenContexts contexts = new();

    /// <summary>Closes every page opened so far, as people closing their tabs (see <see cref="BrowserTest"/>).</summary>
    public Task ClosePagesAsync() => contexts.CloseAllAsync();

    static int clientAddresses;

    /// <summary>10.77.x.y, a new one on each call (65,534 of them before it repeats).</summary>
    static string NextClientAddress()
    {
        var n = Interlocked.Increment(ref clientAddresses) % 65_534 + 1;
        return $"10.77.{n / 256}.{n % 256}";
    }

    /// <summary>Each page's requests still in flight, and since when.</summary>
    public static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, System.Collections.Concurrent.ConcurrentDictionary<IRequest, DateTime>> PendingRequests = new();

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var file = Path.Combine(ScreenshotDirectory, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        // Refreshing the README's copies is asked for (CONFERENCE_UPDATE_SCREENSHOTS=1), so a test run leaves the
        // working tree as it found it.
        if (Environment.GetEnvironmentVariable("CONFERENCE_UPDATE_SCREENSHOTS") == "1")
        {
            var docs = Path.Combine(LocalMachine.RepositoryRoot, "docs", "screenshots");
            Directory.CreateDirectory(docs);
            File.Copy(file, Path.Combine(docs, $"{name}.png"), overwrite: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Web.DisposeAsync();
    }
}
