using Conference.LiveKit;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Emulator;

/// <summary>
/// Debian Chromium with fake camera and microphone (as the web tests launch it) and autoplay allowed, so received
/// audio plays unmuted and an AnalyserNode can measure it. Each <see cref="JoinAsync"/> is a fresh profile on
/// call-page.html, which runs the pinned livekit-client.
/// </summary>
public sealed class CallBrowser : IAsyncLifetime
{
    // The page is served from loopback (a secure context, and in the same address space as the emulator, so
    // Chromium's local network access checks let it reach the emulator as a public page reaches a public LiveKit).
    readonly int pagePort = LocalMachine.FreePort();
    readonly System.Net.HttpListener pageServer = new();
    static readonly string PageFile = Path.Combine(AppContext.BaseDirectory, "Emulator", "call-page.html");
    static readonly string ClientBundle = Path.Combine(LocalMachine.RepositoryRoot,
        "tools", "livekit-emulator", "node_modules", "livekit-client", "dist", "livekit-client.umd.js");

    IPlaywright? playwright;
    IBrowser? browser;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("not started");

    string PageOrigin => $"http://localhost:{pagePort}/";

    public async Task InitializeAsync()
    {
        pageServer.Prefixes.Add(PageOrigin);
        pageServer.Start();
        _ = ServePageAsync();
        playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        browser = await LaunchAsync();
    }

    Task<IBrowser> LaunchAsync(params string[] extraArguments) =>
        playwright!.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--autoplay-policy=no-user-gesture-required", .. extraArguments,
            ],
        });

    /// <summary>
    /// A Chromium of its own (its own processes), for a test that kills it as a crash or the OOM killer would: the
    /// browser process's id is found by a switch only this launch carries (Chromium ignores switches it does not know).
    /// </summary>
    public async Task<OwnBrowser> LaunchOwnAsync()
    {
        var marker = $"--conference-test-browser={Guid.NewGuid():N}";
        var own = await LaunchAsync(marker);
        var pid = Conference.Tests.AppHost.LocalProcesses.SingleProcessIdContaining(marker, without: "--type=");
        return new OwnBrowser(own, pid);
    }

    async Task ServePageAsync()
    {
        while (pageServer.IsListening)
        {
            System.Net.HttpListenerContext context;
            try
            {
                context = await pageServer.GetContextAsync();
            }
            catch (Exception)
            {
                return;
            }
            var bundle = context.Request.Url?.AbsolutePath.EndsWith("livekit-client.umd.js", StringComparison.Ordinal) == true;
            context.Response.ContentType = bundle ? "text/javascript" : "text/html";
            var bytes = await File.ReadAllBytesAsync(bundle ? ClientBundle : PageFile);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public async Task DisposeAsync()
    {
        pageServer.Close();
        if (browser is not null)
        {
            await browser.CloseAsync();
        }
        playwright?.Dispose();
    }

    /// <summary>Opens the call page in a new profile, connects to <paramref name="emulator"/> and (optionally) publishes camera and microphone.</summary>
    /// <remarks>With <paramref name="adaptiveStream"/>, livekit-client asks for each remote video at the size of its element (160x90 at first) and for none while it is hidden.</remarks>
    public async Task<CallPage> JoinAsync(LiveKitEmulator emulator, string room, string identity, bool publish = true,
        Func<VideoGrants, VideoGrants>? grants = null, bool singlePeerConnection = true, bool adaptiveStream = false)
    {
        return await JoinWithTokenAsync(emulator, Token(emulator, room, identity, grants), identity, publish, singlePeerConnection, adaptiveStream);
    }

    /// <summary>Opens the call page and connects with <paramref name="token"/> (one an application issued).</summary>
    public async Task<CallPage> JoinWithTokenAsync(LiveKitEmulator emulator, string token, string identity, bool publish = true,
        bool singlePeerConnection = true, bool adaptiveStream = false, IBrowser? inBrowser = null)
    {
        var page = await OpenAsync(inBrowser);
        var console = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Console += (_, message) => console.Enqueue($"{message.Type}: {message.Text}");
        try
        {
            var sid = await page.EvaluateAsync<string>("([url, token, publish, single, adaptive]) => window.join(url, token, publish, single, adaptive)",
                new object[] { emulator.Url.ToString(), token, publish, singlePeerConnection, adaptiveStream });
            return new CallPage(page, identity, sid) { Console = console };
        }
        catch (PlaywrightException e)
        {
            throw new InvalidOperationException($"{identity} could not join: {e.Message}{Environment.NewLine}Browser console:{Environment.NewLine}" +
                string.Join(Environment.NewLine, console) + $"{Environment.NewLine}Emulator output:{Environment.NewLine}{emulator.Output}", e);
        }
    }

    /// <summary>Every browser context opened and not yet closed by <see cref="CloseLeftOpenAsync"/>.</summary>
    readonly System.Collections.Concurrent.ConcurrentQueue<IBrowserContext> opened = new();

    /// <summary>
    /// Closes every page opened so far (each in its own context). A failed test skips its own leaving and closing, and
    /// its pages went on publishing camera and microphone: in ci43 one failure left two such pages, the machine's load
    /// rose to 55 and the next four tests failed one after another. <see cref="CallBrowserTest"/> calls it after each test.
    /// </summary>
    public async Task CloseLeftOpenAsync()
    {
        while (opened.TryDequeue(out var context))
        {
            try
            {
                await context.CloseAsync();
            }
            catch (PlaywrightException)
            {
                // Closed already (the test closed it, or its browser was killed).
            }
        }
    }

    public async Task<IPage> OpenAsync(IBrowser? inBrowser = null)
    {
        var context = await (inBrowser ?? Browser).NewContextAsync(new BrowserNewContextOptions { Permissions = ["camera", "microphone"] });
        opened.Enqueue(context);
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync(PageOrigin);
        return page;
    }

    public static string Token(LiveKitEmulator emulator, string room, string identity, Func<VideoGrants, VideoGrants>? grants = null) =>
        new AccessToken(emulator.ApiKey, emulator.ApiSecret)
            .WithIdentity(identity)
            .WithName(identity)
            .WithGrants((grants ?? (g => g))(new VideoGrants { RoomJoin = true, Room = room }))
            .WithTtl(TimeSpan.FromMinutes(10))
            .ToJwt();
}

/// <summary>A Chromium launched for one test (<see cref="CallBrowser.LaunchOwnAsync"/>), with its browser process's id.</summary>
public sealed record OwnBrowser(IBrowser Browser, int Pid) : IAsyncDisposable
{
    /// <summary>
    /// SIGKILL to the browser process and all its children (renderers, network service): no page sees pagehide,
    /// no LeaveRequest is sent; the kernel closes its sockets, so the signal WebSocket ends with a FIN and the peer
    /// connections simply go silent — what a crash or the OOM killer look like.
    /// </summary>
    public void Kill() => System.Diagnostics.Process.GetProcessById(Pid).Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Browser.CloseAsync();
        }
        catch (PlaywrightException)
        {
            // Already killed.
        }
    }
}

