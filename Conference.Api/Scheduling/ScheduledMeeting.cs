namespace Conference.Api.Scheduling;

/// <summary>
/// A meeting planned for a time: one iCalendar event (RFC 5545 VEVENT, stable <see cref="Uid"/>) on a meeting of its
/// own (its link is the meeting's slug). Times are local wall-clock times in an IANA time zone, so a weekly 09:00
/// stays 09:00 across daylight-saving changes; <see cref="StartsAt"/> is the first start as an instant, for queries.
/// </summary>
public sealed class ScheduledMeeting
{
    public Guid Id { get; set; }

    /// <summary>The meeting people join; deleting it deletes the schedule.</summary>
    public Guid MeetingId { get; set; }

    public required string HostId { get; set; }

    /// <summary>The iCalendar UID (RFC 5545 §3.8.4.7): the same in every REQUEST and CANCEL for this event.</summary>
    public required string Uid { get; set; }

    /// <summary>SEQUENCE (RFC 5545 §3.8.7.4): 0 when invited, +1 on each change of time, recurrence, title or description.</summary>
    public int Sequence { get; set; }

    public required string Title { get; set; }

    public string? Description { get; set; }

    /// <summary>The first start, wall-clock time in <see cref="TimeZone"/> (no offset: the zone's rules give it).</summary>
    public DateTime StartLocal { get; set; }

    /// <summary>An IANA time zone id, e.g. <c>Europe/Berlin</c>.</summary>
    public required string TimeZone { get; set; }

    /// <summary>The first start as an instant (UTC).</summary>
    public DateTimeOffset StartsAt { get; set; }

    public TimeSpan Duration { get; set; }

    public Recurrence Recurrence { get; set; }

    /// <summary>The last local date an occurrence may start on (RRULE UNTIL), with a recurrence.</summary>
    public DateOnly? RecursUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CancelledAt { get; set; }

    /// <summary>The start (instant) of the occurrence the last reminder went out for, so each gets one reminder.</summary>
    public DateTimeOffset? RemindedFor { get; set; }

    /// <summary>The host's choice: people joining by their personal link go straight in, past the meeting's lobby.</summary>
    public bool InviteesSkipLobby { get; set; }
}

/// <summary>How a scheduled meeting repeats (RRULE FREQ).</summary>
public enum Recurrence
{
    None,
    Daily,
    Weekly,
}

/// <summary>
/// Someone invited to a scheduled meeting by email. Their personal link carries a secret token that stands for their
/// participant identity in the meeting, so joining by it fills in their name and makes them the same person every
/// time; revoking it, or removing them, makes the link worthless. The token is found by its SHA-256 and kept only
/// encrypted (ASP.NET Data Protection), because every update and reminder mails the same link again.
/// </summary>
public sealed class Invitee
{
    public long Id { get; set; }

    public Guid ScheduledMeetingId { get; set; }

    /// <summary>The address as given (lower-cased; unique per scheduled meeting).</summary>
    public required string Email { get; set; }

    /// <summary>Their name, if the host gave one: filled in when they join by their link.</summary>
    public string? Name { get; set; }

    /// <summary>The LiveKit identity they join with by their link (<c>g-…</c>, see ParticipantIdentities).</summary>
    public required string Identity { get; set; }

    /// <summary>SHA-256 (hex) of the personal link's token: how a link finds its invitee.</summary>
    public required string LinkTokenHash { get; set; }

    /// <summary>The token itself, encrypted with the key ring (<see cref="PersonalLinks"/>), to put the link in later mail.</summary>
    public required string ProtectedLinkToken { get; set; }

    public DateTimeOffset InvitedAt { get; set; }

    /// <summary>When the host took them off the meeting (they were sent a CANCEL).</summary>
    public DateTimeOffset? RemovedAt { get; set; }

    /// <summary>When the host revoked their personal link.</summary>
    public DateTimeOffset? LinkRevokedAt { get; set; }
}
