namespace Conference.Api.Meetings;

/// <summary>
/// One life of a meeting's LiveKit room, keyed by LiveKit's room sid (<c>RM_…</c>): from room_started to
/// room_finished. Webhooks arrive in any order, so either event may create the row; the times are LiveKit's.
/// </summary>
public sealed class MeetingCall
{
    public long Id { get; set; }

    public Guid MeetingId { get; set; }

    /// <summary>LiveKit's room sid; every creation of the room has a new one.</summary>
    public required string RoomSid { get; set; }

    /// <summary>LiveKit's room creation time (room_started), null until that event arrives.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>room_finished's createdAt: the room was empty past its timeout, or deleted.</summary>
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>Where a meeting is now, for its page: not started, in progress since, or idle since its last call ended.</summary>
public enum MeetingStatus
{
    NotStarted,
    InProgress,
    Idle,
}
