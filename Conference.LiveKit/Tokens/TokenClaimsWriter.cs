using System.Text.Json;

namespace Conference.LiveKit;

/// <summary>
/// Writes token claims with LiveKit's claim names. Written by hand because minting sits on every join: this is
/// several times faster than the serializer with its converters; the rarely used nested objects still go
/// through the generated <see cref="TokenJsonContext"/>. <see cref="TokenClaimsReader"/> reads them back.
/// </summary>
static class TokenClaimsWriter
{
    public static void Write(Utf8JsonWriter writer, TokenClaims claims)
    {
        writer.WriteStartObject();
        WriteString(writer, "iss"u8, claims.Issuer);
        WriteString(writer, "sub"u8, claims.Identity);
        WriteNumericDate(writer, "nbf"u8, claims.NotBefore);
        WriteNumericDate(writer, "exp"u8, claims.ExpiresAt);
        WriteString(writer, "name"u8, claims.Name);
        WriteString(writer, "kind"u8, claims.Kind);
        if (claims.Video is { } video)
        {
            writer.WritePropertyName("video"u8);
            WriteVideo(writer, video);
        }

        WriteString(writer, "metadata"u8, claims.Metadata);
        if (claims.Attributes is { } attributes)
        {
            writer.WritePropertyName("attributes"u8);
            JsonSerializer.Serialize(writer, attributes, TokenJsonContext.Default.IReadOnlyDictionaryStringString);
        }

        WriteString(writer, "sha256"u8, claims.Sha256);
        WriteString(writer, "roomPreset"u8, claims.RoomPreset);
        if (claims.RoomConfig is { } roomConfig)
        {
            writer.WritePropertyName("roomConfig"u8);
            JsonSerializer.Serialize(writer, roomConfig, TokenJsonContext.Default.RoomConfiguration);
        }

        writer.WriteEndObject();
        writer.Flush();
    }

    static void WriteVideo(Utf8JsonWriter writer, VideoGrants video)
    {
        writer.WriteStartObject();
        WriteBoolean(writer, "roomCreate"u8, video.RoomCreate);
        WriteBoolean(writer, "roomList"u8, video.RoomList);
        WriteBoolean(writer, "roomRecord"u8, video.RoomRecord);
        WriteBoolean(writer, "roomAdmin"u8, video.RoomAdmin);
        WriteBoolean(writer, "roomJoin"u8, video.RoomJoin);
        WriteString(writer, "room"u8, video.Room);
        WriteBoolean(writer, "canPublish"u8, video.CanPublish);
        WriteBoolean(writer, "canSubscribe"u8, video.CanSubscribe);
        WriteBoolean(writer, "canPublishData"u8, video.CanPublishData);
        if (video.CanPublishSources is { } sources)
        {
            writer.WritePropertyName("canPublishSources"u8);
            TrackSourceNamesConverter.WriteNames(writer, sources);
        }

        WriteBoolean(writer, "canUpdateOwnMetadata"u8, video.CanUpdateOwnMetadata);
        WriteBoolean(writer, "ingressAdmin"u8, video.IngressAdmin);
        WriteBoolean(writer, "hidden"u8, video.Hidden);
        WriteBoolean(writer, "recorder"u8, video.Recorder);
        WriteBoolean(writer, "agent"u8, video.Agent);
        WriteBoolean(writer, "canSubscribeMetrics"u8, video.CanSubscribeMetrics);
        WriteBoolean(writer, "canManageAgentSession"u8, video.CanManageAgentSession);
        WriteString(writer, "destinationRoom"u8, video.DestinationRoom);
        writer.WriteEndObject();
    }

    static void WriteString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    // Unset booleans stay out of the token: the server's defaults differ per grant (canPublish true, hidden false).
    static void WriteBoolean(Utf8JsonWriter writer, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is { } set)
        {
            writer.WriteBoolean(name, set);
        }
    }

    static void WriteNumericDate(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset? value)
    {
        if (value is { } set)
        {
            writer.WriteNumber(name, set.ToUnixTimeSeconds());
        }
    }
}
