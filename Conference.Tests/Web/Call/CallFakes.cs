using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Bunit;
using Conference.Web.Api;
using Conference.Web.Components.Call;
using Conference.Web.Meetings;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Conference.Tests.Web.Call;

/// <summary>Stands in for the browser's call module: records what the page asks and lets a test play LiveKit's events.</summary>
public sealed class FakeCallMedia : ICallMedia
{
    public readonly List<string> Calls = [];
    public readonly Queue<ConnectResult> ConnectResults = new();
    public ICallEvents? Events { get; private set; }
    public (string Url, string Token, MediaChoices Choices, bool Encrypted)? LastConnect { get; private set; }

    public Task<ConnectResult> ConnectAsync(string url, string token, MediaChoices choices, bool encrypted, ICallEvents events)
    {
        Events = events;
        LastConnect = (url, token, choices, encrypted);
        Calls.Add("connect");
        if (FailNext is { } failure)
        {
            FailNext = null;
            throw failure;
        }
        return Task.FromResult(ConnectResults.Count > 0 ? ConnectResults.Dequeue() : new ConnectResult(true));
    }

    /// <summary>
    /// The call this browser tab is still in, which a new circuit takes over (AttachAsync): plays what the module hands
    /// the new circuit (state, people, the chat so far). Null: no call to take over, as after a reload.
    /// </summary>
    public Func<ICallEvents, Task>? LiveCall { get; set; }

    public async Task<bool> AttachAsync(ICallEvents events)
    {
        Calls.Add("attach");
        if (LiveCall is null)
        {
            return false;
        }
        Events = events;
        await LiveCall(events);
        return true;
    }

    public Task ResyncAsync(string? lastChatId) => FailNext is { } failure ? Fail(failure) : Record($"resync:{lastChatId}");
    public Task LeaveAsync() => Record("leave");
    public Task<bool> SetMicrophoneAsync(bool enabled, string? deviceId = null) => Ask($"microphone:{enabled}{(deviceId is null ? "" : $"@{deviceId}")}");
    public Task<bool> SetCameraAsync(bool enabled, string? deviceId = null) => Ask($"camera:{enabled}{(deviceId is null ? "" : $"@{deviceId}")}");
    public Task<bool> SetSpeakerAsync(string deviceId) => Ask($"speaker:{deviceId}");
    public Task<bool> SetScreenShareAsync(bool enabled) => Ask($"screen:{enabled}");
    public Task<SendOutcome> SendChatAsync(string text) => Send($"chat:{text}");
    public Task<SendOutcome> SetHandRaisedAsync(bool raised) => Send($"hand:{raised}");
    public Task<SendOutcome> SendReactionAsync(string emoji) => Send($"reaction:{emoji}");
    public Task StartAudioAsync() => Record("start-audio");
    public Task SyncVideoAsync() => Record("sync-video");
    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    Task Record(string call)
    {
        Calls.Add(call);
        return Task.CompletedTask;
    }

    Task Fail(Exception failure)
    {
        FailNext = null;
        throw failure;
    }

    /// <summary>The next command throws this, as JS interop does when the module fails (a JSException).</summary>
    public Exception? FailNext { get; set; }

    public bool Disposed { get; private set; }

    /// <summary>What the module answers for chat, reactions and hands (its rate limit may say TooFast).</summary>
    public SendOutcome SendOutcome { get; set; } = SendOutcome.Sent;

    async Task<SendOutcome> Send(string call) => await Ask(call) ? SendOutcome : SendOutcome.NotSent;

    Task<bool> Ask(string call)
    {
        Calls.Add(call);
        if (FailNext is { } failure)
        {
            FailNext = null;
            throw failure;
        }
        return Task.FromResult(true);
    }
}

public sealed class FakeDevicePreview : IDevicePreview
{
    public readonly Dictionary<string, string> Storage = [];
    public PreviewResult Camera { get; set; } = new(true, "cam-1");
    public PreviewResult Microphone { get; set; } = new(true, "mic-1");
    public bool Encrypted { get; set; }
    public readonly List<string> Calls = [];

    public Task<Devices> ListDevicesAsync() => Task.FromResult(new Devices(
        [new DeviceInfo("cam-1", "Front camera"), new DeviceInfo("cam-2", "USB camera")],
        [new DeviceInfo("mic-1", "Built-in microphone"), new DeviceInfo("mic-2", "Headset microphone")],
        [new DeviceInfo("spk-1", "Speakers"), new DeviceInfo("spk-2", "Headphones")]));

    public async Task<PreviewResult> StartCameraAsync(ElementReference video, string? deviceId)
    {
        Calls.Add($"camera:{deviceId}");
        if (CameraStarts is { } gate)
        {
            await gate.Task;
        }
        // The browser answers with the device it opened: the one asked for, else its default.
        return Camera.Ok && deviceId is not null ? Camera with { DeviceId = deviceId } : Camera;
    }

    /// <summary>When set, a camera start answers only once it completes (getUserMedia on a busy machine).</summary>
    public TaskCompletionSource? CameraStarts { get; set; }

    public Task StopCameraAsync()
    {
        Calls.Add("stop-camera");
        return CameraStops?.Task ?? Task.CompletedTask;
    }

    public Task<PreviewResult> StartMicrophoneAsync(ElementReference meter, string? deviceId)
    {
        Calls.Add($"microphone:{deviceId}");
        return Task.FromResult(Microphone.Ok && deviceId is not null ? Microphone with { DeviceId = deviceId } : Microphone);
    }

    public Task StopMicrophoneAsync()
    {
        Calls.Add("stop-microphone");
        return Task.CompletedTask;
    }

