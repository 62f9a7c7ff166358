namespace Conference.Recorder.Contracts;

/// <summary>Where a recording is in its life. Only ever moves forward: Starting → Recording → Processing → Ready | Failed.</summary>
public enum RecordingStatus
{
    Starting,
    Recording,
    Processing,
    Ready,
    Failed,
}

/// <summary>A start the api has authorised: the meeting's host (recordings are listed by it), layout and audio only.</summary>
public sealed record StartRecordingRequest(string? HostId, string? Layout, bool? AudioOnly);

/// <summary>A recording as the recorder reports it; the api drops <see cref="HostId"/> before answering its callers.</summary>
public sealed record RecordingInfo(
    Guid Id, string MeetingSlug, string HostId, RecordingStatus Status, string Layout, bool AudioOnly,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, double? DurationSeconds, long? SizeBytes, string? Error);

/// <summary>One page, newest first; pass <see cref="NextCursor"/> back for the next (null on the last page).</summary>
public sealed record RecordingInfoPage(IReadOnlyList<RecordingInfo> Items, string? NextCursor);

/// <summary>A short-lived presigned link that downloads the file straight from object storage.</summary>
public sealed record RecordingDownload(string Url, DateTimeOffset ExpiresAt);

/// <summary>The Redis keys the api and the recorder share (both already use the one Redis).</summary>
public static class SharedRedisKeys
{
    /// <summary>Set by the recorder while the meeting is being recorded; read by the api for <c>GET /api/meetings/{slug}</c>.</summary>
    public static string RecordingFlag(string meetingSlug) => $"conference:recording:{meetingSlug}";

    /// <summary>The admin's retention in days (site settings, owned by the api); the recorder's configuration when absent.</summary>
    public const string RetentionDays = "conference:recording-retention-days";
}

/// <summary>
/// "Something changed in meeting X", published on Redis so every open page refreshes (participants, lock, lobby,
/// recording). The api publishes most changes; the recorder publishes <c>recording</c> whenever a recording changes
/// (starts, stops, becomes ready or fails, is deleted).
/// </summary>
public sealed record MeetingChange(string Slug, string What)
{
    public const string Channel = "conference:meeting-changes";

    /// <summary>What changed when a recording started, stopped, became ready, failed or was deleted.</summary>
    public const string Recording = "recording";
}

/// <summary>
/// The key the api shows the recorder on every internal call. The recorder's interface is reachable only on the
/// deployment's private network; the key keeps the other services on that network (LiveKit, Egress) out of it too.
/// The AppHost generates one and gives it to both.
/// </summary>
public static class InternalApiKey
{
    /// <summary>Where both read it: <c>Recorder__InternalKey</c> in the environment.</summary>
    public const string ConfigurationKey = "Recorder:InternalKey";

    /// <summary>The request header that carries it.</summary>
    public const string HeaderName = "X-Recorder-Key";
}
