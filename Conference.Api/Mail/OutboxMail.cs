namespace Conference.Api.Mail;

/// <summary>
/// One mail waiting in (or sent from) the outbox: the whole MIME message as it will go on the wire, written in the
/// same transaction as the change it tells about, so a change is never without its mail nor a mail without its change.
/// </summary>
public sealed class OutboxMail
{
    public Guid Id { get; set; }

    /// <summary>The RFC 5322 Message-ID, fixed when queued: every retry sends the same message.</summary>
    public required string MessageId { get; set; }

    /// <summary>The recipients' addresses (comma-separated), for operators reading the table.</summary>
    public required string Recipients { get; set; }

    public required string Subject { get; set; }

    /// <summary>The MIME message (RFC 5322 bytes).</summary>
    public required byte[] Content { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Not before this: now for a new mail, later after a failure or while an instance holds it.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    public int Attempts { get; set; }

    /// <summary>When the SMTP server accepted it; null while waiting.</summary>
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Why the last attempt failed.</summary>
    public string? LastError { get; set; }
}
