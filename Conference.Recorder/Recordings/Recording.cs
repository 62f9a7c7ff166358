using Conference.LiveKit;

namespace Conference.Recorder.Recordings;

/// <summary>
/// One recording of one meeting: a LiveKit room-composite egress and the MP4 it leaves in object storage.
/// </summary>
public sealed record Recording
{
    public Guid Id { get; init; }
    public required string MeetingSlug { get; init; }
    /// <summary>The meeting's host account: the api lists "all recordings of my meetings" by it.</summary>
    public required string HostId { get; init; }
    public string? EgressId { get; init; }
    public RecordingStatus Status { get; init; }
    public required string Layout { get; init; }
    public bool AudioOnly { get; init; }
    /// <summary>Where the file is (or will be) in the bucket.</summary>
    public required string ObjectKey { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public double? DurationSeconds { get; init; }
    public long? SizeBytes { get; init; }
    /// <summary>The object's URL as egress reported it (or as we address it).</summary>
    public string? Location { get; init; }
    /// <summary>Why it failed, in words the host can act on.</summary>
    public string? Error { get; init; }
    /// <summary>Storage checks tried so far after egress ended.</summary>
    public int VerifyAttempts { get; init; }
    /// <summary>When the next storage check is due; null unless the file awaits verification.</summary>
    public DateTimeOffset? NextVerifyAt { get; init; }
}

/// <summary>The rules that turn what LiveKit says about an egress into a recording's next state.</summary>
public static class RecordingStates
{
    public static bool IsFinal(this RecordingStatus status) => status is RecordingStatus.Ready or RecordingStatus.Failed;

    public static bool IsRunning(this RecordingStatus status) => status is RecordingStatus.Starting or RecordingStatus.Recording;

    /// <summary>Ready and Failed share the last rank: neither replaces the other.</summary>
    static int Rank(RecordingStatus status) => status switch
    {
        RecordingStatus.Starting => 0,
        RecordingStatus.Recording => 1,
        RecordingStatus.Processing => 2,
        _ => 3,
    };

    /// <summary>
    /// The recording after LiveKit reported <paramref name="egress"/>, or null when the report changes nothing:
    /// a duplicate, or an older report arriving after a newer one (webhooks are retried and may overtake each other).
    /// A completed egress is not Ready yet: it becomes Processing until the file is seen in storage.
    /// </summary>
    public static Recording? Apply(Recording recording, EgressInfo egress, DateTimeOffset now)
    {
        if (recording.Status.IsFinal())
        {
            return null;
        }
        var file = egress.FileResults.FirstOrDefault() ?? egress.File;
        switch (egress.Status)
        {
            case EgressStatus.Failed or EgressStatus.Aborted:
                return recording with
                {
                    Status = RecordingStatus.Failed,
                    EgressId = egress.EgressId,
                    EndedAt = egress.EndedAt ?? now,
                    Error = FailureMessage(egress),
                    NextVerifyAt = null,
                };

            case EgressStatus.Complete or EgressStatus.LimitReached:
                if (recording.NextVerifyAt is not null)
                {
                    // Already told, and the verification is under way — unless what we were told was our own guess
                    // (LiveKit no longer listed the egress, so the file was looked for without its file results; it
                    // may not have been uploaded yet). LiveKit's own news of the end then brings the file results:
                    // take them and look again now, not at the retry the first look scheduled.
                    if (recording.Location is not null || string.IsNullOrEmpty(file?.Location))
                    {
                        return null;
                    }
                }
                return recording with
                {
                    Status = RecordingStatus.Processing,
                    EgressId = egress.EgressId,
                    EndedAt = file?.EndedAt ?? egress.EndedAt ?? now,
                    DurationSeconds = file is { Duration.Ticks: > 0 } ? file.Duration.TotalSeconds : recording.DurationSeconds,
                    ObjectKey = string.IsNullOrEmpty(file?.Filename) ? recording.ObjectKey : file.Filename,
                    Location = string.IsNullOrEmpty(file?.Location) ? recording.Location : file.Location,
                    Error = egress.Status == EgressStatus.LimitReached ? "The recording reached LiveKit's time limit and was stopped." : null,
                    NextVerifyAt = now,
                };

            default:
                var status = egress.Status switch
                {
                    EgressStatus.Starting => RecordingStatus.Starting,
                    EgressStatus.Active => RecordingStatus.Recording,
                    _ => RecordingStatus.Processing, // ending: the file is being written
                };
                if (Rank(status) <= Rank(recording.Status) && recording.EgressId == egress.EgressId)
                {
                    return null;
                }
                return recording with
                {
                    Status = Rank(status) < Rank(recording.Status) ? recording.Status : status,
                    EgressId = egress.EgressId,
                    StartedAt = egress.StartedAt ?? recording.StartedAt,
                };
        }
    }

    static string FailureMessage(EgressInfo egress)
    {
        var reason = string.IsNullOrWhiteSpace(egress.Error) ? egress.Details : egress.Error;
        // LiveKit's and S3's messages often end with their own full stop (s3rver's and AWS's do): joined once.
        return egress.Status == EgressStatus.Aborted
            ? string.IsNullOrWhiteSpace(reason) ? "The recording was aborted by LiveKit." : Sentence.WithDetail("The recording was aborted by LiveKit", reason)
            : Sentence.WithDetail("LiveKit could not record", reason);
    }
}
