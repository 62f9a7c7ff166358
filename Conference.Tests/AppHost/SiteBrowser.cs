using System.Collections.Concurrent;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.AppHost;

/// <summary>
/// Debian's Chromium (Playwright for .NET), with a fake camera and microphone, pointed at a running site: here the
/// AppHost's front door. Every page it opens is watched for what a person would see go wrong.
/// </summary>
sealed class SiteBrowser : IAsyncDisposable
{
    readonly IPlaywright playwright;
    readonly IBrowser browser;
    readonly Uri site;
    readonly OpenContexts contexts = new();

    SiteBrowser(IPlaywright playwright, IBrowser browser, Uri site)
    {
        this.playwright = playwright;
        this.browser = browser;
        this.site = site;
    }

    public static async Task<SiteBrowser> LaunchAsync(Uri site, params string[] extraArguments)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                .. extraArguments,
            ],
        });
        return new SiteBrowser(playwright, browser, site);
    }

    /// <summary>
    /// A Chromium of its own processes, for a journey that kills it (<see cref="Kill"/>); its browser process is found
    /// by a switch only this launch carries (Chromium ignores switches it does not know).
    /// </summary>
    public static async Task<SiteBrowser> LaunchOwnAsync(Uri site)
    {
        var marker = $"--conference-test-browser={Guid.NewGuid():N}";
        var own = await LaunchAsync(site, marker);
        own.processId = LocalProcesses.SingleProcessIdContaining(marker, without: "--type=");
        return own;
    }

    int? processId;

    /// <summary>
    /// SIGKILL to the browser process and its children, as a crash or the OOM killer would end it: no page sees
    /// pagehide, so nothing says goodbye; the kernel closes its sockets (a FIN on the signal WebSocket) and its peer
    /// connections go silent.
    /// </summary>
    public void Kill() =>
        System.Diagnostics.Process.GetProcessById(processId ?? throw new InvalidOperationException("not launched by LaunchOwnAsync"))
            .Kill(entireProcessTree: true);

    /// <summary>
    /// A page in a fresh browser profile (its own cookies), allowed the camera and microphone; with
    /// <paramref name="phone"/>, the size and touch of a phone held upright (390 × 844 CSS pixels).
    /// </summary>
    public async Task<WatchedPage> NewPageAsync(bool phone = false)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = site.ToString(),
            Permissions = ["camera", "microphone"],
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : null,
            IsMobile = phone,
            HasTouch = phone,
        });
        // Bounds how long a failing step waits; a loaded 2-core machine has taken over 20 s for one page.
        context.SetDefaultTimeout(60_000);
        contexts.Add(context);
        // Every Content-Security-Policy violation the page reports (CSP3 §5.3), kept for WatchedPage's checks.
        await context.AddInitScriptAsync(
            "window.cspViolations = []; document.addEventListener('securitypolicyviolation', e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));");
        // Every peer connection the page makes, kept so a failing media check can quote their getStats() (a subclass,
        // so livekit-client's instanceof checks still hold).
        await context.AddInitScriptAsync("""
            window.peerConnections = [];
            window.RTCPeerConnection = class extends window.RTCPeerConnection {
                constructor(...args) { super(...args); window.peerConnections.push(this); }
            };
            """);
        return new WatchedPage(await context.NewPageAsync());
    }

    /// <summary>
    /// Closes every page opened so far, as people closing their tabs. A page left open stays in its call, sending and
    /// decoding video: a full run once had 56 renderers alive, and each later journey shared two cores with them all.
    /// </summary>
    public Task ClosePagesAsync() => contexts.CloseAllAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await browser.DisposeAsync();
        }
        catch (PlaywrightException) when (processId is not null)
        {
            // Killed: nothing left to close.
        }
        playwright.Dispose();
    }
}

/// <summary>
/// A page and what went wrong on it: console errors, uncaught exceptions, failed requests, error responses, and
/// scripts or stylesheets that arrive empty or with the wrong content type (which a browser refuses under
/// <c>X-Content-Type-Options: nosniff</c>).
/// </summary>
sealed class WatchedPage
{
    readonly ConcurrentQueue<string> problems = new();
    readonly ConcurrentQueue<(IResponse Response, Task<string> Body)> assets = new();

