using System.Text.Json.Serialization;

// Properties mirror livekit_egress.proto field by field; the proto documents their meaning.
#pragma warning disable CS1591

namespace Conference.LiveKit;

/// <summary>An egress and its results (<c>livekit.EgressInfo</c>). Times come in nanoseconds and are shown as dates.</summary>
public sealed record EgressInfo
{
    public string EgressId { get; init; } = "";
    public string RoomId { get; init; } = "";
    public string RoomName { get; init; } = "";
    public EgressSourceType SourceType { get; init; }
    public EgressStatus Status { get; init; }
    [JsonConverter(typeof(UnixNanosecondsConverter))]
    public DateTimeOffset? StartedAt { get; init; }
    [JsonConverter(typeof(UnixNanosecondsConverter))]
    public DateTimeOffset? EndedAt { get; init; }
    [JsonConverter(typeof(UnixNanosecondsConverter))]
    public DateTimeOffset? UpdatedAt { get; init; }
    public RoomCompositeEgressRequest? RoomComposite { get; init; }
    public WebEgressRequest? Web { get; init; }
    public ParticipantEgressRequest? Participant { get; init; }
    public TrackCompositeEgressRequest? TrackComposite { get; init; }
    public TrackEgressRequest? Track { get; init; }
    public IReadOnlyList<StreamInfo> StreamResults { get; init; } = [];
    public IReadOnlyList<EgressFileInfo> FileResults { get; init; } = [];
    public IReadOnlyList<SegmentsInfo> SegmentResults { get; init; } = [];
    public IReadOnlyList<ImagesInfo> ImageResults { get; init; } = [];
    public string Error { get; init; } = "";
    public int ErrorCode { get; init; }
    public string Details { get; init; } = "";
    public string ManifestLocation { get; init; } = "";
    public bool BackupStorageUsed { get; init; }
    public int RetryCount { get; init; }
    /// <summary>Deprecated single results that older egress versions still fill.</summary>
    public StreamInfoList? Stream { get; init; }
    public EgressFileInfo? File { get; init; }
    public SegmentsInfo? Segments { get; init; }

    /// <summary>Starting or active, as LiveKit Meet counts a recording in progress.</summary>
    [JsonIgnore]
    public bool IsActive => Status is EgressStatus.Starting or EgressStatus.Active;
}

/// <summary>When an egress output started and ended (LiveKit sends nanoseconds).</summary>
public abstract record EgressResult
{
    [JsonConverter(typeof(UnixNanosecondsConverter))]
    public DateTimeOffset? StartedAt { get; init; }
    [JsonConverter(typeof(UnixNanosecondsConverter))]
    public DateTimeOffset? EndedAt { get; init; }
}

/// <summary>A recorded file: where it went, how long and how big.</summary>
public sealed record EgressFileInfo : EgressResult
{
    public string Filename { get; init; } = "";
    [JsonConverter(typeof(NanosecondsDurationConverter))]
    public TimeSpan Duration { get; init; }
    public long Size { get; init; }
    public string Location { get; init; } = "";
}

/// <summary>HLS results.</summary>
public sealed record SegmentsInfo : EgressResult
{
    public string PlaylistName { get; init; } = "";
    public string LivePlaylistName { get; init; } = "";
    [JsonConverter(typeof(NanosecondsDurationConverter))]
    public TimeSpan Duration { get; init; }
    public long Size { get; init; }
    public string PlaylistLocation { get; init; } = "";
    public string LivePlaylistLocation { get; init; } = "";
    public long SegmentCount { get; init; }
}

/// <summary>One stream output's state.</summary>
public sealed record StreamInfo : EgressResult
{
    public string Url { get; init; } = "";
    [JsonConverter(typeof(NanosecondsDurationConverter))]
    public TimeSpan Duration { get; init; }
    public StreamStatus Status { get; init; }
    public string Error { get; init; } = "";
    [JsonConverter(typeof(UnixNanosecondsConverter))]
    public DateTimeOffset? LastRetryAt { get; init; }
    public uint Retries { get; init; }
}

/// <summary>Deprecated list of stream results.</summary>
public sealed record StreamInfoList
{
    public IReadOnlyList<StreamInfo> Info { get; init; } = [];
}

