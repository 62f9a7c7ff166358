using System.Text.Json.Serialization;

// Properties mirror livekit_egress.proto field by field; the proto documents their meaning.
#pragma warning disable CS1591

namespace Conference.LiveKit;

/// <summary>What the egress requests that encode media share: encoding options, outputs and per-request webhooks.</summary>
public abstract record EncodedEgressRequest
{
    /// <summary>A preset (LiveKit's default is <see cref="EncodingOptionsPreset.H264720P30"/>); or set <see cref="Advanced"/>.</summary>
    public EncodingOptionsPreset? Preset { get; init; }
    public EncodingOptions? Advanced { get; init; }
    public IReadOnlyList<EncodedFileOutput>? FileOutputs { get; init; }
    public IReadOnlyList<StreamOutput>? StreamOutputs { get; init; }
    public IReadOnlyList<SegmentedFileOutput>? SegmentOutputs { get; init; }
    public IReadOnlyList<ImageOutput>? ImageOutputs { get; init; }
    public IReadOnlyList<WebhookConfig>? Webhooks { get; init; }
}

/// <summary>StartRoomCompositeEgress: records or streams a whole room through a browser layout.</summary>
public sealed record RoomCompositeEgressRequest : EncodedEgressRequest
{
    public string RoomName { get; init; } = "";
    /// <summary><c>grid</c>, <c>speaker</c>, <c>single-speaker</c> (each with a <c>-light</c> variant) or a custom layout.</summary>
    public string? Layout { get; init; }
    public bool? AudioOnly { get; init; }
    public AudioMixing? AudioMixing { get; init; }
    public bool? VideoOnly { get; init; }
    public string? CustomBaseUrl { get; init; }
}

/// <summary>StartParticipantEgress: one participant's camera and microphone (or screen share).</summary>
public sealed record ParticipantEgressRequest : EncodedEgressRequest
{
    public string RoomName { get; init; } = "";
    public string Identity { get; init; } = "";
    public bool? ScreenShare { get; init; }
}

/// <summary>StartTrackCompositeEgress: one audio and/or one video track mixed.</summary>
public sealed record TrackCompositeEgressRequest : EncodedEgressRequest
{
    public string RoomName { get; init; } = "";
    public string? AudioTrackId { get; init; }
    public string? VideoTrackId { get; init; }
}

/// <summary>StartWebEgress: records a web page.</summary>
public sealed record WebEgressRequest : EncodedEgressRequest
{
    public string Url { get; init; } = "";
    public bool? AudioOnly { get; init; }
    public bool? VideoOnly { get; init; }
    public bool? AwaitStartSignal { get; init; }
}

/// <summary>StartTrackEgress: one track without transcoding, to a file or a websocket.</summary>
public sealed record TrackEgressRequest
{
    public string RoomName { get; init; } = "";
    public string TrackId { get; init; } = "";
    /// <summary>Either this or <see cref="WebsocketUrl"/>.</summary>
    public DirectFileOutput? File { get; init; }
    public string? WebsocketUrl { get; init; }
    public IReadOnlyList<WebhookConfig>? Webhooks { get; init; }
}

/// <summary>UpdateLayout of a running room composite egress.</summary>
public sealed record UpdateLayoutRequest
{
    public string EgressId { get; init; } = "";
    public string Layout { get; init; } = "";
}

/// <summary>UpdateStream: adds or removes stream URLs of a running egress.</summary>
public sealed record UpdateStreamRequest
{
    public string EgressId { get; init; } = "";
    public IReadOnlyList<string>? AddOutputUrls { get; init; }
    public IReadOnlyList<string>? RemoveOutputUrls { get; init; }
}

/// <summary>ListEgress, optionally by room, id or only active ones; one page at a time.</summary>
public sealed record ListEgressRequest
{
    public string? RoomName { get; init; }
    public string? EgressId { get; init; }
    public bool? Active { get; init; }
    public TokenPagination? PageToken { get; init; }
}

/// <summary>A page of egresses and the token of the next page (null or empty on the last page).</summary>
public sealed record ListEgressResponse
{
    public IReadOnlyList<EgressInfo> Items { get; init; } = [];
    public TokenPagination? NextPageToken { get; init; }
}

/// <summary>A page cursor.</summary>
public sealed record TokenPagination
{
    public string Token { get; init; } = "";
}

/// <summary>StopEgress.</summary>
public sealed record StopEgressRequest
{
    public string EgressId { get; init; } = "";
}

/// <summary>Where an output is uploaded: one of S3 (also MinIO, Oracle Object Storage), GCP, Azure or Alibaba OSS.</summary>
public abstract record UploadOutput
{
    public S3Upload? S3 { get; init; }
    public GcpUpload? Gcp { get; init; }
    public AzureBlobUpload? Azure { get; init; }
    [JsonPropertyName("aliOSS")]
    public AliOssUpload? AliOss { get; init; }
}

