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
/// <param name="Days">Days after a recording ended before it is deleted; an admin sets 1–3650.</param>
public sealed record RetentionSetting(int Days)
{
    public const int MinimumDays = 1;
    public const int MaximumDays = 3650;
}

/// <summary>The Redis keys the api and the recorder share (both already use the one Redis).</summary>
public static class SharedRedisKeys
{
    /// <summary>Set by the recorder while the meeting is being recorded; read by the api for <c>GET /api/meetings/{slug}</c>.</summary>
    public static string RecordingFlag(string meetingSlug) => $"conference:recording:{meetingSlug}";
}

/// <summary>
/// "Something changed in meeting X", published on Redis so every open page refreshes what the change concerns. The
/// api publishes most changes (and drops its cached meeting on every one); the recorder publishes
/// <see cref="Recording"/> whenever a recording changes. <see cref="What"/> is one of the constants below or the name
/// of the LiveKit webhook event that changed the meeting (<c>room_started</c>, <c>participant_joined</c>…); the web's
/// pages read it to refresh only what changed (the lobby list on <see cref="Lobby"/>, the lock on <see cref="Lock"/>…).
/// </summary>
/// <param name="Participant">For a change to one person (<see cref="Muted"/>): their LiveKit identity.</param>
/// <param name="By">For a moderation change: the display name of the host or co-host who made it.</param>
/// <param name="Track">For <see cref="Muted"/>: the sid of the track (TR_…) that was muted.</param>
public sealed record MeetingChange(string Slug, string What, string? Participant = null, string? By = null, string? Track = null)
{
    public const string Channel = "conference:meeting-changes";

    /// <summary>Someone asked to join, or was admitted or denied.</summary>
    public const string Lobby = "lobby";

    /// <summary>A participant was removed or given another role.</summary>
    public const string Participants = "participants";

    /// <summary>
    /// A host or co-host muted one of <see cref="Participant"/>'s tracks (<see cref="Track"/>); <see cref="By"/> names
    /// them. LiveKit tells the muted browser only that its track was muted, not by whom: this tells it who.
    /// </summary>
    public const string Muted = "muted";

    /// <summary>The meeting was locked or unlocked.</summary>
    public const string Lock = "lock";

    /// <summary>The host changed the meeting's settings.</summary>
    public const string Settings = "settings";

    /// <summary>The host ended the call for everyone.</summary>
    public const string Ended = "ended";

    /// <summary>The meeting was deleted.</summary>
    public const string Deleted = "deleted";

    /// <summary>A recording started, stopped, became ready, failed or was deleted.</summary>
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
