using Microsoft.AspNetCore.Components;

namespace Conference.Web.Components.Call;

/// <summary>
/// The media side of a call, done in the browser by the call module (Client/src). Components talk to this
/// interface so their tests can stand in for the browser.
/// </summary>
public interface ICallMedia : IAsyncDisposable
{
    Task<ConnectResult> ConnectAsync(string url, string token, MediaChoices choices, string? e2eePassphrase, ICallEvents events);

    Task LeaveAsync();

    Task<bool> SetMicrophoneAsync(bool enabled, string? deviceId = null);

    Task<bool> SetCameraAsync(bool enabled, string? deviceId = null);

    Task<bool> SetScreenShareAsync(bool enabled);

    /// <summary>Where the meeting's sound plays (browsers that allow choosing: Chrome, Edge).</summary>
    Task<bool> SetSpeakerAsync(string deviceId);

    Task<bool> SendChatAsync(string text);

    Task<bool> SetHandRaisedAsync(bool raised);

    Task<bool> SendReactionAsync(string emoji);

    /// <summary>Starts audio the browser blocked from autoplaying (needs a click).</summary>
    Task StartAudioAsync();

    /// <summary>Puts videos into the containers just rendered (data-video-identity / data-video-source).</summary>
    Task SyncVideoAsync();
}

/// <summary>What the call module reports; the call room implements it.</summary>
public interface ICallEvents
{
    Task OnParticipants(RoomSnapshot snapshot);

    /// <summary>"connecting", "connected", "reconnecting" or "disconnected" with LiveKit's reason (e.g. ROOM_DELETED).</summary>
    Task OnConnectionState(string state, string? reason);

    Task OnChat(ChatMessage message);

    Task OnReaction(Reaction reaction);

    Task OnRecording(bool recording);

    Task OnAudioBlocked(bool blocked);

    /// <summary>A device or data failure during the call: kind "microphone", "camera", "screen", "device", "e2ee", "data".</summary>
    Task OnMediaError(string kind, string failure, string message);
}

/// <summary>The pre-join preview and the browser's devices and link.</summary>
public interface IDevicePreview : IAsyncDisposable
{
    Task<Devices> ListDevicesAsync();

    Task<PreviewResult> StartCameraAsync(ElementReference video, string? deviceId);

    Task StopCameraAsync();

    Task<PreviewResult> StartMicrophoneAsync(ElementReference meter, string? deviceId);

    Task StopMicrophoneAsync();

    /// <summary>The e2ee passphrase from the page's #fragment, if any.</summary>
    Task<string?> PassphraseFromFragmentAsync();

    Task<string?> GetStoredAsync(string key);

    Task StoreAsync(string key, string value);
}
