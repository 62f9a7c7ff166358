using System.Text.Json.Serialization;

namespace Conference.LiveKit;

/// <summary>The claims of a LiveKit access token, with LiveKit's JSON claim names.</summary>
public sealed record TokenClaims
{
    /// <summary>API key that signed the token (<c>iss</c>).</summary>
    [JsonPropertyName("iss")]
    public string? Issuer { get; init; }

    /// <summary>Participant identity (<c>sub</c>); absent on service and webhook tokens.</summary>
    [JsonPropertyName("sub")]
    public string? Identity { get; init; }

    /// <summary>Not valid before (<c>nbf</c>).</summary>
    [JsonPropertyName("nbf"), JsonConverter(typeof(NumericDateConverter))]
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Expiry (<c>exp</c>); LiveKit rejects tokens without it.</summary>
    [JsonPropertyName("exp"), JsonConverter(typeof(NumericDateConverter))]
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Display name.</summary>
    public string? Name { get; init; }

    /// <summary>Participant kind, lower case (<c>standard</c>, <c>agent</c>…).</summary>
    public string? Kind { get; init; }

    /// <summary>Room permissions.</summary>
    public VideoGrants? Video { get; init; }

    /// <summary>Participant metadata at join.</summary>
    public string? Metadata { get; init; }

    /// <summary>Participant attributes at join.</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>Base64 SHA-256 of a request body (webhooks).</summary>
    public string? Sha256 { get; init; }

    /// <summary>Room preset (LiveKit Cloud).</summary>
    public string? RoomPreset { get; init; }

    /// <summary>Room settings applied if this join creates the room.</summary>
    public RoomConfiguration? RoomConfig { get; init; }
}
