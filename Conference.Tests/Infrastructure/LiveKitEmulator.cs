using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Conference.Tests.Infrastructure;

/// <summary>
/// The LiveKit emulator (tools/livekit-emulator, a test double of livekit-server: LiveKit's signalling protocol,
/// a real media relay, LiveKit's room lifecycle, Twirp API and webhooks) on a free port with its own key and
/// secret. Its webhooks go to a capture endpoint in this fixture (<see cref="Webhooks"/>); room timeouts are
/// shortened to <see cref="RoomTimeout"/> so lifecycle tests do not wait LiveKit's 20 s and 5 min.
/// What it does not do is listed in docs/testing.md.
/// </summary>
public class LiveKitEmulator : LocalServer
{
    HttpListener webhookListener = new();
    readonly ConcurrentQueue<ReceivedWebhook> webhooks = new();
    readonly SemaphoreSlim webhookArrived = new(0);
    int failuresToInject;

    public LiveKitEmulator() : this("livekit-emulator")
    {
    }

    protected LiveKitEmulator(string name) : base(name)
    {
        WebhookPort = LocalMachine.FreePort();
        TestControlPort = LocalMachine.FreePort();
    }

    /// <summary>The API key it accepts and signs webhooks with (settable: a fixture may give the key its app is configured with).</summary>
    public string ApiKey { get; init; } = "APIemulator";

    public string ApiSecret { get; init; } = NewPassword() + NewPassword();

    /// <summary>The URL livekit-client connects to (<c>ws://127.0.0.1:PORT</c>).</summary>
    public Uri Url => new($"ws://127.0.0.1:{Port}");

    /// <summary>The same server for the Twirp API.</summary>
    public Uri HttpUrl => new($"http://127.0.0.1:{Port}");

    /// <summary>How long an empty room stays open (both of LiveKit's timeouts, shortened).</summary>
    public virtual TimeSpan RoomTimeout => TimeSpan.FromSeconds(2);

    public int WebhookPort { get; }

    /// <summary>Loopback port of the emulator's test controls (<c>--test-control-port</c>; not part of LiveKit).</summary>
    public int TestControlPort { get; }

    /// <summary>
    /// Cuts <paramref name="identity"/>'s signalling socket in <paramref name="room"/> as a lost network would (no
    /// close frame); for <paramref name="offline"/> their new sockets are cut too. With <paramref name="forget"/> the
    /// emulator also loses the participant (as a restarted LiveKit node would), so the client cannot resume and
    /// reconnects in full. Returns the sid that was cut.
    /// </summary>
    public Task<string> DropSignalAsync(string room, string identity, TimeSpan? offline = null, bool forget = false) =>
        DropSignalAsync(TestControlPort, room, identity, offline, forget);

    /// <summary><see cref="DropSignalAsync(string, string, TimeSpan?, bool)"/> for an emulator whose test controls listen on <paramref name="controlPort"/>.</summary>
    public static async Task<string> DropSignalAsync(int controlPort, string room, string identity, TimeSpan? offline = null, bool forget = false)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var query = $"room={Uri.EscapeDataString(room)}&identity={Uri.EscapeDataString(identity)}" +
            $"&offline-ms={(int)(offline ?? TimeSpan.Zero).TotalMilliseconds}" + (forget ? "&forget=1" : "");
        using var response = await http.PostAsync($"http://127.0.0.1:{controlPort}/signal/drop?{query}", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"the emulator's test control answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["sid"]!.GetValue<string>();
    }

