using System.Text;
using System.Text.Json;

namespace Conference.LiveKit;

/// <summary>
/// The JSON property names of one record for a hand-written reader: each member of <typeparamref name="TField"/>
/// but the zero one (the "unknown" answer) is named like the record's property, and is found under the same two
/// names <see cref="ProtoJson.CamelCase"/> accepts for it (camelCase and its snake_case alias). Names are grouped
/// by length, so a lookup compares the bytes of one or two candidates and allocates nothing.
/// </summary>
internal sealed class PropertyNames<TField> where TField : struct, Enum
{
    private readonly (byte[] Name, TField Field)[][] byLength;
    private readonly int maxLength;

    public PropertyNames()
    {
        // camelCase first: it is what webhooks carry, so it is the first candidate compared.
        var camel = new List<(byte[] Name, TField Field)>();
        var snake = new List<(byte[] Name, TField Field)>();
        foreach (var field in Enum.GetValues<TField>().Where(field => !EqualityComparer<TField>.Default.Equals(field, default)))
        {
            var member = field.ToString();
            var camelName = JsonNamingPolicy.CamelCase.ConvertName(member);
            var snakeName = JsonNamingPolicy.SnakeCaseLower.ConvertName(member);
            camel.Add((Encoding.UTF8.GetBytes(camelName), field));
            if (snakeName != camelName)
            {
                snake.Add((Encoding.UTF8.GetBytes(snakeName), field));
            }
        }

        var all = camel.Concat(snake).ToList();
        maxLength = all.Max(name => name.Name.Length);
        byLength = new (byte[], TField)[maxLength + 1][];
        for (var length = 0; length <= maxLength; length++)
        {
            byLength[length] = all.Where(name => name.Name.Length == length).ToArray();
        }
    }

    /// <summary>The field the current property name stands for, or the zero member for a property we do not read.</summary>
    public TField Find(ref Utf8JsonReader reader)
    {
        // The reader is over one contiguous span (the whole body), so there is never a ValueSequence.
        return reader.ValueIsEscaped ? FindEscaped(ref reader) : Find(reader.ValueSpan);
    }

    private TField Find(ReadOnlySpan<byte> name)
    {
        if (name.Length > maxLength)
        {
            return default;
        }

        foreach (var (candidate, field) in byLength[name.Length])
        {
            if (name.SequenceEqual(candidate))
            {
                return field;
            }
        }

        return default;
    }

    // A name spelled with escapes (\u0073id) is the same name; nobody sends it, but the serializer accepts it. The
    // reader compares it unescaped (CopyString would also check its UTF-8, which the serializer does not do here).
    private TField FindEscaped(ref Utf8JsonReader reader)
    {
        foreach (var candidates in byLength)
        {
            foreach (var (candidate, field) in candidates)
            {
                if (reader.ValueTextEquals(candidate))
                {
                    return field;
                }
            }
        }

        return default;
    }
}
