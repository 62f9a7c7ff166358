namespace Conference.Api.Webhooks;

/// <summary>A LiveKit webhook event, stored once by its id: a retried delivery finds it and changes nothing.</summary>
public sealed class WebhookEventRecord
{
    public required string Id { get; set; }

    public required string Type { get; set; }

    public string? RoomName { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>The body exactly as LiveKit signed it (jsonb).</summary>
    public required string Payload { get; set; }
}
