using System.Text.Json;
using System.Text.Json.Serialization;

namespace Conference.LiveKit;

/// <summary>Compile-time JSON metadata for token claims: camelCase claim names, unset claims left out.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenClaims))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
sealed partial class TokenJsonContext : JsonSerializerContext;

/// <summary>JWT NumericDate: whole seconds since the Unix epoch, as a JSON number.</summary>
sealed class NumericDateConverter : JsonConverter<DateTimeOffset?>
{
    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.FromUnixTimeSeconds((long)reader.GetDouble());

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value!.Value.ToUnixTimeSeconds());
}

/// <summary>
/// <c>canPublishSources</c> holds lower-case source names (<c>camera</c>, <c>screen_share</c>), unlike the
/// upper-case enum names of the Twirp API.
/// </summary>
sealed class TrackSourceNamesConverter : JsonConverter<IReadOnlyList<TrackSource>>
{
    // Indexed by TrackSource; Unknown has no name a token could carry.
    static readonly string[] Names = ["", "camera", "microphone", "screen_share", "screen_share_audio"];

    public override IReadOnlyList<TrackSource> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ReadNames(ref reader);

    public static IReadOnlyList<TrackSource> ReadNames(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("canPublishSources must be an array.");
        }

        var sources = new List<TrackSource>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException("canPublishSources holds source names.");
            }

            sources.Add((TrackSource)Math.Max(0, Array.IndexOf(Names, reader.GetString())));
        }

        return sources;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<TrackSource> value, JsonSerializerOptions options) =>
        WriteNames(writer, value);

    public static void WriteNames(Utf8JsonWriter writer, IReadOnlyList<TrackSource> value)
    {
        writer.WriteStartArray();
        foreach (var source in value)
        {
            if (source is TrackSource.Unknown || (int)source >= Names.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(value), source, "A token can only allow known track sources.");
            }

            writer.WriteStringValue(Names[(int)source]);
        }

        writer.WriteEndArray();
    }
}
