using System.Text.Json;

namespace Conference.Tests.Api;

/// <summary>Webhook bodies in the shape LiveKit sends (protojson: camelCase, int64 as strings, defaults left out).</summary>
static class WebhookJson
{
    /// <remarks><paramref name="milliseconds"/>: with <c>creationTimeMs</c> as well, as LiveKit 1.8 and later send.</remarks>
    public static string RoomStarted(string room, DateTimeOffset at, string? id = null, string? roomSid = null, bool milliseconds = false) => Serialize(new
    {
        @event = "room_started",
        room = new
        {
            sid = roomSid ?? $"RM_{room}", name = room, emptyTimeout = 300, creationTime = at.ToUnixTimeSeconds().ToString(),
            creationTimeMs = milliseconds ? at.ToUnixTimeMilliseconds().ToString() : null,
        },
        id = id ?? NewId(),
        createdAt = at.ToUnixTimeSeconds().ToString(),
    });

    public static string RoomFinished(string room, DateTimeOffset at, string? id = null, string? roomSid = null) => Serialize(new
    {
        @event = "room_finished",
        room = new { sid = roomSid ?? $"RM_{room}", name = room },
        id = id ?? NewId(),
        createdAt = at.ToUnixTimeSeconds().ToString(),
    });

    public static string Participant(string eventName, string room, string identity, string name, DateTimeOffset joinedAt,
        DateTimeOffset at, string role = "Guest", string? id = null, string? roomSid = null, string? sid = null, string? kind = null,
        DateTimeOffset? issuedAt = null, string? disconnectReason = null) => Serialize(new
    {
        @event = eventName,
        room = new { sid = roomSid ?? $"RM_{room}", name = room },
        participant = new
        {
            sid = sid ?? $"PA_{identity}",
            kind,
            identity,
            name,
            state = eventName == "participant_joined" ? "ACTIVE" : "DISCONNECTED",
            metadata = JsonSerializer.Serialize(new { Role = role, IssuedAt = issuedAt }),
            joinedAt = joinedAt.ToUnixTimeSeconds().ToString(),
            disconnectReason = disconnectReason ?? (eventName == "participant_left" ? "CLIENT_INITIATED" : null),
        },
        id = id ?? NewId(),
        createdAt = at.ToUnixTimeSeconds().ToString(),
    });

    /// <summary>A track_published event: the track's name is whatever the browser chose.</summary>
    public static string TrackPublished(string room, string identity, string trackName, DateTimeOffset at) => Serialize(new
    {
        @event = "track_published",
        room = new { sid = $"RM_{room}", name = room },
        participant = new { sid = $"PA_{identity}", identity },
        track = new { sid = "TR_1", name = trackName, type = "AUDIO", source = "MICROPHONE" },
        id = NewId(),
        createdAt = at.ToUnixTimeSeconds().ToString(),
    });

    public static string NewId() => $"EV_{Guid.NewGuid():N}";

    static string Serialize(object value) =>
        JsonSerializer.Serialize(value, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
}
