using System.Text.Json.Serialization;

// Properties mirror livekit_models.proto field by field (see that file for their meaning); documenting each again
// here would only repeat the names.
#pragma warning disable CS1591

namespace Conference.LiveKit;

/// <summary>A LiveKit room (<c>livekit.Room</c>).</summary>
public sealed record Room
{
    public string Sid { get; init; } = "";
    public string Name { get; init; } = "";
    public uint EmptyTimeout { get; init; }
    public uint DepartureTimeout { get; init; }
    public uint MaxParticipants { get; init; }
    [JsonConverter(typeof(UnixSecondsConverter))]
    public DateTimeOffset? CreationTime { get; init; }
    [JsonConverter(typeof(UnixMillisecondsConverter))]
    public DateTimeOffset? CreationTimeMs { get; init; }
    public string TurnPassword { get; init; } = "";
    public IReadOnlyList<Codec> EnabledCodecs { get; init; } = [];
    public string Metadata { get; init; } = "";
    public uint NumParticipants { get; init; }
    public uint NumPublishers { get; init; }
    /// <summary>True while a recorder participant is in the room.</summary>
    public bool ActiveRecording { get; init; }
    public TimedVersion? Version { get; init; }
}

/// <summary>A codec enabled in a room.</summary>
public sealed record Codec
{
    public string Mime { get; init; } = "";
    public string FmtpLine { get; init; } = "";
}

/// <summary>LiveKit's version stamp for room and track state.</summary>
public sealed record TimedVersion
{
    public long UnixMicro { get; init; }
    public int Ticks { get; init; }
}

/// <summary>A participant in a room (<c>livekit.ParticipantInfo</c>).</summary>
public sealed record ParticipantInfo
{
    public string Sid { get; init; } = "";
    public string Identity { get; init; } = "";
    public ParticipantState State { get; init; }
    public IReadOnlyList<TrackInfo> Tracks { get; init; } = [];
    public string Metadata { get; init; } = "";
    [JsonConverter(typeof(UnixSecondsConverter))]
    public DateTimeOffset? JoinedAt { get; init; }
    [JsonConverter(typeof(UnixMillisecondsConverter))]
    public DateTimeOffset? JoinedAtMs { get; init; }
    public string Name { get; init; } = "";
    public uint Version { get; init; }
    public ParticipantPermission? Permission { get; init; }
    public string Region { get; init; } = "";
    public bool IsPublisher { get; init; }
    public ParticipantKind Kind { get; init; }
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;
    public DisconnectReason DisconnectReason { get; init; }
    public IReadOnlyList<ParticipantKindDetail> KindDetails { get; init; } = [];
    public int ClientProtocol { get; init; }
}

/// <summary>
/// What a participant may do. In UpdateParticipant it replaces the whole permission set, so send every field
/// you want to keep.
/// </summary>
public sealed record ParticipantPermission
{
    public bool CanSubscribe { get; init; }
    public bool CanPublish { get; init; }
    public bool CanPublishData { get; init; }
    public IReadOnlyList<TrackSource>? CanPublishSources { get; init; }
    public bool Hidden { get; init; }
    public bool Recorder { get; init; }
    public bool CanUpdateMetadata { get; init; }
    public bool Agent { get; init; }
    public bool CanSubscribeMetrics { get; init; }
    public bool CanManageAgentSession { get; init; }
}

/// <summary>A published track (<c>livekit.TrackInfo</c>).</summary>
public sealed record TrackInfo
{
    public string Sid { get; init; } = "";
    public TrackType Type { get; init; }
    public string Name { get; init; } = "";
    public bool Muted { get; init; }
    public uint Width { get; init; }
    public uint Height { get; init; }
    public bool Simulcast { get; init; }
    public bool DisableDtx { get; init; }
    public TrackSource Source { get; init; }
    public IReadOnlyList<VideoLayer> Layers { get; init; } = [];
    public string MimeType { get; init; } = "";
    public string Mid { get; init; } = "";
    public IReadOnlyList<SimulcastCodecInfo> Codecs { get; init; } = [];
    public bool Stereo { get; init; }
    public bool DisableRed { get; init; }
    public EncryptionType Encryption { get; init; }
    public string Stream { get; init; } = "";
    public TimedVersion? Version { get; init; }
    public IReadOnlyList<AudioTrackFeature> AudioFeatures { get; init; } = [];
    public BackupCodecPolicy BackupCodecPolicy { get; init; }
}

/// <summary>One codec of a simulcast track.</summary>
public sealed record SimulcastCodecInfo
{
    public string MimeType { get; init; } = "";
    public string Mid { get; init; } = "";
    public string Cid { get; init; } = "";
    public IReadOnlyList<VideoLayer> Layers { get; init; } = [];
    public string SdpCid { get; init; } = "";
}

/// <summary>One spatial layer of a video track.</summary>
public sealed record VideoLayer
{
    public VideoQuality Quality { get; init; }
    public uint Width { get; init; }
    public uint Height { get; init; }
    public uint Bitrate { get; init; }
    public uint Ssrc { get; init; }
    public int SpatialLayer { get; init; }
    public string Rid { get; init; } = "";
    public uint RepairSsrc { get; init; }
}

/// <summary><c>livekit.ParticipantInfo.State</c>.</summary>
public enum ParticipantState { Joining, Joined, Active, Disconnected }

/// <summary><c>livekit.ParticipantInfo.Kind</c>.</summary>
public enum ParticipantKind { Standard = 0, Ingress = 1, Egress = 2, Sip = 3, Agent = 4, Connector = 7, Bridge = 8 }

/// <summary><c>livekit.ParticipantInfo.KindDetail</c>.</summary>
public enum ParticipantKindDetail { CloudAgent, Forwarded, ConnectorWhatsapp, ConnectorTwilio, BridgeRtsp, Simulation }

/// <summary><c>livekit.TrackSource</c>.</summary>
public enum TrackSource { Unknown, Camera, Microphone, ScreenShare, ScreenShareAudio }

/// <summary><c>livekit.TrackType</c>.</summary>
public enum TrackType { Audio, Video, Data }

/// <summary><c>livekit.Encryption.Type</c>.</summary>
public enum EncryptionType { None, Gcm, Custom }

/// <summary><c>livekit.VideoQuality</c>.</summary>
public enum VideoQuality { Low, Medium, High, Off }

/// <summary><c>livekit.AudioTrackFeature</c>.</summary>
public enum AudioTrackFeature
{
    TfStereo, TfNoDtx, TfAutoGainControl, TfEchoCancellation, TfNoiseSuppression, TfEnhancedNoiseCancellation,
    TfPreconnectBuffer,
}

/// <summary><c>livekit.BackupCodecPolicy</c>.</summary>
public enum BackupCodecPolicy { PreferRegression, Simulcast, Regression }

/// <summary><c>livekit.DataPacket.Kind</c>.</summary>
public enum DataPacketKind { Reliable, Lossy }

/// <summary><c>livekit.DisconnectReason</c>.</summary>
public enum DisconnectReason
{
    UnknownReason, ClientInitiated, DuplicateIdentity, ServerShutdown, ParticipantRemoved, RoomDeleted,
    StateMismatch, JoinFailure, Migration, SignalClose, RoomClosed, UserUnavailable, UserRejected,
    SipTrunkFailure, ConnectionTimeout, MediaFailure, AgentError,
}