    public Task<bool> IsEncryptedAsync() => Task.FromResult(Encrypted);
    /// <summary>When set, stored values arrive only once it completes (a slow browser round trip).</summary>
    public TaskCompletionSource? StorageAnswers { get; set; }

    /// <summary>When set, stopping the camera finishes only once it completes.</summary>
    public TaskCompletionSource? CameraStops { get; set; }

    public async Task<string?> GetStoredAsync(string key)
    {
        if (StorageAnswers is { } gate)
        {
            await gate.Task;
        }
        return Storage.GetValueOrDefault(key);
    }

    public Task StoreAsync(string key, string value)
    {
        Storage[key] = value;
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>The api as the typed clients see it: canned answers by "METHOD path", every request recorded.</summary>
public sealed class ApiStub : HttpMessageHandler
{
    readonly ConcurrentDictionary<string, Func<HttpRequestMessage, Task<HttpResponseMessage>>> answers = new();
    public readonly ConcurrentQueue<(string Route, string? Body, string? Credential)> Requests = new();

    public void Answer(string route, HttpStatusCode status, object? body = null) =>
        answers[route] = _ => Task.FromResult(new HttpResponseMessage(status)
        {
            Content = body is null ? new StringContent("") : new StringContent(JsonSerializer.Serialize(body, ApiClient.Json), Encoding.UTF8,
                status >= HttpStatusCode.BadRequest ? "application/problem+json" : "application/json"),
        });

    /// <summary>Answers with whatever <paramref name="answer"/> does first (something happening while the request is on its way).</summary>
    public void Answer(string route, Func<HttpRequestMessage, Task<HttpResponseMessage>> answer) => answers[route] = answer;

    public IEnumerable<string> Routes => Requests.Select(r => r.Route);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var route = $"{request.Method} {request.RequestUri!.AbsolutePath}";
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var credential = request.Headers.TryGetValues(ApiClient.ParticipantTokenHeader, out var values) ? values.Single() : null;
        Requests.Enqueue((route, body, credential));
        return answers.TryGetValue(route, out var answer) ? await answer(request) : new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("") };
    }
}

public sealed class AnonymousAuthentication : AuthenticationStateProvider
{
    public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity())));
}

/// <summary>A bUnit context with the call's services replaced by the fakes above.</summary>
public abstract class CallTestBase : BunitContext
{
    protected readonly FakeCallMedia Media = new();
    protected readonly FakeDevicePreview Preview = new();
    protected readonly ApiStub Api = new();
    protected readonly FakeTimeProvider Time = new(DateTimeOffset.UtcNow);
    protected readonly MeetingChangeNotifications Notifications = new(NullLogger<MeetingChangeNotifications>.Instance);

    protected CallTestBase()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddSingleton<ICallMedia>(Media);
        Services.AddSingleton<IDevicePreview>(Preview);
        Services.AddSingleton<AuthenticationStateProvider, AnonymousAuthentication>();
        Services.AddSingleton<TimeProvider>(Time);
        Services.AddSingleton(Notifications);
        Services.AddScoped<CallOnThisTab>();
        Services.AddTransient(_ => new TokenRefreshClient(new HttpClient(Api, disposeHandler: false) { BaseAddress = new Uri("http://api/") }));
        Services.AddSingleton<ApiTokenRenewals>();
        Services.AddScoped<ApiCredentials>();
        AddClient((http, credentials) => new JoinClient(http, credentials));
        AddClient((http, credentials) => new MeetingsClient(http, credentials));
        AddClient((http, credentials) => new ModerationClient(http, credentials));
        AddClient((http, credentials) => new RecordingsClient(http, credentials));
        AddClient((http, _) => new LobbyWithdrawalClient(http));
        Services.AddSingleton<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider());
        Services.AddSingleton<Conference.Web.Meetings.LobbyLeaveBeacon>();
        Services.AddScoped<Conference.Web.Circuits.CircuitConnection>();
    }

    void AddClient<T>(Func<HttpClient, ApiCredentials, T> create) where T : class =>
        Services.AddScoped(sp => create(new HttpClient(Api, disposeHandler: false) { BaseAddress = new Uri("http://api/") }, sp.GetRequiredService<ApiCredentials>()));

    /// <summary>A call session as the meeting page makes one, with the fakes above and the stubbed api behind it.</summary>
    protected CallSession NewSession(JoinDetails? details = null, bool encrypted = false, string slug = "abc-defg-hij") =>
        new(new CallJoin(slug, details ?? Details(), new MediaChoices(true, false, "mic-1", null), encrypted, Locked: false),
            Media, Services.GetRequiredService<ModerationClient>(), Services.GetRequiredService<RecordingsClient>(),
            Services.GetRequiredService<MeetingsClient>(), Services.GetRequiredService<JoinClient>(), Time, Notifications)
        {
            Dispatch = work => Renderer.Dispatcher.InvokeAsync(work),
        };

    protected static JoinDetails Details(string role = "Guest", string token = "token-1", DateTimeOffset? expiresAt = null) =>
        new("wss://livekit.test", "room-abc", "me-1", token, expiresAt ?? DateTimeOffset.UtcNow.AddMinutes(10), role, "credential-1");

    protected static ParticipantState Person(string identity, string name, bool isLocal = false, string role = "Guest", bool microphone = true,
        bool camera = true, bool screen = false, bool speaking = false, bool hand = false, ConnectionQuality quality = ConnectionQuality.Good) =>
        new(identity, name, isLocal, role, speaking, quality, microphone, camera, screen, hand,
            microphone ? $"TR_mic_{identity}" : null, camera ? $"TR_cam_{identity}" : null, screen ? $"TR_screen_{identity}" : null, 0);
}
