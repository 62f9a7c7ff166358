using System.Net;
using System.Net.Sockets;
using System.Text;
using Conference.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;

namespace Conference.Tests.Deploy;

/// <summary>
/// The repository's Caddyfile, run by a real Caddy the way production runs it (site addresses over plain HTTP):
/// bodies over a route's limit never reach the upstream, and the page's Content-Security-Policy lets a recording
/// play from the object storage's origin, and from no other.
/// </summary>
public sealed class CaddyLimitsAndPolicyTests
{
    static readonly string Caddyfile = File.ReadAllText(Path.Combine(LocalMachine.RepositoryRoot, "Caddyfile"));

    static Task<CaddyServer> StartCaddyAsync(StubUpstream web, StubUpstream api, string? storageOrigin = null) =>
        CaddyServer.StartAsync(Caddyfile, port => new Dictionary<string, string>
        {
            ["SITE_ADDRESS"] = $"http://localhost:{port}",
            ["LIVEKIT_SITE_ADDRESS"] = $"http://livekit.localhost:{port}",
            ["DASHBOARD_SITE_ADDRESS"] = $"http://dashboard.localhost:{port}",
            ["LIVEKIT_PUBLIC_ORIGIN"] = $"ws://livekit.localhost:{port}",
            ["LIVEKIT_PUBLIC_HTTP_ORIGIN"] = $"http://livekit.localhost:{port}",
            ["STORAGE_ORIGIN"] = storageOrigin ?? "",
            ["WEB_UPSTREAM"] = web.HostAndPort,
            ["API_UPSTREAM"] = api.HostAndPort,
            ["CADDY_ADMIN"] = "off",
        });

