namespace Conference.Web.Components.Call;

/// <summary>One participant as the call module reports them (Client/src/call.ts, ParticipantState).</summary>
public sealed record ParticipantState(
    string Identity,
    string Name,
    bool IsLocal,
    string Role,
    bool IsSpeaking,
    string ConnectionQuality,
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
}

/// <summary>Everyone in the room, and who is speaking (loudest first).</summary>
public sealed record RoomSnapshot(IReadOnlyList<ParticipantState> Participants, IReadOnlyList<string> ActiveSpeakers)
{
    public static readonly RoomSnapshot Empty = new([], []);
}

public sealed record ChatMessage(string Id, string Identity, string Name, string Text, long SentAt, bool IsLocal);

public sealed record Reaction(string Identity, string Name, string Emoji);

/// <summary>
/// How joining the media server ended. <see cref="Failure"/>: "unreachable" (retry may help), "refused" (the token
/// was turned down), "e2ee-unsupported", "cancelled".
/// </summary>
public sealed record ConnectResult(bool Ok, string? Failure = null, string? Message = null);

public sealed record DeviceInfo(string DeviceId, string Label);

public sealed record Devices(IReadOnlyList<DeviceInfo> Cameras, IReadOnlyList<DeviceInfo> Microphones, IReadOnlyList<DeviceInfo> Speakers)
{
    public static readonly Devices None = new([], [], []);
}

/// <summary>
/// A camera or microphone preview. <see cref="Failure"/>: "permission", "no-device", "in-use", "unsupported", "other"
/// (Client/src/errors.ts).
/// </summary>
public sealed record PreviewResult(bool Ok, string? DeviceId = null, string? Failure = null, string? Message = null);

/// <summary>What the person chose before joining.</summary>
public sealed record MediaChoices(bool Microphone, bool Camera, string? MicrophoneDeviceId, string? CameraDeviceId);

/// <summary>Words for the failures the module names, shared by pre-join and the call.</summary>
public static class MediaFailures
{
    public static string Describe(string? failure, string device) => failure switch
    {
        "permission" => $"The browser is not allowed to use your {device}. Allow it in the address bar's site settings, then try again.",
        "no-device" => $"No {device} was found. Connect one, or join with it off.",
        "in-use" => $"Your {device} is in use by another application or could not start.",
        "unsupported" => "This page cannot use cameras or microphones: it must be opened over https.",
        _ => $"Your {device} could not be started.",
    };
}
