using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conference.Tests.LiveKit;

/// <summary>
/// Puts protobuf JSON into one comparable form: keys in snake_case (Node writes camelCase, we write proto names),
/// sorted, and proto3 default values (false, 0, "", [], {}, null) left out, since protobuf treats absent and
/// default alike and Node's toJson() omits them.
/// </summary>
static class ProtoJsonComparison
{
    public static string Normalize(JsonNode? node) => Canonical(node)?.ToJsonString() ?? "null";

    public static string Normalize(string json) => Normalize(JsonNode.Parse(json));

    static JsonNode? Canonical(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj.OrderBy(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Key), StringComparer.Ordinal))
                {
                    if (Canonical(value) is { } canonical)
                    {
                        result[JsonNamingPolicy.SnakeCaseLower.ConvertName(key)] = canonical;
                    }
                }

                return result.Count == 0 ? null : result;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    items.Add(Canonical(item) ?? JsonValue.Create(0));
                }

                return items.Count == 0 ? null : items;
            case JsonValue value when value.GetValueKind() switch
            {
                JsonValueKind.False or JsonValueKind.Null => true,
                JsonValueKind.String => value.GetValue<string>() is "" or "0",
                JsonValueKind.Number => value.GetValue<double>() == 0,
                _ => false,
            }:
                return null;
            default:
                return node?.DeepClone();
        }
    }
}