    public WatchedPage(IPage page)
    {
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Enqueue($"console error: {message.Text} (at {message.Location})");
            }
        };
        page.PageError += (_, error) => problems.Enqueue($"uncaught: {error}");
        page.RequestFailed += (_, request) =>
        {
            // Leaving a page aborts what it still loads; that is the browser's doing, not the site's.
            if (request.Failure != "net::ERR_ABORTED")
            {
                problems.Enqueue($"request failed: {request.Method} {request.Url}: {request.Failure}");
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Enqueue($"{response.Status} for {response.Request.Method} {response.Url}");
            }
            if (response.Request.ResourceType is "script" or "stylesheet")
            {
                // Read at once: a body is gone once the page navigates on. A 304 has none: the browser's copy is used.
                assets.Enqueue((response, response.Status == 304 ? Task.FromResult("") : DescribeBodyAsync(response)));
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Goes to <paramref name="path"/> and waits until the page has loaded and is quiet.</summary>
    public async Task<IResponse> GotoAsync(string path) =>
        await Page.GotoAsync(path, new() { WaitUntil = WaitUntilState.NetworkIdle })
            ?? throw new InvalidOperationException($"No response for {path}");

    /// <summary>
    /// The page loaded Blazor's script, the site's stylesheet and <paramref name="alsoLoaded"/> (paths, or their
    /// beginnings), and nothing went wrong (<see cref="ExpectNothingWrongAsync"/>).
    /// </summary>
    public async Task ExpectLoadedAsync(params string[] alsoLoaded)
    {
        var loaded = await ExpectNothingWrongAsync();
        foreach (var path in (string[])["/_framework/blazor.web.js", "/app.", .. alsoLoaded])
        {
            Assert.True(loaded.Any(url => url.StartsWith(path, StringComparison.Ordinal)),
                $"{Page.Url} did not load {path}; it loaded: {string.Join(", ", loaded)}");
        }
    }

    /// <summary>
    /// Every script and stylesheet since the last check arrived whole with its right content type, and nothing
    /// else went wrong. Returns the paths of those scripts and stylesheets.
    /// </summary>
    public async Task<List<string>> ExpectNothingWrongAsync() => await ExpectNothingWrongAsync(expected: null);

    /// <summary>
    /// As <see cref="ExpectNothingWrongAsync()"/>, except for problems that <paramref name="expected"/> matches: what
    /// the journey itself causes on purpose (e.g. a participant with a wrong e2ee passphrase makes the others' e2ee
    /// worker log decryption errors).
    /// </summary>
    public async Task<List<string>> ExpectNothingWrongAsync(System.Text.RegularExpressions.Regex? expected)
    {
        var loaded = new List<string>();
        while (assets.TryDequeue(out var asset))
        {
            var (response, body) = asset;
            loaded.Add(new Uri(response.Url).AbsolutePath);
            if (response.Status == 304)
            {
                continue; // from the browser's cache, checked when it arrived
            }
            var expectedType = response.Request.ResourceType == "script" ? "text/javascript" : "text/css";
            var contentType = await response.HeaderValueAsync("content-type") ?? await ServedContentTypeAsync(response);
            var bodyProblem = await body;
            if (response.Status != 200 || !contentType.StartsWith(expectedType, StringComparison.Ordinal) || bodyProblem.Length > 0)
            {
                problems.Enqueue($"{response.Request.ResourceType} {response.Url}: {response.Status}, content type {contentType}{bodyProblem}");
            }
        }

        var seen = new List<string>();
        while (problems.TryDequeue(out var problem))
        {
            if (expected?.IsMatch(problem) != true)
            {
                seen.Add(problem);
            }
        }
        Assert.True(seen.Count == 0, $"On {Page.Url}:{Environment.NewLine}{string.Join(Environment.NewLine, seen)}");
        return loaded;
    }

    /// <summary>
    /// The content type the site serves for a response the browser reported without one. A tab that takes a script
    /// from the browser's memory cache (a second tab of the same profile) is reported with no headers at all, though
    /// the script ran; so ask the site itself, and report "(none)" only when the site really sends none.
    /// </summary>
    async Task<string> ServedContentTypeAsync(IResponse response)
    {
        var again = await Page.APIRequest.GetAsync(response.Url);
        return again.Headers.TryGetValue("content-type", out var served) && (await again.BodyAsync()).Length > 0 ? served : "(none)";
    }

    /// <summary>
    /// "" if the body arrived and is not empty, else what is wrong with it. A page that reloads itself at once (a
    /// meeting link whose fragment changed) drops the browser's copy before it can be read ("No resource with given
    /// identifier found"); then the site is asked for it again, and only a site that serves it empty is a problem.
    /// Chromium never answers for a body whose loading it abandoned without a failure event (seen once in a full
    /// journey run: the suite hung there for 8 minutes), so the browser's copy is waited for at most
    /// <see cref="BodyWait"/>, and then the site is asked in the same way.
    /// </summary>
    async Task<string> DescribeBodyAsync(IResponse response)
    {
        string why;
        try
        {
            return (await response.BodyAsync().WaitAsync(BodyWait)).Length > 0 ? "" : ", empty";
        }
        catch (PlaywrightException exception)
        {
            why = exception.Message.Split('\n')[0];
        }
        catch (TimeoutException)
        {
            why = $"the browser gave no body within {BodyWait.TotalSeconds:0} s";
        }
        var again = await Page.APIRequest.GetAsync(response.Url);
        return again.Ok && (await again.BodyAsync()).Length > 0 ? "" : $", body unavailable ({why}) and {again.Status} from the site";
    }

    static readonly TimeSpan BodyWait = TimeSpan.FromSeconds(20);

    /// <summary>Blazor's circuit is connected: the layout renders interactively only then.</summary>
    public async Task WaitForCircuitAsync() => await Page.Locator("main[data-interactive=true]").WaitForAsync();
}
