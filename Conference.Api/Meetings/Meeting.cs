namespace Conference.Api.Meetings;

/// <summary>
/// A meeting: a LiveKit room with a readable slug (<c>abc-defg-hij</c>) that is also the room's name, a host,
/// and the settings the host controls.
/// </summary>
public sealed class Meeting
{
    public Guid Id { get; set; }

    public required string Slug { get; set; }

    public required string Title { get; set; }

    public required string HostId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When LiveKit said the room started (room_started), the first time.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When the meeting ended for everyone (by the host, or LiveKit's room_finished).</summary>
    public DateTimeOffset? EndedAt { get; set; }

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
}

public enum RecordingAccess
{
    HostOnly,
    Participants,
}
