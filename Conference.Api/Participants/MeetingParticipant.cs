namespace Conference.Api.Participants;

/// <summary>
/// A person in one meeting, by the LiveKit identity they join with every time: <c>u-{account id}</c> when signed
/// in, else the identity in the participant key their browser keeps for this meeting. Their role and removal live
/// here, so they follow the person across reloads, reconnects and second tabs, whether or not they are connected.
/// </summary>
public sealed class MeetingParticipant
{
    public long Id { get; set; }

    public Guid MeetingId { get; set; }

    public required string Identity { get; set; }

    /// <summary>The account, when a signed-in person joined.</summary>
    public string? UserId { get; set; }

    /// <summary>The name they last joined with (NFC).</summary>
    public required string DisplayName { get; set; }

    public ParticipantRole Role { get; set; }

    public DateTimeOffset FirstJoinedAt { get; set; }

    /// <summary>When a host or co-host last removed them; while set, this identity is refused (the lobby may let them back).</summary>
    public DateTimeOffset? RemovedAt { get; set; }

    /// <summary>How often they were removed: the lobby shows the host "removed before".</summary>
    public int TimesRemoved { get; set; }
}