/// <summary>One person in a test call: the page and what livekit-client in it reports.</summary>
public sealed record CallPage(IPage Page, string Identity, string Sid)
{
    /// <summary>What the page wrote to its console ("type: text"), livekit-client's log included.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Console { get; init; } = new();

    /// <summary>The console's errors and warnings, but for Chromium's autoplay notices.</summary>
    public IEnumerable<string> Problems => Console.Where(line => line.StartsWith("error:", StringComparison.Ordinal));

    /// <summary>This page's camera as it publishes it: one entry per simulcast layer (Chromium's outbound-rtp, via livekit-client).</summary>
    public Task<PublishedLayer[]> PublishedVideoAsync() => Page.EvaluateAsync<PublishedLayer[]>("() => window.publishedVideo()");

    /// <summary><paramref name="from"/>'s camera as received here: decoded size and Chromium's inbound-rtp counters.</summary>
    public Task<ReceivedVideo> ReceivedVideoAsync(string from) =>
        Page.EvaluateAsync<ReceivedVideo>("([id]) => window.receivedVideo(id)", new object[] { from });

    /// <summary>Sets the CSS size of <paramref name="from"/>'s camera element (what adaptive stream asks for).</summary>
    public Task SetVideoSizeAsync(string from, int width, int height) =>
        Page.EvaluateAsync("([id, w, h]) => window.setVideoSize(id, w, h)", new object[] { from, width, height });

    /// <summary>Hides (<c>display: none</c>) or shows <paramref name="from"/>'s camera element.</summary>
    public Task HideVideoAsync(string from, bool hidden) =>
        Page.EvaluateAsync("([id, hidden]) => window.hideVideo(id, hidden)", new object[] { from, hidden });

    /// <summary>livekit-client's RemoteTrackPublication.setVideoQuality for <paramref name="from"/>'s camera: LOW, MEDIUM or HIGH.</summary>
    public Task SetVideoQualityAsync(string from, string quality) =>
        Page.EvaluateAsync("([id, quality]) => window.setVideoQuality(id, quality)", new object[] { from, quality });

    public Task<string[]> RemoteIdentitiesAsync() => Page.EvaluateAsync<string[]>("() => window.remoteIdentities()");

