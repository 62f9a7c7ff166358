namespace Conference.Api.Participants;

/// <summary>One stay of one person in one meeting, from LiveKit's participant_joined to participant_left.</summary>
public sealed class ParticipantSession
{
    public long Id { get; set; }

    public Guid MeetingId { get; set; }

    /// <summary>The LiveKit identity; unique per join.</summary>
    public required string Identity { get; set; }

    public required string DisplayName { get; set; }

    public ParticipantRole Role { get; set; }

    /// <summary>The account, when a signed-in person joined.</summary>
    public string? UserId { get; set; }

    public DateTimeOffset JoinedAt { get; set; }

    public DateTimeOffset? LeftAt { get; set; }

    /// <summary>LiveKit's disconnect reason (CLIENT_INITIATED, ROOM_DELETED, ...) or "connection_aborted".</summary>
    public string? DisconnectReason { get; set; }
}

/// <summary>Who someone is in a meeting; LiveKit grants follow it.</summary>
public enum ParticipantRole
{
    Guest,
    CoHost,
    Host,
}
