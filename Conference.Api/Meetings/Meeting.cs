namespace Conference.Api.Meetings;

/// <summary>
/// A meeting: a link (readable slug <c>abc-defg-hij</c>, also the LiveKit room's name), a title, a host and the
/// settings the host controls. It lasts until the host deletes it (or the expiry the host set). Each life of its
/// LiveKit room is a <see cref="MeetingCall"/>: LiveKit closes an empty room and creates it again on the next join,
/// so a closed room ends a call, never the meeting.
/// </summary>
public sealed class Meeting
{
    public Guid Id { get; set; }

    public required string Slug { get; set; }

    public required string Title { get; set; }

    public required string HostId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When its first call started (LiveKit's room_started), or null before anyone joined.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>
    /// The last time the host ended the call for everyone. A join token issued before it is refused by the webhook
    /// handler (the participant is removed at once), so nobody's token of that call starts it again.
    /// </summary>
    public DateTimeOffset? EndedForEveryoneAt { get; set; }

    public MeetingSettings Settings { get; set; } = new();

    /// <summary>The LiveKit room this meeting lives in.</summary>
    public string RoomName => Slug;
}

/// <summary>What a host decides about a meeting.</summary>
public sealed class MeetingSettings
{
    public const int MaxParticipantsLimit = 100;

    /// <summary>Guests wait until a host or co-host lets them in.</summary>
    public bool LobbyEnabled { get; set; }

    /// <summary>Nobody new may join except hosts.</summary>
    public bool Locked { get; set; }

    public int MaxParticipants { get; set; } = 50;

    /// <summary>Start recording when the room starts.</summary>
    public bool AutoRecord { get; set; }

    /// <summary>Who may list and download the meeting's recordings.</summary>
    public RecordingAccess RecordingAccess { get; set; } = RecordingAccess.HostOnly;

    /// <summary>After this the link no longer admits anyone (410); null: until the host deletes the meeting.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}

public enum RecordingAccess
{
    HostOnly,
    Participants,
}
