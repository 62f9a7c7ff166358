using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Conference.LiveKit;

/// <summary>
/// JSON settings that follow protojson: LiveKit's Twirp API answers with proto (snake_case) names while
/// webhooks use lowerCamelCase, and protojson readers accept both. So each option set writes one casing
/// and reads either, int64 as strings (read from strings or numbers), enums by proto name.
/// </summary>
static class ProtoJson
{
    /// <summary>Twirp requests and responses: writes snake_case, reads snake_case or camelCase.</summary>
    public static readonly JsonSerializerOptions SnakeCase = Create(JsonNamingPolicy.SnakeCaseLower, JsonNamingPolicy.CamelCase);

    /// <summary>Webhook bodies: writes camelCase, reads camelCase or snake_case.</summary>
    public static readonly JsonSerializerOptions CamelCase = Create(JsonNamingPolicy.CamelCase, JsonNamingPolicy.SnakeCaseLower);

    static JsonSerializerOptions Create(JsonNamingPolicy names, JsonNamingPolicy alternateNames)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = names,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            Converters = { new ProtoEnumConverterFactory(), new ProtoInt64Converter() },
            TypeInfoResolver = new DefaultJsonTypeInfoResolver
            {
                Modifiers = { typeInfo => AcceptAlternateNames(typeInfo, alternateNames) },
            },
        };
        options.MakeReadOnly(populateMissingResolver: false);
        return options;
    }

    // System.Text.Json has no property aliases, so every property gets a read-only twin under its other name.
    static void AcceptAlternateNames(JsonTypeInfo typeInfo, JsonNamingPolicy alternateNames)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var property in typeInfo.Properties.ToArray())
        {
            if (property.Set is null || property.AttributeProvider is not MemberInfo member
                || member.IsDefined(typeof(JsonPropertyNameAttribute)))
            {
                continue;
            }

            var alternateName = alternateNames.ConvertName(member.Name);
            if (alternateName == property.Name)
            {
                continue;
            }

            var alias = typeInfo.CreateJsonPropertyInfo(property.PropertyType, alternateName);
            alias.Set = property.Set;
            alias.CustomConverter = property.CustomConverter;
            alias.NumberHandling = property.NumberHandling;
            typeInfo.Properties.Add(alias);
        }
    }
}
