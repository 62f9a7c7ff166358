namespace Conference.Api.Webhooks;

/// <summary>
/// A LiveKit webhook event, stored once by its id: a retried delivery finds it and changes nothing. The body is
/// kept as the exact bytes LiveKit signed (bytea): payloads carry client-chosen strings verbatim, U+0000 included,
/// which jsonb and text columns refuse.
/// </summary>
public sealed class WebhookEventRecord
{
    public required string Id { get; set; }

    public required string Type { get; set; }

    public string? RoomName { get; set; }

    /// <summary>LiveKit's createdAt for the event (unix seconds in the body); null when it sent none.</summary>
    public DateTimeOffset? CreatedAt { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>When its effect was applied; null while it waits for another attempt.</summary>
    public DateTimeOffset? AppliedAt { get; set; }

    /// <summary>Failed attempts to apply it so far.</summary>
    public int ApplyAttempts { get; set; }

    /// <summary>Why the last attempt failed.</summary>
    public string? LastError { get; set; }

    /// <summary>The body exactly as LiveKit signed it.</summary>
    public required byte[] Payload { get; set; }
}