/// <summary>A recorded file (MP4, OGG, MP3).</summary>
public sealed record EncodedFileOutput : UploadOutput
{
    public EncodedFileType? FileType { get; init; }
    /// <summary>Path template: <c>{room_name}</c>, <c>{room_id}</c>, <c>{time}</c>, <c>{utc}</c>…; a trailing <c>/</c> means a directory.</summary>
    public string? Filepath { get; init; }
    public bool? DisableManifest { get; init; }
}

/// <summary>HLS segments and playlists.</summary>
public sealed record SegmentedFileOutput : UploadOutput
{
    public SegmentedFileProtocol? Protocol { get; init; }
    public string? FilenamePrefix { get; init; }
    public string? PlaylistName { get; init; }
    public string? LivePlaylistName { get; init; }
    public uint? SegmentDuration { get; init; }
    public SegmentedFileSuffix? FilenameSuffix { get; init; }
    public bool? DisableManifest { get; init; }
}

/// <summary>Periodic still images.</summary>
public sealed record ImageOutput : UploadOutput
{
    public uint? CaptureInterval { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public string? FilenamePrefix { get; init; }
    public ImageFileSuffix? FilenameSuffix { get; init; }
    public ImageCodec? ImageCodec { get; init; }
    public bool? DisableManifest { get; init; }
}

/// <summary>A track written as is (track egress).</summary>
public sealed record DirectFileOutput : UploadOutput
{
    public string? Filepath { get; init; }
    public bool? DisableManifest { get; init; }
}

/// <summary>Per-track egress started with a room.</summary>
public sealed record AutoTrackEgress : UploadOutput
{
    public string? Filepath { get; init; }
    public bool? DisableManifest { get; init; }
}

/// <summary>Per-participant egress started with a room.</summary>
public sealed record AutoParticipantEgress
{
    public EncodingOptionsPreset? Preset { get; init; }
    public EncodingOptions? Advanced { get; init; }
    public IReadOnlyList<EncodedFileOutput>? FileOutputs { get; init; }
    public IReadOnlyList<SegmentedFileOutput>? SegmentOutputs { get; init; }
}

/// <summary>RTMP/SRT/websocket streaming.</summary>
public sealed record StreamOutput
{
    public StreamProtocol? Protocol { get; init; }
    public IReadOnlyList<string> Urls { get; init; } = [];
}

/// <summary>S3-compatible storage. Set <see cref="ForcePathStyle"/> for MinIO-style endpoints.</summary>
public sealed record S3Upload
{
    public string? AccessKey { get; init; }
    public string? Secret { get; init; }
    public string? SessionToken { get; init; }
    public string? AssumeRoleArn { get; init; }
    public string? AssumeRoleExternalId { get; init; }
    public string? Region { get; init; }
    public string? Endpoint { get; init; }
    public string? Bucket { get; init; }
    public bool? ForcePathStyle { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public string? Tagging { get; init; }
    public string? ContentDisposition { get; init; }
    public ProxyConfig? Proxy { get; init; }
}

/// <summary>Google Cloud Storage.</summary>
public sealed record GcpUpload
{
    public string? Credentials { get; init; }
    public string? Bucket { get; init; }
    public ProxyConfig? Proxy { get; init; }
}

/// <summary>Azure Blob Storage.</summary>
public sealed record AzureBlobUpload
{
    public string? AccountName { get; init; }
    public string? AccountKey { get; init; }
    public string? ContainerName { get; init; }
}

/// <summary>Alibaba Cloud OSS.</summary>
public sealed record AliOssUpload
{
    public string? AccessKey { get; init; }
    public string? Secret { get; init; }
    public string? Region { get; init; }
    public string? Endpoint { get; init; }
    public string? Bucket { get; init; }
}

/// <summary>An HTTP proxy for uploads.</summary>
public sealed record ProxyConfig
{
    public string? Url { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }
}

/// <summary>Custom encoding instead of a preset.</summary>
public sealed record EncodingOptions
{
    public int? Width { get; init; }
    public int? Height { get; init; }
    public int? Depth { get; init; }
    public int? Framerate { get; init; }
    public AudioCodec? AudioCodec { get; init; }
    public int? AudioBitrate { get; init; }
    public int? AudioFrequency { get; init; }
    public VideoCodec? VideoCodec { get; init; }
    public int? VideoBitrate { get; init; }
    public double? KeyFrameInterval { get; init; }
    public int? AudioQuality { get; init; }
    public int? VideoQuality { get; init; }
}

/// <summary>An extra webhook target for one egress, signed with <see cref="SigningKey"/>.</summary>
public sealed record WebhookConfig
{
    public string Url { get; init; } = "";
    public string? SigningKey { get; init; }
}
