using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Conference.Web.Components.Call;

/// <summary>The module bundled from Client/ into wwwroot/js/call.js, imported once per circuit.</summary>
sealed class CallModule(IJSRuntime js) : IAsyncDisposable
{
    readonly Lazy<Task<IJSObjectReference>> module = new(() => js.InvokeAsync<IJSObjectReference>("import", "./js/call.js").AsTask());

    public Task<IJSObjectReference> GetAsync() => module.Value;

    public async ValueTask DisposeAsync()
    {
        if (module.IsValueCreated)
        {
            try
            {
                await (await module.Value).DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
            }
        }
    }

    /// <summary>
    /// Lets go of an object the module made: its dispose() stops media (the camera light goes out), then the
    /// reference. When the circuit is already gone there is no browser to tell, and LiveKit notices the closed
    /// connection by itself.
    /// </summary>
    public static async ValueTask ReleaseAsync(IJSObjectReference? reference)
    {
        if (reference is null)
        {
            return;
        }
        try
        {
            await reference.InvokeVoidAsync("dispose");
            await reference.DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
        }
    }
}

/// <summary><see cref="ICallMedia"/> through JS interop: a CallController from the module, events back by DotNetObjectReference.</summary>
sealed class BrowserCallMedia(CallModule module) : ICallMedia
{
    IJSObjectReference? controller;
    DotNetObjectReference<EventsBridge>? bridge;

    public async Task<ConnectResult> ConnectAsync(string url, string token, MediaChoices choices, bool encrypted, ICallEvents events)
    {
        if (controller is null)
        {
            bridge = DotNetObjectReference.Create(new EventsBridge(events));
            controller = await (await module.GetAsync()).InvokeAsync<IJSObjectReference>("createCall", bridge);
            await controller.InvokeVoidAsync("enableShortcuts");
        }
        else
        {
            bridge!.Value.Events = events;
        }
        var options = JsonSerializer.SerializeToElement(
            new ConnectOptions(choices.Microphone, choices.Camera, choices.MicrophoneDeviceId, choices.CameraDeviceId, encrypted),
            CallJson.Default.ConnectOptions);
        return CallJson.Read<ConnectResult>(await controller.InvokeAsync<JsonElement>("connect", url, token, options));
    }

    public async Task<bool> AttachAsync(ICallEvents events)
    {
        if (controller is not null)
        {
            return false; // this circuit made the call itself: nothing to take over
        }
        var attaching = DotNetObjectReference.Create(new EventsBridge(events));
        var live = await (await module.GetAsync()).InvokeAsync<IJSObjectReference?>("attachCall", attaching);
        if (live is null)
        {
            attaching.Dispose();
            return false;
        }
        (controller, bridge) = (live, attaching);
        return true;
    }

    public Task ResyncAsync(string? lastChatId) => Call("resync", lastChatId);

    public Task LeaveAsync() => Call("leave");

    public Task<bool> SetMicrophoneAsync(bool enabled, string? deviceId = null) => Ask("setMicrophone", enabled, deviceId);

    public Task<bool> SetCameraAsync(bool enabled, string? deviceId = null) => Ask("setCamera", enabled, deviceId);

    public Task<bool> SetScreenShareAsync(bool enabled) => Ask("setScreenShare", enabled);

    public Task<bool> SetSpeakerAsync(string deviceId) => Ask("switchDevice", "audiooutput", deviceId);

    public Task<SendOutcome> SendChatAsync(string text) => Send("sendChat", text);

    public Task<SendOutcome> SetHandRaisedAsync(bool raised) => Send("setHandRaised", raised);

    public Task<SendOutcome> SendReactionAsync(string emoji) => Send("sendReaction", emoji);

    public Task StartAudioAsync() => Call("startAudio");

    public Task SyncVideoAsync() => Call("syncVideo");

    async Task Call(string method, params object?[] args)
    {
        if (controller is not null)
        {
            await controller.InvokeVoidAsync(method, args);
        }
    }

    async Task<bool> Ask(string method, params object?[] args) =>
        controller is not null && await controller.InvokeAsync<bool>(method, args);

    async Task<SendOutcome> Send(string method, params object?[] args) =>
        controller is null ? SendOutcome.NotSent : await controller.InvokeAsync<SendOutcome>(method, args);

