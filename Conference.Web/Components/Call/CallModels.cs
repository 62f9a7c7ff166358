using System.Text.Json.Serialization;

namespace Conference.Web.Components.Call;

/// <summary>One participant as the call module reports them (Client/src/call.ts, ParticipantState).</summary>
public sealed record ParticipantState(
    string Identity,
    string Name,
    bool IsLocal,
    string Role,
    bool IsSpeaking,
    ConnectionQuality ConnectionQuality,
    bool MicrophoneEnabled,
    bool CameraEnabled,
    bool ScreenSharing,
    bool HandRaised,
    string? MicrophoneTrackSid,
    string? CameraTrackSid,
    string? ScreenShareTrackSid,
    long? JoinedAt)
{
    public bool IsModerator => Role is "Host" or "CoHost";

    /// <summary>The meeting's host: the only one who may end it for everyone (docs/api.md).</summary>
    public bool IsHost => Role is "Host";
}

/// <summary>LiveKit's connection quality of a participant (livekit-client ConnectionQuality).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConnectionQuality>))]
public enum ConnectionQuality
{
    Unknown,
    Excellent,
    Good,
    Poor,
    Lost,
}

/// <summary>Everyone in the room, and who is speaking (loudest first).</summary>
public sealed record RoomSnapshot(IReadOnlyList<ParticipantState> Participants, IReadOnlyList<string> ActiveSpeakers)
{
    public static readonly RoomSnapshot Empty = new([], []);
}

/// <summary>
/// A chat message as the call module passes it on (Client/src/call.ts, ChatEvent): already checked for shape, size
/// and rate there. It carries no time: the sender's clock is not trusted (see <see cref="ChatLine"/>).
/// </summary>
public sealed record ChatMessage(string Id, string Identity, string Name, string Text, bool IsLocal);

/// <summary>
/// A chat message as the page shows it: numbered and stamped by this page as it arrived (the sender's id and clock
/// are not trusted), its text already split into text and links.
/// </summary>
public sealed record ChatLine(long Sequence, string Identity, string Name, IReadOnlyList<ChatText.Part> Parts, bool IsLocal, DateTimeOffset ReceivedAt)
{
    public string Text => string.Concat(Parts.Select(p => p.Text));
}

public sealed record Reaction(string Identity, string Name, string Emoji);

/// <summary>The call module's view of its connection to LiveKit.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MediaConnectionState>))]
public enum MediaConnectionState
{
    Connecting,
    Connected,
    Reconnecting,
    Disconnected,
}

/// <summary>
/// Why LiveKit ended a connection: <c>livekit.DisconnectReason</c> of livekit/protocol's livekit_models.proto, by
/// number as the call module passes it (a newer server's new reason arrives as a number this enum does not name).
/// </summary>
public enum DisconnectReason
{
    UnknownReason = 0,
    ClientInitiated = 1,
    DuplicateIdentity = 2,
    ServerShutdown = 3,
    ParticipantRemoved = 4,
    RoomDeleted = 5,
    StateMismatch = 6,
    JoinFailure = 7,
    Migration = 8,
    SignalClose = 9,
    RoomClosed = 10,
    UserUnavailable = 11,
    UserRejected = 12,
    SipTrunkFailure = 13,
    ConnectionTimeout = 14,
    MediaFailure = 15,
}

/// <summary>Why joining the media server failed (Client/src/errors.ts, ConnectFailure).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConnectFailure>))]
public enum ConnectFailure
{
    /// <summary>The media server did not answer; retrying may help.</summary>
    Unreachable,

    /// <summary>The media server turned the token down.</summary>
    Refused,

    /// <summary>This browser cannot encrypt end to end.</summary>
    [JsonStringEnumMemberName("e2ee-unsupported")] E2eeUnsupported,

    /// <summary>The page was shown as encrypted but this tab no longer holds the passphrase.</summary>
    [JsonStringEnumMemberName("passphrase-missing")] PassphraseMissing,

    /// <summary>We left while connecting: nothing to show.</summary>
    Cancelled,
}

/// <summary>What became of a chat message, reaction or hand this person sent (Client/src/call.ts, SendOutcome).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SendOutcome>))]
public enum SendOutcome
{
    /// <summary>On its way to everyone.</summary>
    Sent,

    /// <summary>
    /// Not sent: past this person's rate limit, which the module keeps under the one every receiver applies, so the
    /// others would have dropped it. The person is told to slow down.
    /// </summary>
    [JsonStringEnumMemberName("too-fast")] TooFast,

    /// <summary>Not sent: no call, nothing to send, or the data channel failed (reported through OnMediaError).</summary>
    [JsonStringEnumMemberName("not-sent")] NotSent,
}

/// <summary>How joining the media server ended.</summary>
public sealed record ConnectResult(bool Ok, ConnectFailure? Failure = null, string? Message = null);

/// <summary>What went wrong getting a device (Client/src/errors.ts, MediaFailure; named after getUserMedia's DOMExceptions).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MediaFailure>))]
public enum MediaFailure
{
    Permission,
    [JsonStringEnumMemberName("no-device")] NoDevice,
    [JsonStringEnumMemberName("in-use")] InUse,
    Unsupported,
    Other,
}

/// <summary>What failed during the call (Client/src/call.ts, the kinds passed to OnMediaError).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MediaErrorKind>))]
public enum MediaErrorKind
{
    Microphone,
    Camera,
    Device,
    Speaker,
    Screen,
    E2ee,
    Data,
}

public sealed record DeviceInfo(string DeviceId, string Label);

public sealed record Devices(IReadOnlyList<DeviceInfo> Cameras, IReadOnlyList<DeviceInfo> Microphones, IReadOnlyList<DeviceInfo> Speakers)
{
    public static readonly Devices None = new([], [], []);
}

/// <summary>A camera or microphone preview.</summary>
public sealed record PreviewResult(bool Ok, string? DeviceId = null, MediaFailure? Failure = null, string? Message = null);

/// <summary>What the person chose before joining.</summary>
public sealed record MediaChoices(bool Microphone, bool Camera, string? MicrophoneDeviceId, string? CameraDeviceId);

/// <summary>Words for the failures the module names, shared by pre-join and the call.</summary>
public static class MediaFailures
{
    public static string Describe(MediaFailure? failure, string device) => failure switch
    {
        MediaFailure.Permission => $"The browser is not allowed to use your {device}. Allow it in the address bar's site settings, then try again.",
        MediaFailure.NoDevice => $"No {device} was found. Connect one, or join with it off.",
        MediaFailure.InUse => $"Your {device} is in use by another application or could not start.",
        MediaFailure.Unsupported => "This page cannot use cameras or microphones: it must be opened over https.",
        _ => $"Your {device} could not be started.",
    };
}
