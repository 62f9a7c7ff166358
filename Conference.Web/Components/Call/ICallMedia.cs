using Microsoft.AspNetCore.Components;

namespace Conference.Web.Components.Call;

/// <summary>
/// The media side of a call, done in the browser by the call module (Client/src). The call session talks to this
/// interface so its tests can stand in for the browser.
/// </summary>
public interface ICallMedia : IAsyncDisposable
{
    /// <summary>
    /// Joins LiveKit. With <paramref name="encrypted"/> the module encrypts media with the passphrase it holds from the
    /// link; the passphrase itself never comes to .NET.
    /// </summary>
    Task<ConnectResult> ConnectAsync(string url, string token, MediaChoices choices, bool encrypted, ICallEvents events);

    /// <summary>
    /// Takes over the call this browser tab is already in (its circuit was lost to a web server restart or evicted
    /// while the tab was in the background; the call went on in the browser). Events go to <paramref name="events"/>,
    /// which first gets the whole state. False when the tab is in no call: then join with <see cref="ConnectAsync"/>.
    /// Media that cannot outlive a circuit (a stand-in) has nothing to take over.
    /// </summary>
    Task<bool> AttachAsync(ICallEvents events) => Task.FromResult(false);

    /// <summary>
    /// The page's connection came back to this same circuit: the events the module sent while it was down are lost, so the
    /// events' receiver gets the whole state again and the chat after <paramref name="lastChatId"/> (the last
    /// message the session has; null for none). Nothing to do for media that lives in .NET (a stand-in).
    /// </summary>
    Task ResyncAsync(string? lastChatId) => Task.CompletedTask;

    Task LeaveAsync();

    Task<bool> SetMicrophoneAsync(bool enabled, string? deviceId = null);

    Task<bool> SetCameraAsync(bool enabled, string? deviceId = null);

    Task<bool> SetScreenShareAsync(bool enabled);

    /// <summary>Where the meeting's sound plays (browsers that allow choosing: Chrome, Edge).</summary>
    Task<bool> SetSpeakerAsync(string deviceId);

    Task<SendOutcome> SendChatAsync(string text);

    Task<SendOutcome> SetHandRaisedAsync(bool raised);

    Task<SendOutcome> SendReactionAsync(string emoji);

    /// <summary>Starts audio the browser blocked from autoplaying (needs a click).</summary>
    Task StartAudioAsync();

    /// <summary>Puts videos into the containers just rendered (data-video-identity / data-video-source).</summary>
    Task SyncVideoAsync();
}

/// <summary>What the call module reports; the call session implements it.</summary>
public interface ICallEvents
{
    Task OnParticipants(RoomSnapshot snapshot);

    /// <summary>The connection's state; when disconnected, LiveKit's reason.</summary>
    Task OnConnectionState(MediaConnectionState state, DisconnectReason? reason);

    Task OnChat(ChatMessage message);

    Task OnReaction(Reaction reaction);

    Task OnRecording(bool recording);

    Task OnAudioBlocked(bool blocked);

    /// <summary>A device or data failure during the call.</summary>
    Task OnMediaError(MediaErrorKind kind, MediaFailure failure, string message);
}

/// <summary>The pre-join preview and the browser's devices and link.</summary>
public interface IDevicePreview : IAsyncDisposable
{
    Task<Devices> ListDevicesAsync();

    Task<PreviewResult> StartCameraAsync(ElementReference video, string? deviceId);

    Task StopCameraAsync();

    Task<PreviewResult> StartMicrophoneAsync(ElementReference meter, string? deviceId);

    Task StopMicrophoneAsync();

    /// <summary>Whether this page's link carried an e2ee passphrase (<c>#passphrase=…</c>); the passphrase stays in the browser.</summary>
    Task<bool> IsEncryptedAsync();

    Task<string?> GetStoredAsync(string key);

    Task StoreAsync(string key, string value);
}
