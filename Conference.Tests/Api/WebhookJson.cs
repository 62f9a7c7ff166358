using System.Text.Json;

namespace Conference.Tests.Api;

/// <summary>Webhook bodies in the shape LiveKit sends (protojson: camelCase, int64 as strings, defaults left out).</summary>
internal static class WebhookJson
{
    public static string RoomStarted(string room, DateTimeOffset at, string? id = null) => Serialize(new
    {
        @event = "room_started",
        room = new { sid = $"RM_{room}", name = room, emptyTimeout = 300, creationTime = at.ToUnixTimeSeconds().ToString() },
        id = id ?? NewId(),
        createdAt = at.ToUnixTimeSeconds().ToString(),
    });

    public static string RoomFinished(string room, DateTimeOffset at, string? id = null) => Serialize(new
    {
        @event = "room_finished",
        room = new { sid = $"RM_{room}", name = room },
        id = id ?? NewId(),
        createdAt = at.ToUnixTimeSeconds().ToString(),
    });

    public static string Participant(string eventName, string room, string identity, string name, DateTimeOffset joinedAt,
        DateTimeOffset at, string role = "Guest", string? id = null) => Serialize(new
    {
        @event = eventName,
        room = new { sid = $"RM_{room}", name = room },
        participant = new
        {
            sid = $"PA_{identity}",
            identity,
            name,
            state = eventName == "participant_joined" ? "ACTIVE" : "DISCONNECTED",
            metadata = JsonSerializer.Serialize(new { Role = role }),
            joinedAt = joinedAt.ToUnixTimeSeconds().ToString(),
            disconnectReason = eventName == "participant_left" ? "CLIENT_INITIATED" : null,
        },
        id = id ?? NewId(),
        createdAt = at.ToUnixTimeSeconds().ToString(),
    });

    public static string NewId() => $"EV_{Guid.NewGuid():N}";

    static string Serialize(object value) =>
        JsonSerializer.Serialize(value, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
}
