using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Conference.LiveKit;

/// <summary>
/// A protojson int64 (string or number) counting units of <paramref name="nanosecondsPerUnit"/> since the Unix
/// epoch, shown as <see cref="DateTimeOffset"/>. Zero means "not set" in proto3, so it reads as null.
/// </summary>
abstract class UnixTimeConverter(long nanosecondsPerUnit) : JsonConverter<DateTimeOffset?>
{
    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ProtoInt64.ToDate(ProtoInt64.Read(ref reader), nanosecondsPerUnit);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options) =>
        ProtoInt64.Write(writer, ProtoInt64.FromTicks((value!.Value - DateTimeOffset.UnixEpoch).Ticks, nanosecondsPerUnit));
}

/// <summary>Unix seconds (room <c>creation_time</c>, participant <c>joined_at</c>, webhook <c>createdAt</c>).</summary>
sealed class UnixSecondsConverter() : UnixTimeConverter(1_000_000_000);

/// <summary>Unix milliseconds (the <c>*_ms</c> fields).</summary>
sealed class UnixMillisecondsConverter() : UnixTimeConverter(1_000_000);

/// <summary>Unix nanoseconds (egress <c>started_at</c>, <c>ended_at</c>, <c>updated_at</c>).</summary>
sealed class UnixNanosecondsConverter() : UnixTimeConverter(1);

/// <summary>A protojson int64 count of nanoseconds (egress result <c>duration</c>) as <see cref="TimeSpan"/>.</summary>
sealed class NanosecondsDurationConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TimeSpan.FromTicks(ProtoInt64.ToTicks(ProtoInt64.Read(ref reader), 1));

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        ProtoInt64.Write(writer, ProtoInt64.FromTicks(value.Ticks, 1));
}

/// <summary>protojson int64: written as a string, read from a string or a number.</summary>
sealed class ProtoInt64Converter : JsonConverter<long>
{
    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ProtoInt64.Read(ref reader);

    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) => ProtoInt64.Write(writer, value);
}

static class ProtoInt64
{
    // Every failure is a JsonException, so a body of the wrong shape is one kind of rejection.
    public static long Read(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var number) ? number : throw new JsonException("The number is not an int64.");
            case JsonTokenType.String:
                var text = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
                return Utf8Parser.TryParse(text, out long value, out var consumed) && consumed == text.Length
                    ? value
                    : throw new JsonException($"'{Encoding.UTF8.GetString(text)}' is not an int64.");
            default:
                throw new JsonException($"An int64 is a number or a string, not {reader.TokenType}.");
        }
    }

    /// <summary>
    /// <paramref name="value"/> units of <paramref name="nanosecondsPerUnit"/> since the Unix epoch; 0 (proto3's
    /// "not set") is null. A time outside what <see cref="DateTimeOffset"/> holds is a <see cref="JsonException"/>
    /// rather than an overflow or an ArgumentOutOfRangeException escaping the parse.
    /// </summary>
    public static DateTimeOffset? ToDate(long value, long nanosecondsPerUnit)
    {
        if (value == 0)
        {
            return null;
        }

        if (nanosecondsPerUnit >= TimeSpan.NanosecondsPerTick)
        {
            // Division truncates towards zero, so these are the largest and smallest values whose ticks fit.
            var ticksPerUnit = nanosecondsPerUnit / TimeSpan.NanosecondsPerTick;
            if (value > MaxTicksSinceEpoch / ticksPerUnit || value < MinTicksSinceEpoch / ticksPerUnit)
            {
                throw new JsonException($"The time {value} is out of range.");
            }
        }

        var ticks = ToTicks(value, nanosecondsPerUnit);
        return ticks >= MinTicksSinceEpoch && ticks <= MaxTicksSinceEpoch
            ? DateTimeOffset.UnixEpoch.AddTicks(ticks)
            : throw new JsonException($"The time {value} is out of range.");
    }

    static readonly long MinTicksSinceEpoch = DateTimeOffset.MinValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
    static readonly long MaxTicksSinceEpoch = DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    public static void Write(Utf8JsonWriter writer, long value) =>
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));

    // A tick is 100 ns; the units here are either multiples of it (s, ms) or finer (ns).
    public static long ToTicks(long value, long nanosecondsPerUnit) =>
        nanosecondsPerUnit >= TimeSpan.NanosecondsPerTick
            ? value * (nanosecondsPerUnit / TimeSpan.NanosecondsPerTick)
            : value / TimeSpan.NanosecondsPerTick;

    public static long FromTicks(long ticks, long nanosecondsPerUnit) =>
        nanosecondsPerUnit >= TimeSpan.NanosecondsPerTick
            ? ticks / (nanosecondsPerUnit / TimeSpan.NanosecondsPerTick)
            : ticks * TimeSpan.NanosecondsPerTick;
}