    public async ValueTask DisposeAsync()
    {
        await CallModule.ReleaseAsync(controller);
        controller = null;
        bridge?.Dispose();
    }

    /// <summary>
    /// The object the module calls back; it forwards to whoever shows the call now. Records arrive as JSON elements
    /// read with <see cref="CallJson"/> (why: see there).
    /// </summary>
    sealed class EventsBridge(ICallEvents events)
    {
        /// <summary>The room as last forwarded: the module sends it whole only when people come or go.</summary>
        RoomSnapshot room = RoomSnapshot.Empty;

        public ICallEvents Events { get; set; } = events;

        [JSInvokable]
        public Task OnParticipants(JsonElement snapshot)
        {
            room = CallJson.Read<RoomSnapshot>(snapshot);
            return Events.OnParticipants(room);
        }

        /// <summary>
        /// The participants whose state changed, nobody having come or gone (the module's pushParticipants), merged
        /// into the room as last forwarded; one not in it is ignored (the whole snapshot that names them comes first).
        /// </summary>
        [JSInvokable]
        public Task OnParticipantChanges(JsonElement changes, IReadOnlyList<string> activeSpeakers)
        {
            var changed = CallJson.Read<IReadOnlyList<ParticipantState>>(changes);
            room = new RoomSnapshot(
                room.Participants.Select(p => changed.FirstOrDefault(c => c.Identity == p.Identity) ?? p).ToList(), activeSpeakers);
            return Events.OnParticipants(room);
        }

        [JSInvokable] public Task OnConnectionState(MediaConnectionState state, DisconnectReason? reason) => Events.OnConnectionState(state, reason);
        [JSInvokable] public Task OnChat(JsonElement message) => Events.OnChat(CallJson.Read<ChatMessage>(message));
        [JSInvokable] public Task OnReaction(JsonElement reaction) => Events.OnReaction(CallJson.Read<Reaction>(reaction));
        [JSInvokable] public Task OnRecording(bool recording) => Events.OnRecording(recording);
        [JSInvokable] public Task OnAudioBlocked(bool blocked) => Events.OnAudioBlocked(blocked);
        [JSInvokable] public Task OnMediaError(MediaErrorKind kind, MediaFailure failure, string message) => Events.OnMediaError(kind, failure, message);
    }
}

/// <summary><see cref="IDevicePreview"/> through JS interop.</summary>
sealed class BrowserDevicePreview(CallModule module, IJSRuntime js) : IDevicePreview
{
    IJSObjectReference? preview;
    bool disposed;

    async Task<IJSObjectReference> PreviewAsync() =>
        preview ??= await (await module.GetAsync()).InvokeAsync<IJSObjectReference>("createPreview");

    /// <summary>After dispose a start opens nothing: a new preview then would hold a device until the page closed.</summary>
    static readonly PreviewResult NotStarted = new(true);

    public async Task<Devices> ListDevicesAsync() =>
        CallJson.Read<Devices>(await (await module.GetAsync()).InvokeAsync<JsonElement>("listDevices", true));

    public async Task<PreviewResult> StartCameraAsync(ElementReference video, string? deviceId) => disposed ? NotStarted :
        CallJson.Read<PreviewResult>(await (await PreviewAsync()).InvokeAsync<JsonElement>("startCamera", video, deviceId));

    public async Task StopCameraAsync() => await (await PreviewAsync()).InvokeVoidAsync("stopCamera");

    public async Task<PreviewResult> StartMicrophoneAsync(ElementReference meter, string? deviceId) => disposed ? NotStarted :
        CallJson.Read<PreviewResult>(await (await PreviewAsync()).InvokeAsync<JsonElement>("startMicrophone", meter, deviceId));

    public async Task StopMicrophoneAsync() => await (await PreviewAsync()).InvokeVoidAsync("stopMicrophone");

    public async Task<bool> IsEncryptedAsync() => await (await module.GetAsync()).InvokeAsync<bool>("isEncrypted");

    public async Task<string?> GetStoredAsync(string key) => await js.InvokeAsync<string?>("localStorage.getItem", key);

    public async Task StoreAsync(string key, string value) => await js.InvokeVoidAsync("localStorage.setItem", key, value);

    public async ValueTask DisposeAsync()
    {
        disposed = true;
        await CallModule.ReleaseAsync(preview);
        preview = null;
    }
}
