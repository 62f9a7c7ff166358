namespace Conference.Api.Participants;

/// <summary>
/// One connection of one person to one call, keyed by LiveKit's participant sid (<c>PA_…</c>): a reconnect or a
/// second tab is a new session of the same identity. From participant_joined to participant_left (in either order).
/// Only people (LiveKit kinds STANDARD and SIP) have sessions: recorders, agents and ingress never do, so they never
/// count toward "full", presence or analytics.
/// </summary>
public sealed class ParticipantSession
{
    public long Id { get; set; }

    public Guid MeetingId { get; set; }

    /// <summary>LiveKit's participant sid, unique per connection.</summary>
    public required string ParticipantSid { get; set; }

    /// <summary>The call (LiveKit room sid) this connection was part of.</summary>
    public required string RoomSid { get; set; }

    /// <summary>The LiveKit identity; the same on every join from the same browser or account.</summary>
    public required string Identity { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>The role the token carried when they connected (the live role is <see cref="MeetingParticipant.Role"/>).</summary>
    public ParticipantRole Role { get; set; }

    /// <summary>The account, when a signed-in person joined.</summary>
    public string? UserId { get; set; }

    public DateTimeOffset JoinedAt { get; set; }

    public DateTimeOffset? LeftAt { get; set; }

    /// <summary>LiveKit's disconnect reason (CLIENT_INITIATED, DUPLICATE_IDENTITY, ...), CONNECTION_ABORTED or ROOM_CLOSED.</summary>
    public string? DisconnectReason { get; set; }
}

/// <summary>Who someone is in a meeting; LiveKit grants follow it.</summary>
public enum ParticipantRole
{
    Guest,
    CoHost,
    Host,
}