    /// <summary>
    /// Makes every track published in <paramref name="room"/> by now lose <paramref name="percent"/> % of its packets
    /// (retransmissions too) on arrival at the emulator, as a lossy network between publisher and server would (the
    /// test control <c>POST /media/loss</c>). Returns how many tracks it applies to.
    /// </summary>
    public async Task<int> SetMediaLossAsync(string room, double percent)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var query = $"room={Uri.EscapeDataString(room)}&percent={percent.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        using var response = await http.PostAsync($"http://127.0.0.1:{TestControlPort}/media/loss?{query}", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"the emulator's test control answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["tracks"]!.GetValue<int>();
    }

    /// <summary>
    /// Every egress of <paramref name="room"/> with its status and story (what it received, wrote, uploaded, and how
    /// each webhook receiver answered), as the emulator's test control <c>GET /egress</c> tells it: for failure messages.
    /// </summary>
    public static async Task<string> EgressStoriesAsync(int controlPort, string room)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var body = await http.GetStringAsync($"http://127.0.0.1:{controlPort}/egress?room={Uri.EscapeDataString(room)}");
            return JsonNode.Parse(body)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return $"(the emulator's test control did not answer: {exception.Message})";
        }
    }

    /// <summary>
    /// What the relay did with each published track of <paramref name="room"/> (the emulator's test control
    /// <c>GET /media</c>): the simulcast layer forwarded and any switch waited for, packets, keyframes and PLIs per
    /// layer, keyframe requests from subscribers, and its story; then each participant's connection (resumes, ICE
    /// restarts, peer connection states and candidate pairs) — for failure messages about video that stopped.
    /// </summary>
    public static async Task<string> MediaStoriesAsync(int controlPort, string room)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var body = await http.GetStringAsync($"http://127.0.0.1:{controlPort}/media?room={Uri.EscapeDataString(room)}");
            return JsonNode.Parse(body)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return $"(the emulator's test control did not answer: {exception.Message})";
        }
    }

    /// <summary>
    /// Samples GET /media once a second until <paramref name="stop"/>; returns one line per second and camera layer:
    /// packets received, keyframes, packets NACKed and recovered since the last line, ms since its last media, and what
    /// each subscriber's down track sent meanwhile and which layer it forwards and waits for.
    /// </summary>
    public static async Task<string> MediaTimelineAsync(int controlPort, string room, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var lines = new System.Text.StringBuilder();
        var before = new Dictionary<string, long>();
        var started = DateTime.UtcNow;
        long Delta(string key, JsonNode? value)
        {
            var now = value?.GetValueKind() == System.Text.Json.JsonValueKind.Number ? value.GetValue<long>() : 0;
            var delta = now - before.GetValueOrDefault(key);
            before[key] = now;
            return delta;
        }
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var body = await http.GetStringAsync($"http://127.0.0.1:{controlPort}/media?room={Uri.EscapeDataString(room)}", stop);
                var second = (int)(DateTime.UtcNow - started).TotalSeconds;
                foreach (var track in JsonNode.Parse(body)!.AsArray().Where(t => t?["kind"]?.GetValue<string>() == "video"))
                {
                    var name = $"{track!["identity"]}/{track["source"]}";
                    var layers = track["layers"]!.AsArray().Select(l =>
                    {
                        var key = $"{name}/{l!["rid"]}";
                        return $"{l["rid"]}: +{Delta(key + "p", l["packets"])} pkts +{Delta(key + "k", l["keyframes"])} kf +{Delta(key + "n", l["nacked"])} nack +{Delta(key + "r", l["recovered"])} rec +{Delta(key + "l", l["plis"])} pli, last {l["lastMediaMsAgo"]} ms";
                    });
                    var downs = track["downTracks"]!.AsArray().Select((d, i) =>
                        $"down{i}: +{Delta($"{name}/d{i}", d!["sent"])} sent {d["current"]}→{d["wanted"]}");
                    lines.AppendLine($"{second,3} s {name} [{string.Join("; ", layers)}] [{string.Join("; ", downs)}]");
                }
                await Task.Delay(1000, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception exception) when (exception is HttpRequestException or System.Text.Json.JsonException or InvalidOperationException)
            {
                lines.AppendLine($"(the test control did not answer: {exception.Message})");
                await Task.Delay(1000, CancellationToken.None);
            }
        }
        return lines.ToString();
    }

    /// <summary>Our own RoomService client (Conference.LiveKit) with the emulator's key: for tests to see or set up its rooms.</summary>
    public Conference.LiveKit.RoomServiceClient RoomService() => new(new HttpClient(),
        Microsoft.Extensions.Options.Options.Create(new Conference.LiveKit.LiveKitOptions { Url = HttpUrl, ApiKey = ApiKey, ApiSecret = ApiSecret }));

    /// <summary>Every webhook received so far, in arrival order (duplicates and retries included).</summary>
    public IReadOnlyList<ReceivedWebhook> Webhooks => [.. webhooks];

    /// <summary>The next <paramref name="count"/> webhook deliveries are answered 503, to see the emulator retry.</summary>
    public void FailNextWebhooks(int count) => Interlocked.Exchange(ref failuresToInject, count);

    /// <summary>
    /// When set, every delivery is handed on as it arrives (same body, same Authorization) and answered with the status
    /// this returns, so a receiver (the api) gets exactly the emulator's deliveries, retries, order and duplicates included.
    /// </summary>
    public Func<ReceivedWebhook, Task<int>>? Relay { get; set; }

    /// <summary>Extra command-line switches (test switches such as <c>--webhook-shuffle</c>).</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    /// <summary>Waits until a webhook matching <paramref name="match"/> has arrived and returns it.</summary>
    public async Task<ReceivedWebhook> WaitForWebhookAsync(Func<ReceivedWebhook, bool> match, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (webhooks.FirstOrDefault(match) is { } found)
            {
                return found;
            }
            try
            {
                await webhookArrived.WaitAsync(TimeSpan.FromMilliseconds(200), cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"No matching webhook within {(timeout ?? TimeSpan.FromSeconds(20)).TotalSeconds:0} s. Received: " +
                    string.Join(", ", webhooks.Select(w => w.Event)) + Environment.NewLine + "Emulator output:" + Environment.NewLine + Output);
            }
        }
    }

    protected override Task StartAsync()
    {
        // A new listener each start: StopForNowAsync closed the last one (see StopAsync).
        webhookListener = new HttpListener();
        webhookListener.Prefixes.Add($"http://127.0.0.1:{WebhookPort}/");
        webhookListener.Start();
        _ = CaptureWebhooksAsync(webhookListener);

        var config = Path.Combine(WorkDirectory, "livekit.yaml");
        File.WriteAllText(config, $"""
            port: {Port}
            bind_addresses:
              - "127.0.0.1"
            rtc:
              tcp_port: 0
              udp_port: 0
            keys:
              "{ApiKey}": "{ApiSecret}"
            webhook:
              api_key: "{ApiKey}"
              urls:
                - "http://127.0.0.1:{WebhookPort}/webhooks"
            room:
              auto_create: true
              empty_timeout: 300
              departure_timeout: 20
            logging:
              level: info
              json: true
            """);
        var launcher = Path.Combine(LocalMachine.RepositoryRoot, "tools", "livekit-emulator", "bin", "livekit-server");
        if (!Directory.Exists(Path.Combine(LocalMachine.RepositoryRoot, "tools", "livekit-emulator", "node_modules")))
        {
            throw new InvalidOperationException("The LiveKit emulator's packages are missing: run ./test.sh (or npm ci in tools/livekit-emulator).");
        }
        return StartProcessAsync(launcher,
            ["--config", config, "--room-timeouts-ms", ((int)RoomTimeout.TotalMilliseconds).ToString(), "--webhook-retry-ms", "200",
                "--test-control-port", TestControlPort.ToString(), .. ExtraArguments],
            AnswersHttpAsync);
    }

    /// <summary>
    /// Stops the emulator as a dead LiveKit server would be (SIGTERM to its process group, which the watchdog started
    /// in a session of its own), so <see cref="LocalServer.StopForNowAsync"/> can take it away and bring it back on the
    /// same port; the webhook capture closes too.
    /// </summary>
    protected override async Task StopAsync()
    {
        webhookListener.Close();
        foreach (var group in SessionLeadersUnder(ProcessId))
        {
            using var kill = Process.Start("kill", ["-TERM", "--", $"-{group}"]);
            await kill.WaitForExitAsync();
        }
    }

    /// <summary>Children of <paramref name="parent"/> that lead a process group of their own (from /proc/PID/stat).</summary>
    static IEnumerable<int> SessionLeadersUnder(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // gone meanwhile
            }
            // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so read after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1]) == parent && int.Parse(fields[2]) == pid)
            {
                yield return pid;
            }
        }
    }

    async Task AnswersHttpAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var response = await http.GetAsync(HttpUrl, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    async Task CaptureWebhooksAsync(HttpListener webhookListener)
    {
        while (webhookListener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await webhookListener.GetContextAsync();
            }
            catch (Exception) when (!webhookListener.IsListening)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            if (Interlocked.Decrement(ref failuresToInject) >= 0)
            {
                context.Response.StatusCode = 503;
                context.Response.Close();
                continue;
            }
            Interlocked.Exchange(ref failuresToInject, 0);
            var hook = new ReceivedWebhook(body, context.Request.Headers["Authorization"] ?? "",
                context.Request.ContentType ?? "", DateTimeOffset.UtcNow);
            var status = Relay is { } relay ? await relay(hook) : 200;
            if (status is < 200 or > 299)
            {
                context.Response.StatusCode = status; // the emulator retries it, as LiveKit would
                context.Response.Close();
                continue;
            }
            webhooks.Enqueue(hook);
            context.Response.StatusCode = 200;
            context.Response.Close();
            webhookArrived.Release();
        }
    }
}

/// <summary>One webhook POST as it arrived: the exact body, its Authorization JWT and content type.</summary>
public sealed record ReceivedWebhook(string Body, string Authorization, string ContentType, DateTimeOffset ReceivedAt)
{
    public JsonNode Json { get; } = JsonNode.Parse(Body)!;

    public string Event => Json["event"]?.GetValue<string>() ?? "";

    public string Id => Json["id"]?.GetValue<string>() ?? "";

    public string? RoomName => Json["room"]?["name"]?.GetValue<string>();

    public string? RoomSid => Json["room"]?["sid"]?.GetValue<string>();

    public string? Identity => Json["participant"]?["identity"]?.GetValue<string>();

    public string? ParticipantSid => Json["participant"]?["sid"]?.GetValue<string>();

    public override string ToString() => $"{Event} {RoomName} {Identity} {ParticipantSid}";
}
