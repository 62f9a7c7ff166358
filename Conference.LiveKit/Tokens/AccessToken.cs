namespace Conference.LiveKit;

/// <summary>
/// Builds a LiveKit access token (HS256 JWT): <c>iss</c> = API key, <c>sub</c> = identity, <c>nbf</c>, <c>exp</c>
/// and LiveKit's claims. Works with secrets of any length, including the 6-byte development secret.
/// </summary>
/// <example><code>
/// var jwt = new AccessToken(apiKey, apiSecret)
///     .WithIdentity("alice").WithName("Alice")
///     .WithGrants(new VideoGrants { RoomJoin = true, Room = "abc-defg-hij" })
///     .WithTtl(TimeSpan.FromMinutes(15))
///     .ToJwt();
/// </code></example>
public sealed class AccessToken
{
    /// <summary>Lifetime when none is given, as in LiveKit's SDKs.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(6);

    readonly string apiKey;
    readonly string apiSecret;
    readonly TimeProvider timeProvider;
    // Fields, not a TokenClaims copied on every With…: minting is on the join path.
    string? identity;
    string? name;
    string? metadata;
    IReadOnlyDictionary<string, string>? attributes;
    string? kind;
    VideoGrants? video;
    RoomConfiguration? roomConfig;
    string? roomPreset;
    string? sha256;
    TimeSpan ttl = DefaultTtl;
    DateTimeOffset? notBefore;

    /// <summary>A token signed with <paramref name="apiSecret"/> and issued by <paramref name="apiKey"/>.</summary>
    public AccessToken(string apiKey, string apiSecret, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        ArgumentException.ThrowIfNullOrEmpty(apiSecret);
        this.apiKey = apiKey;
        this.apiSecret = apiSecret;
        this.timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Participant identity (<c>sub</c>); required to join a room.</summary>
    public AccessToken WithIdentity(string identity)
    {
        this.identity = identity;
        return this;
    }

    /// <summary>Display name.</summary>
    public AccessToken WithName(string name)
    {
        this.name = name;
        return this;
    }

    /// <summary>Participant metadata set at join.</summary>
    public AccessToken WithMetadata(string metadata)
    {
        this.metadata = metadata;
        return this;
    }

    /// <summary>Participant attributes set at join.</summary>
    public AccessToken WithAttributes(IReadOnlyDictionary<string, string> attributes)
    {
        this.attributes = attributes;
        return this;
    }

    /// <summary>Participant kind, written in lower case as LiveKit expects.</summary>
    public AccessToken WithKind(ParticipantKind kind)
    {
        this.kind = ProtoEnumConverter<ParticipantKind>.NameOf(kind).ToLowerInvariant();
        return this;
    }

    /// <summary>Room permissions.</summary>
    public AccessToken WithGrants(VideoGrants grants)
    {
        video = grants;
        return this;
    }

    /// <summary>Room settings applied if this participant's join creates the room.</summary>
    public AccessToken WithRoomConfig(RoomConfiguration roomConfig)
    {
        this.roomConfig = roomConfig;
        return this;
    }

    /// <summary>Room preset (LiveKit Cloud).</summary>
    public AccessToken WithRoomPreset(string roomPreset)
    {
        this.roomPreset = roomPreset;
        return this;
    }

    /// <summary>Base64 SHA-256 of a body this token vouches for (how webhooks are signed).</summary>
    public AccessToken WithSha256(string sha256)
    {
        this.sha256 = sha256;
        return this;
    }

    /// <summary>How long the token is valid, counted from not-before (default 6 hours).</summary>
    public AccessToken WithTtl(TimeSpan ttl)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        this.ttl = ttl;
        return this;
    }

    /// <summary>Not valid before this time (default: now).</summary>
    public AccessToken WithNotBefore(DateTimeOffset notBefore)
    {
        this.notBefore = notBefore;
        return this;
    }

    /// <summary>Signs the token.</summary>
    /// <exception cref="InvalidOperationException">The token joins a room but has no identity.</exception>
    public string ToJwt()
    {
        if (video?.RoomJoin == true && string.IsNullOrEmpty(identity))
        {
            throw new InvalidOperationException("A token that joins a room needs an identity.");
        }

        var validFrom = notBefore ?? timeProvider.GetUtcNow();
        var claims = new TokenClaims
        {
            Issuer = apiKey, Identity = identity, NotBefore = validFrom, ExpiresAt = validFrom + ttl, Name = name, Kind = kind,
            Video = video, Metadata = metadata, Attributes = attributes, Sha256 = sha256, RoomPreset = roomPreset, RoomConfig = roomConfig,
        };
        return Jwt.Sign(claims, apiSecret);
    }
}