/// <summary>Image results.</summary>
public sealed record ImagesInfo : EgressResult
{
    public string FilenamePrefix { get; init; } = "";
    public long ImageCount { get; init; }
}

/// <summary><c>livekit.EgressStatus</c>.</summary>
public enum EgressStatus
{
    [JsonStringEnumMemberName("EGRESS_STARTING")] Starting,
    [JsonStringEnumMemberName("EGRESS_ACTIVE")] Active,
    [JsonStringEnumMemberName("EGRESS_ENDING")] Ending,
    [JsonStringEnumMemberName("EGRESS_COMPLETE")] Complete,
    [JsonStringEnumMemberName("EGRESS_FAILED")] Failed,
    [JsonStringEnumMemberName("EGRESS_ABORTED")] Aborted,
    [JsonStringEnumMemberName("EGRESS_LIMIT_REACHED")] LimitReached,
}

/// <summary><c>livekit.EgressSourceType</c>.</summary>
public enum EgressSourceType
{
    [JsonStringEnumMemberName("EGRESS_SOURCE_TYPE_WEB")] Web,
    [JsonStringEnumMemberName("EGRESS_SOURCE_TYPE_SDK")] Sdk,
}

/// <summary><c>livekit.StreamInfo.Status</c>.</summary>
public enum StreamStatus { Active, Finished, Failed }

/// <summary><c>livekit.EncodedFileType</c>.</summary>
public enum EncodedFileType
{
    DefaultFiletype,
    [JsonStringEnumMemberName("MP4")] Mp4,
    Ogg,
    [JsonStringEnumMemberName("MP3")] Mp3,
}

/// <summary><c>livekit.EncodingOptionsPreset</c>.</summary>
public enum EncodingOptionsPreset
{
    [JsonStringEnumMemberName("H264_720P_30")] H264720P30,
    [JsonStringEnumMemberName("H264_720P_60")] H264720P60,
    [JsonStringEnumMemberName("H264_1080P_30")] H2641080P30,
    [JsonStringEnumMemberName("H264_1080P_60")] H2641080P60,
    [JsonStringEnumMemberName("PORTRAIT_H264_720P_30")] PortraitH264720P30,
    [JsonStringEnumMemberName("PORTRAIT_H264_720P_60")] PortraitH264720P60,
    [JsonStringEnumMemberName("PORTRAIT_H264_1080P_30")] PortraitH2641080P30,
    [JsonStringEnumMemberName("PORTRAIT_H264_1080P_60")] PortraitH2641080P60,
    Passthrough,
}

/// <summary><c>livekit.AudioMixing</c>.</summary>
public enum AudioMixing { DefaultMixing, DualChannelAgent, DualChannelAlternate }

/// <summary><c>livekit.SegmentedFileProtocol</c>.</summary>
public enum SegmentedFileProtocol { DefaultSegmentedFileProtocol, HlsProtocol }

/// <summary><c>livekit.SegmentedFileSuffix</c>.</summary>
public enum SegmentedFileSuffix { Index, Timestamp }

/// <summary><c>livekit.StreamProtocol</c>.</summary>
public enum StreamProtocol { DefaultProtocol, Rtmp, Srt, Websocket }

/// <summary><c>livekit.ImageFileSuffix</c>.</summary>
public enum ImageFileSuffix { ImageSuffixIndex, ImageSuffixTimestamp, ImageSuffixNoneOverwrite }

/// <summary><c>livekit.ImageCodec</c>.</summary>
public enum ImageCodec { IcDefault, IcJpeg }

/// <summary><c>livekit.AudioCodec</c>.</summary>
public enum AudioCodec
{
    DefaultAc,
    Opus,
    Aac,
    [JsonStringEnumMemberName("AC_MP3")] AcMp3,
}

/// <summary><c>livekit.VideoCodec</c>.</summary>
public enum VideoCodec
{
    DefaultVc,
    [JsonStringEnumMemberName("H264_BASELINE")] H264Baseline,
    [JsonStringEnumMemberName("H264_MAIN")] H264Main,
    [JsonStringEnumMemberName("H264_HIGH")] H264High,
    [JsonStringEnumMemberName("VP8")] Vp8,
}
