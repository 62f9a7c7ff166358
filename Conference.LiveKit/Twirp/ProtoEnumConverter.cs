using System.Collections.Frozen;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Conference.LiveKit;

/// <summary>
/// Enums as protobuf names (<c>EGRESS_ACTIVE</c>, <c>MP4</c>): the member's <see cref="JsonStringEnumMemberNameAttribute"/>
/// or its name in UPPER_SNAKE_CASE. Reads names or numbers; an unknown name (a newer server) reads as the zero value
/// instead of failing the whole message, as protojson does with DiscardUnknown.
/// </summary>
sealed class ProtoEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(ProtoEnumConverter<>).MakeGenericType(typeToConvert))!;
}

sealed class ProtoEnumConverter<T> : JsonConverter<T> where T : struct, Enum
{
    static readonly FrozenDictionary<T, string> NameByValue = typeof(T)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .ToFrozenDictionary(
            field => (T)field.GetValue(null)!,
            field => field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                ?? JsonNamingPolicy.SnakeCaseUpper.ConvertName(field.Name));

    // Matched against the UTF-8 bytes as read, so reading an enum allocates no string; enums are short lists.
    static readonly (byte[] Name, T Value)[] Utf8Names =
        NameByValue.Select(pair => (Encoding.UTF8.GetBytes(pair.Value), pair.Key)).ToArray();

    /// <summary>The protobuf name of <paramref name="value"/>.</summary>
    public static string NameOf(T value) => NameByValue.TryGetValue(value, out var name) ? name : value.ToString();

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader);

    /// <summary>Reads the current token as the converter does; every failure is a <see cref="JsonException"/>.</summary>
    public static T ReadValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt32(out var number)
                ? (T)Enum.ToObject(typeof(T), number)
                : throw new JsonException($"A {typeof(T).Name} number is an int32.");
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"A {typeof(T).Name} is a name or a number, not {reader.TokenType}.");
        }

        foreach (var (name, value) in Utf8Names)
        {
            if (reader.ValueTextEquals(name))
            {
                return value;
            }
        }

        return default;
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(NameOf(value));
}
