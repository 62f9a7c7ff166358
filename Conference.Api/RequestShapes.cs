using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Conference.Api;

/// <summary>
/// What a request's parts look like, in words a client can act on: the JSON a body field takes ("true or false",
/// "a date (yyyy-MM-dd)…"), an example body, and whether a route or query value parses as its parameter's type.
/// Read from the serializer's own contract (<see cref="JsonTypeInfo"/>), so names and shapes are the ones on the wire.
/// </summary>
static class RequestShapes
{
    /// <summary>A field of a body, found by the serializer's JSON path (<c>$.settings.lobbyEnabled</c>, <c>$.invitees[0].email</c>).</summary>
    /// <param name="Field">The path as a client names it: <c>settings.lobbyEnabled</c>; "body" for the whole body.</param>
    /// <param name="Type">The field's type; null when the body has no such field.</param>
    /// <param name="Parent">The object the last name was looked up in (for an unknown field: the one that has no such field).</param>
    public sealed record FieldAtPath(string Field, Type? Type, JsonTypeInfo? Parent);

    public static FieldAtPath Resolve(Type bodyType, string? path, JsonSerializerOptions options)
    {
        var field = new StringBuilder();
        var type = bodyType;
        JsonTypeInfo? parent = null;
        foreach (var segment in Segments(path))
        {
            var info = options.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);
            if (segment.Index is { } index)
            {
                field.Append('[').Append(index).Append(']');
                if (info is not { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } element })
                {
                    return new(field.ToString(), null, info);
                }
                type = element;
                continue;
            }
            if (field.Length > 0)
            {
                field.Append('.');
            }
            field.Append(segment.Name);
            parent = info;
            var property = info.Kind == JsonTypeInfoKind.Object
                ? info.Properties.FirstOrDefault(p => string.Equals(p.Name, segment.Name, StringComparison.OrdinalIgnoreCase))
                : null;
            if (property is null)
            {
                return new(field.ToString(), null, info);
            }
            type = property.PropertyType;
        }
        return new(field.Length == 0 ? "body" : field.ToString(), type, parent);
    }

    /// <summary>"$.a.b[2]['c d']" → a, b, [2], c d.</summary>
    static IEnumerable<(string? Name, int? Index)> Segments(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            yield break;
        }
        foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(path, @"\.(?<name>[^.\[]+)|\['(?<quoted>(?:[^']|'')*)'\]|\[(?<index>\d+)\]"))
        {
            if (match.Groups["index"].Success)
            {
                yield return (null, int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture));
            }
            else
            {
                yield return (match.Groups["name"].Success ? match.Groups["name"].Value : match.Groups["quoted"].Value.Replace("''", "'"), null);
            }
        }
    }

    /// <summary>What a value of <paramref name="type"/> looks like in JSON or in a URL: "true or false", "a whole number"…</summary>
    public static string Describe(Type type, JsonSerializerOptions options)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (Scalar(type) is { } scalar)
        {
            return scalar.Words;
        }
        var info = options.GetTypeInfo(type);
        return info switch
        {
            { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } element } => $"an array of {Plural(Describe(element, options))}",
            { Kind: JsonTypeInfoKind.Object } => $"an object such as {Example(type, options)}",
            _ => "a JSON value",
        };
    }

    static string Plural(string description) => description switch
    {
        _ when description.StartsWith("an object", StringComparison.Ordinal) => "objects" + description["an object".Length..],
        _ => $"values that are each {description}",
    };

    /// <summary>The types that are one JSON value (or one URL segment): the words for them and an example value.</summary>
    static readonly Dictionary<Type, (string Words, string Example)> Scalars = new()
    {
        [typeof(bool)] = ("true or false", "true"),
        [typeof(string)] = ("a string", "\"…\""),
        [typeof(int)] = ("a whole number", "10"),
        [typeof(long)] = ("a whole number", "10"),
        [typeof(short)] = ("a whole number", "10"),
        [typeof(uint)] = ("a whole number", "10"),
        [typeof(ulong)] = ("a whole number", "10"),
        [typeof(double)] = ("a number", "1.5"),
        [typeof(float)] = ("a number", "1.5"),
        [typeof(decimal)] = ("a number", "1.5"),
        [typeof(DateTimeOffset)] = ("a date and time with its offset (RFC 3339), such as 2026-12-01T09:00:00Z", "\"2026-12-01T09:00:00Z\""),
        [typeof(DateTime)] = ("a date and time (ISO 8601), such as 2026-12-01T09:00", "\"2026-12-01T09:00\""),
        [typeof(DateOnly)] = ("a date (yyyy-MM-dd), such as 2026-12-01", "\"2026-12-01\""),
        [typeof(TimeOnly)] = ("a time (HH:mm), such as 09:30", "\"09:30\""),
        [typeof(Guid)] = ("a UUID, such as 0192d5a0-7c1e-7b3a-9f4e-2a1b3c4d5e6f", "\"0192d5a0-7c1e-7b3a-9f4e-2a1b3c4d5e6f\""),
    };

    /// <summary>The words and an example for a type that is one JSON value (or one URL segment), null for objects and arrays.</summary>
    static (string Words, string Example)? Scalar(Type type) => type switch
    {
        _ when Scalars.TryGetValue(type, out var scalar) => scalar,
        _ when type.IsEnum => ("one of " + string.Join(", ", Enum.GetNames(type).Select(name => $"\"{name}\"")), $"\"{Enum.GetNames(type).Last()}\""),
        _ => null,
    };

    /// <summary>An example body of <paramref name="type"/>, every field filled in: <c>{"locked": true}</c>.</summary>
    public static string Example(Type type, JsonSerializerOptions options, int depth = 0)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return Scalar(type) is { } scalar
            ? scalar.Example
            : options.GetTypeInfo(type) switch
            {
                { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } element } => depth > 1 ? "[…]" : $"[{Example(element, options, depth + 1)}]",
                { Kind: JsonTypeInfoKind.Object } info when depth <= 1 =>
                    "{" + string.Join(", ", info.Properties.Select(p => $"\"{p.Name}\": {Example(p.PropertyType, options, depth + 1)}")) + "}",
                _ => "{…}",
            };
    }

    /// <summary>The JSON names of an object's fields, required ones marked.</summary>
    public static IEnumerable<string> FieldNames(JsonTypeInfo info) =>
        info.Kind == JsonTypeInfoKind.Object ? info.Properties.Select(p => p.IsRequired ? $"{p.Name} (required)" : p.Name) : [];

    /// <summary>The path of a field called <paramref name="name"/> somewhere below <paramref name="type"/>: where a misplaced field belongs.</summary>
    public static string? FindField(Type type, string name, JsonSerializerOptions options, string prefix = "", int depth = 0)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (depth > 2 || Scalar(type) is not null || options.GetTypeInfo(type) is not { Kind: JsonTypeInfoKind.Object } info)
        {
            return null;
        }
        foreach (var property in info.Properties)
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return prefix + property.Name;
            }
        }
        return info.Properties.Select(p => FindField(p.PropertyType, name, options, $"{prefix}{p.Name}.", depth + 1)).FirstOrDefault(found => found is not null);
    }

    /// <summary>
    /// Whether <paramref name="value"/> binds to a route or query parameter of <paramref name="type"/> the way minimal
    /// APIs bind it: enums by name, everything else by its invariant-culture <c>TryParse</c>. Strings always do.
    /// </summary>
    public static bool Parses(Type type, string value)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return true;
        }
        if (type.IsEnum)
        {
            return Enum.TryParse(type, value, ignoreCase: true, out _);
        }
        var arguments = new object?[] { value, CultureInfo.InvariantCulture, null };
        if (type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(IFormatProvider), type.MakeByRefType()]) is { } withProvider)
        {
            return (bool)withProvider.Invoke(null, arguments)!;
        }
        if (type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), type.MakeByRefType()]) is { } plain)
        {
            return (bool)plain.Invoke(null, [value, null])!;
        }
        return true; // bound some other way (BindAsync, services): not a value from the URL
    }

    /// <summary>Whether a handler parameter of this type takes its value from the route or the query string.</summary>
    public static bool IsUrlValue(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) || type.IsEnum || Scalar(type) is not null
               || type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(IFormatProvider), type.MakeByRefType()]) is not null;
    }
}