    /// <summary>Waits until <paramref name="from"/>'s camera plays here: frames decoded and the clock advancing.</summary>
    public async Task<(int Width, int Height)> WaitForVideoAsync(string from)
    {
        try
        {
            await Page.WaitForFunctionAsync(
                "([id]) => { const s = window.videoState(id); return s && s.width > 0 && s.time > 0.5; }",
                new object[] { from }, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 200 });
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{Identity} sees no video from {from}. What the page saw: " +
                await Page.EvaluateAsync<string>("""
                    () => JSON.stringify({ events: window.events, videos: [...document.querySelectorAll('video')].map(v => [v.id, v.videoWidth, v.currentTime]),
                      remotes: window.room ? [...window.room.remoteParticipants.values()].map(p => [p.identity, p.sid, [...p.trackPublications.values()].map(t => [t.source, t.trackSid, t.isSubscribed])]) : [] })
                    """), e);
        }
        var first = await Page.EvaluateAsync<VideoState>("([id]) => window.videoState(id)", new object[] { from });
        await Page.WaitForFunctionAsync(
            "([id, t]) => window.videoState(id).time > t + 0.5", new object[] { from, first.Time },
            new PageWaitForFunctionOptions { Timeout = 10_000, PollingInterval = 200 });
        return (first.Width, first.Height);
    }

    /// <summary>Waits until the audio from <paramref name="from"/> has a level above silence, and returns it.</summary>
    public async Task<double> WaitForAudioAsync(string from)
    {
        // Chromium's fake microphone beeps with silence between: the level is taken when it is heard.
        var heard = await Page.WaitForFunctionAsync("([id]) => { const level = window.audioLevel(id); return level > 0.01 ? level : false; }",
            new object[] { from }, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 50 });
        return await heard.JsonValueAsync<double>();
    }

    public Task SendDataAsync(string text, bool reliable = true, string? topic = null, string[]? to = null) =>
        Page.EvaluateAsync("([text, reliable, topic, to]) => window.sendData(text, reliable, topic ?? undefined, to ?? undefined)",
            new object?[] { text, reliable, topic, to });

    /// <summary>
    /// Sends <paramref name="text"/> on the lossy (unreliable) channel every 500 ms until <paramref name="receiver"/>
    /// has it, at most 30 times, and returns it as received.
    /// </summary>
    public async Task<ReceivedData> SendLossyUntilReceivedAsync(CallPage receiver, string text)
    {
        for (var sent = 0; sent < 30; sent++)
        {
            await SendDataAsync(text, reliable: false);
            try
            {
                await receiver.Page.WaitForFunctionAsync("([text]) => window.received.some(r => r.text === text)", new object[] { text },
                    new PageWaitForFunctionOptions { Timeout = 500, PollingInterval = 50 });
                return await receiver.Page.EvaluateAsync<ReceivedData>("([text]) => window.received.find(r => r.text === text)", new object[] { text });
            }
            catch (TimeoutException)
            {
                // Not there yet: send it again.
            }
        }
        throw new TimeoutException($"{receiver.Identity} received none of 30 lossy copies of \"{text}\" from {Identity} in 15 s");
    }

    public async Task<ReceivedData> WaitForDataAsync(string text)
    {
        await Page.WaitForFunctionAsync("([text]) => window.received.some(r => r.text === text)", new object[] { text },
            new PageWaitForFunctionOptions { Timeout = 15_000, PollingInterval = 100 });
        return await Page.EvaluateAsync<ReceivedData>("([text]) => window.received.find(r => r.text === text)", new object[] { text });
    }

    public Task<ReceivedData[]> ReceivedAsync() => Page.EvaluateAsync<ReceivedData[]>("() => window.received");

    public Task WaitForEventAsync(string expression) =>
        Page.WaitForFunctionAsync($"() => window.events.some(e => {expression})", null,
            new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });

    public Task LeaveAsync() => Page.EvaluateAsync("() => window.room.disconnect()");

    public Task CloseAsync() => Page.Context.CloseAsync();

    sealed class VideoState
    {
        public int Width { get; set; }
        public int Height { get; set; }
        public double Time { get; set; }
    }
}

/// <summary>One simulcast layer of a published camera: frames sent so far, their size, and when this was read (ms since the epoch).</summary>
public sealed class PublishedLayer
{
    public string Rid { get; set; } = "";
    public long FramesSent { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public double At { get; set; }
}

/// <summary>A remote camera as received: decoded frame size, frames decoded and RTP packets received so far.</summary>
public sealed class ReceivedVideo
{
    public int Width { get; set; }
    public int Height { get; set; }
    public long FramesDecoded { get; set; }
    public long PacketsReceived { get; set; }
}

/// <summary>A data message as livekit-client delivered it.</summary>
public sealed class ReceivedData
{
    public string Text { get; set; } = "";
    public string? From { get; set; }
    public string? Topic { get; set; }
}

/// <summary>
/// A test of the emulator collection that opens call pages: whatever it left open is closed after it, passed or
/// failed (<see cref="CallBrowser.CloseLeftOpenAsync"/>); tests of one collection run one at a time.
/// </summary>
public abstract class CallBrowserTest(CallBrowser browser) : IAsyncLifetime
{
    /// <summary>The collection's Chromium, serving the call page.</summary>
    protected CallBrowser Browser => browser;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => browser.CloseLeftOpenAsync();
}