    [Fact]
    public async Task Eight_20_MB_sign_ins_are_refused_with_413_before_a_byte_reaches_the_api()
    {
        await using var web = await StubUpstream.StartAsync("web");
        await using var api = await StubUpstream.StartAsync("api");
        await using var caddy = await StartCaddyAsync(web, api);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            SendHeadersOnlyAsync(caddy.Port, $"localhost:{caddy.Port}", "/api/accounts/signin", 20 * 1024 * 1024)));

        Assert.All(answers, answer => Assert.StartsWith("HTTP/1.1 413", answer));
        Assert.Equal(0, api.BodyBytesReceived);
    }

    [Theory]
    [InlineData("/api/accounts/signin", 16 * 1024, true)]
    [InlineData("/api/accounts/signin", 16 * 1024 + 1, false)]
    [InlineData("/api/webhooks/livekit", 1024 * 1024, true)]
    [InlineData("/api/webhooks/livekit", 1024 * 1024 + 1, false)]
    [InlineData("/account/signin", 64 * 1024, true)]
    [InlineData("/account/signin", 64 * 1024 + 1, false)]
    public async Task Each_route_takes_bodies_up_to_its_limit(string path, int size, bool passes)
    {
        await using var web = await StubUpstream.StartAsync("web");
        await using var api = await StubUpstream.StartAsync("api");
        await using var caddy = await StartCaddyAsync(web, api);
        using var http = new HttpClient { BaseAddress = caddy.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(new byte[size]),
            Headers = { Host = $"localhost:{caddy.Port}" },
        };

        using var response = await http.SendAsync(request);

        Assert.Equal(passes ? HttpStatusCode.OK : HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(passes ? size : 0, api.BodyBytesReceived + web.BodyBytesReceived);
    }

    /// <summary>
    /// The api's callers read RFC 7807 problems: a 3 MB body is refused by Caddy as the api would refuse it, whether
    /// Caddy sees its size at once (Content-Length) or cuts it off while it streams (chunked).
    /// </summary>
    [Theory]
    [InlineData("/api/meetings", false, 16384)]
    [InlineData("/api/meetings", true, 16384)]
    [InlineData("/api/webhooks/livekit", false, 1048576)]
    [InlineData("/api/webhooks/livekit", true, 1048576)]
    public async Task A_body_over_an_api_limit_is_refused_with_a_problem_that_says_the_limit(string path, bool chunked, int limit)
    {
        await using var web = await StubUpstream.StartAsync("web");
        await using var api = await StubUpstream.StartAsync("api");
        await using var caddy = await StartCaddyAsync(web, api);
        using var http = new HttpClient { BaseAddress = caddy.BaseUrl };
        var body = new byte[3 * 1024 * 1024];
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            // A stream of unknown length goes chunked; a byte array carries its Content-Length.
            Content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body),
            Headers = { Host = $"localhost:{caddy.Port}" },
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = chunked;

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadProblemAsync();
        Assert.Equal(413, problem.Status);
        Assert.Contains($"at most {limit} bytes", Assert.Single(problem.Errors["body"]));
    }

    [Fact]
    public async Task Headers_larger_than_the_limit_are_refused()
    {
        await using var web = await StubUpstream.StartAsync("web");
        await using var api = await StubUpstream.StartAsync("api");
        await using var caddy = await StartCaddyAsync(web, api);
        using var http = new HttpClient { BaseAddress = caddy.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/meetings") { Headers = { Host = $"localhost:{caddy.Port}" } };
        request.Headers.TryAddWithoutValidation("X-Padding", new string('a', 24 * 1024));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_recording_plays_from_the_storage_origin_named_in_the_policy_and_not_from_another()
    {
        await using var storage = await VideoStorage.StartAsync();
        await using var web = await PlayerPage.StartAsync(storage.VideoUrl);
        await using var api = await StubUpstream.StartAsync("api");
        await using var allowed = await StartCaddyAsync(web.Upstream, api, storageOrigin: storage.Origin);
        await using var other = await StartCaddyAsync(web.Upstream, api, storageOrigin: "https://objectstorage.example.org");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"],
        });
        // The video itself is made by Chromium (MediaRecorder on a canvas): a real, playable WebM.
        var maker = await browser.NewPageAsync();
        storage.Video = await RecordVideoAsync(maker);

        Assert.Equal("playing", await PlayAsync(browser, allowed.Port));
        Assert.Equal("blocked", await PlayAsync(browser, other.Port));
    }

    /// <summary>Opens the player page through Caddy; "playing" once the video has played a moment, else "blocked".</summary>
    static async Task<string> PlayAsync(IBrowser browser, int caddyPort)
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) violations.Add(message.Text); };
        // Chromium resolves *.localhost to the loopback, as the site address expects.
        await page.GotoAsync($"http://localhost:{caddyPort}/recordings/player");
        return await page.EvaluateAsync<string>("""
            () => new Promise(resolve => {
              const video = document.querySelector('video');
              const timer = setTimeout(() => resolve('blocked'), 10000);
              const check = () => { if (video.currentTime > 0.2) { clearTimeout(timer); resolve('playing'); } };
              video.addEventListener('timeupdate', check);
              video.addEventListener('error', () => { clearTimeout(timer); resolve('blocked'); });
              video.muted = true;
              video.play().catch(() => {});
              check();
            })
            """);
    }

    static async Task<byte[]> RecordVideoAsync(IPage page) => Convert.FromBase64String(await page.EvaluateAsync<string>("""
        async () => {
          const canvas = Object.assign(document.createElement('canvas'), { width: 160, height: 90 });
          const context = canvas.getContext('2d');
          const recorder = new MediaRecorder(canvas.captureStream(15), { mimeType: 'video/webm' });
          const chunks = [];
          recorder.ondataavailable = e => chunks.push(e.data);
          let frame = 0;
          const timer = setInterval(() => { context.fillStyle = `hsl(${frame++ * 12}, 70%, 50%)`; context.fillRect(0, 0, 160, 90); }, 60);
          recorder.start();
          await new Promise(resolve => setTimeout(resolve, 2000));
          const done = new Promise(resolve => recorder.onstop = resolve);
          recorder.stop();
          await done;
          clearInterval(timer);
          const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
          let binary = '';
          for (const b of bytes) binary += String.fromCharCode(b);
          return btoa(binary);
        }
        """));

    /// <summary>Sends a POST's headers announcing <paramref name="contentLength"/> bytes, and returns the status line that comes back.</summary>
    static async Task<string> SendHeadersOnlyAsync(int port, string host, string path, long contentLength)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadLineAsync(timeout.Token) ?? "";
    }

    /// <summary>Object storage on its own origin: serves one video, with ranges, as a presigned link would.</summary>
    sealed class VideoStorage : IAsyncDisposable
    {
        readonly WebApplication app;

        VideoStorage(WebApplication app, int port)
        {
            this.app = app;
            Origin = $"http://127.0.0.1:{port}";
        }

        public byte[] Video { get; set; } = [];

        public string Origin { get; }

        public string VideoUrl => $"{Origin}/recordings/meeting.webm?X-Amz-Signature=abc";

        public static async Task<VideoStorage> StartAsync()
        {
            var port = LocalMachine.FreePort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            var app = builder.Build();
            var storage = new VideoStorage(app, port);
            app.MapGet("/recordings/meeting.webm", () => Results.Bytes(storage.Video, "video/webm", enableRangeProcessing: true));
            await app.StartAsync();
            return storage;
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }

    /// <summary>The web app's stand-in: a page with a video whose source is on the storage origin.</summary>
    sealed class PlayerPage : IAsyncDisposable
    {
        readonly WebApplication app;

        PlayerPage(WebApplication app, StubUpstream upstream)
        {
            this.app = app;
            Upstream = upstream;
        }

        public StubUpstream Upstream { get; }

        public static async Task<PlayerPage> StartAsync(string videoUrl)
        {
            var port = LocalMachine.FreePort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            var app = builder.Build();
            app.MapGet("/recordings/player", () => Results.Content(
                $"<!doctype html><title>Recording</title><video controls playsinline src=\"{videoUrl}\"></video>", "text/html"));
            await app.StartAsync();
            return new PlayerPage(app, StubUpstream.At("web", port));
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
