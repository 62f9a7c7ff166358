namespace Conference.Contracts;

// The recorder's internal HTTP interface (/internal/...), as the recorder answers it and the api calls it.

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

/// <summary>
/// A recording as the recorder reports it; the api drops <see cref="HostId"/> before answering its callers and adds
/// the meeting's title, which is the api's data: the recorder knows a meeting by its code only.
/// </summary>
public sealed record RecordingInfo(
    Guid Id, string MeetingSlug, string HostId, RecordingStatus Status, string Layout, bool AudioOnly,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, double? DurationSeconds, long? SizeBytes, string? Error);

/// <summary>One page, newest first; pass <see cref="NextCursor"/> back for the next (null on the last page).</summary>
public sealed record RecordingInfoPage(IReadOnlyList<RecordingInfo> Items, string? NextCursor);

/// <summary>A short-lived presigned link that downloads the file straight from object storage.</summary>
public sealed record RecordingDownload(string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// The recorder's answer to <c>GET internal/recordings/{id}/download</c>: the recording (which the api authorises by
/// its meeting) and, when it is Ready, its link (null otherwise).
/// </summary>
public sealed record DownloadableRecording(RecordingInfo Recording, RecordingDownload? Download);

/// <summary>Whether this server can record now; when not, <see cref="Reason"/> says why in words for people.</summary>
public sealed record RecordingAvailability(bool Available, string? Reason);

/// <summary>
/// How many days finished recordings are kept. The recorder owns it (<c>GET</c>/<c>PUT internal/retention</c>); the
/// api passes the admin's choice on. A <c>GET</c> answers the admin's setting, or the recorder's configured default
/// (0 = for ever) until an admin has set one.
/// </summary>
/// <param name="Days">
/// Days after a recording ended before it is deleted, 1–3650, or <see cref="KeepForever"/> (0): never deleted.
/// </param>
public sealed record RetentionSetting(int Days)
{
    /// <summary>The value that keeps recordings for ever (no retention pass deletes anything).</summary>
    public const int KeepForever = 0;
    public const int MinimumDays = 1;
    public const int MaximumDays = 3650;

    /// <summary>Whether an admin may set <paramref name="days"/>: <see cref="KeepForever"/>, or 1–3650.</summary>
    public static bool IsAllowed(int days) => days is KeepForever or >= MinimumDays and <= MaximumDays;

    /// <summary>The words of the error for a value <see cref="IsAllowed"/> refuses, naming <paramref name="field"/>.</summary>
    public static string Refusal(string field) =>
        $"The {field} must be {KeepForever} (keep for ever) or between {MinimumDays} and {MaximumDays}.";
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
