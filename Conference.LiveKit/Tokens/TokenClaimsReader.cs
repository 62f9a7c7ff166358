using System.Text.Json;

namespace Conference.LiveKit;

/// <summary>
/// Reads token claims, the counterpart of <see cref="TokenClaimsWriter"/>: verifying sits on every request that
/// carries a token, and by hand this is about twice as fast as the serializer. Unknown claims are skipped; a known
/// claim of the wrong JSON type is a <see cref="JsonException"/>. The rarely used nested objects still go through
/// the generated <see cref="TokenJsonContext"/>.
/// </summary>
static class TokenClaimsReader
{
    public static TokenClaims Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The claims are not a JSON object.");
        }

        string? issuer = null, identity = null, name = null, kind = null, metadata = null, sha256 = null, roomPreset = null;
        DateTimeOffset? notBefore = null, expiresAt = null;
        VideoGrants? video = null;
        IReadOnlyDictionary<string, string>? attributes = null;
        RoomConfiguration? roomConfig = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("iss"u8)) issuer = ReadString(ref reader);
            else if (reader.ValueTextEquals("sub"u8)) identity = ReadString(ref reader);
            else if (reader.ValueTextEquals("nbf"u8)) notBefore = ReadNumericDate(ref reader);
            else if (reader.ValueTextEquals("exp"u8)) expiresAt = ReadNumericDate(ref reader);
            else if (reader.ValueTextEquals("name"u8)) name = ReadString(ref reader);
            else if (reader.ValueTextEquals("kind"u8)) kind = ReadString(ref reader);
            else if (reader.ValueTextEquals("video"u8)) video = ReadVideo(ref reader);
            else if (reader.ValueTextEquals("metadata"u8)) metadata = ReadString(ref reader);
            else if (reader.ValueTextEquals("sha256"u8)) sha256 = ReadString(ref reader);
            else if (reader.ValueTextEquals("roomPreset"u8)) roomPreset = ReadString(ref reader);
            else if (reader.ValueTextEquals("attributes"u8))
            {
                reader.Read();
                attributes = JsonSerializer.Deserialize(ref reader, TokenJsonContext.Default.IReadOnlyDictionaryStringString);
            }
            else if (reader.ValueTextEquals("roomConfig"u8))
            {
                reader.Read();
                roomConfig = JsonSerializer.Deserialize(ref reader, TokenJsonContext.Default.RoomConfiguration);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new JsonException("The claims object is not closed, or something follows it.");
        }

        return new TokenClaims
        {
            Issuer = issuer, Identity = identity, NotBefore = notBefore, ExpiresAt = expiresAt, Name = name, Kind = kind,
            Video = video, Metadata = metadata, Attributes = attributes, Sha256 = sha256, RoomPreset = roomPreset,
            RoomConfig = roomConfig,
        };
    }

    static VideoGrants? ReadVideo(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The video claim is not an object.");
        }

        bool? roomJoin = null, canPublish = null, canSubscribe = null, canPublishData = null, canUpdateOwnMetadata = null;
        bool? roomCreate = null, roomList = null, roomRecord = null, roomAdmin = null, ingressAdmin = null, hidden = null;
        bool? recorder = null, agent = null, canSubscribeMetrics = null, canManageAgentSession = null;
        string? room = null, destinationRoom = null;
        IReadOnlyList<TrackSource>? canPublishSources = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("roomJoin"u8)) roomJoin = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("room"u8)) room = ReadString(ref reader);
            else if (reader.ValueTextEquals("canPublish"u8)) canPublish = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("canSubscribe"u8)) canSubscribe = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("canPublishData"u8)) canPublishData = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("canPublishSources"u8))
            {
                reader.Read();
                canPublishSources = reader.TokenType == JsonTokenType.Null ? null : TrackSourceNamesConverter.ReadNames(ref reader);
            }
            else if (reader.ValueTextEquals("canUpdateOwnMetadata"u8)) canUpdateOwnMetadata = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("roomCreate"u8)) roomCreate = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("roomList"u8)) roomList = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("roomRecord"u8)) roomRecord = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("roomAdmin"u8)) roomAdmin = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("ingressAdmin"u8)) ingressAdmin = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("hidden"u8)) hidden = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("recorder"u8)) recorder = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("agent"u8)) agent = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("canSubscribeMetrics"u8)) canSubscribeMetrics = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("canManageAgentSession"u8)) canManageAgentSession = ReadBoolean(ref reader);
            else if (reader.ValueTextEquals("destinationRoom"u8)) destinationRoom = ReadString(ref reader);
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new VideoGrants
        {
            RoomJoin = roomJoin,
            Room = room,
            CanPublish = canPublish,
            CanSubscribe = canSubscribe,
            CanPublishData = canPublishData,
            CanPublishSources = canPublishSources,
            CanUpdateOwnMetadata = canUpdateOwnMetadata,
            RoomCreate = roomCreate,
            RoomList = roomList,
            RoomRecord = roomRecord,
            RoomAdmin = roomAdmin,
            IngressAdmin = ingressAdmin,
            Hidden = hidden,
            Recorder = recorder,
            Agent = agent,
            CanSubscribeMetrics = canSubscribeMetrics,
            CanManageAgentSession = canManageAgentSession,
            DestinationRoom = destinationRoom,
        };
    }

    static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new JsonException($"Expected a string, found {reader.TokenType}."),
        };
    }

    static bool? ReadBoolean(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Null => null,
            _ => throw new JsonException($"Expected true or false, found {reader.TokenType}."),
        };
    }

    // JWT NumericDate: seconds since the epoch, possibly with a fraction.
    static DateTimeOffset? ReadNumericDate(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException($"Expected a NumericDate, found {reader.TokenType}.");
        }

        var seconds = reader.TryGetInt64(out var whole) ? whole : (long)Math.Clamp(reader.GetDouble(), long.MinValue, long.MaxValue);
        return seconds >= MinSeconds && seconds <= MaxSeconds
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new JsonException($"The NumericDate {seconds} is out of range.");
    }

    static readonly long MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();
}
