using System.Text.Json;
using System.Text.Json.Nodes;
using Conference.LiveKit;

namespace Conference.Tests.LiveKit;

/// <summary>LiveKit's answers (snake_case, int64 as strings, enums by name, defaults included) parse with no field lost.</summary>
public sealed class ResponseParsingTests
{
    // Proto fields ProtoCoverageTests lists as not modelled; the samples carry them at their defaults.
    static readonly string[] NotModelled = ["data_tracks", "capabilities", "packet_trailer_features", "video_layer_mode"];

    public static TheoryData<string, Type> Samples => new()
    {
        { LiveKitSamples.Room, typeof(Room) },
        { LiveKitSamples.Track, typeof(TrackInfo) },
        { LiveKitSamples.Participant, typeof(ParticipantInfo) },
        { LiveKitSamples.Egress, typeof(EgressInfo) },
        { $$"""{ "items": [{{LiveKitSamples.Egress}}], "next_page_token": { "token": "p3" } }""", typeof(ListEgressResponse) },
        { LiveKitSamples.EgressEndedWebhook, typeof(WebhookEvent) },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_round_trips_through_our_record(string sample, Type type)
    {
        var parsed = JsonSerializer.Deserialize(sample, type, ProtoJson.SnakeCase);
        var written = JsonSerializer.Serialize(parsed, type, ProtoJson.SnakeCase);

        // Every field of the sample comes back with its value; ours may add defaults the sample left out.
        var expected = JsonNode.Parse(ProtoJsonComparison.Normalize(WithoutNotModelled(JsonNode.Parse(sample)!)));
        AssertContains(expected, JsonNode.Parse(ProtoJsonComparison.Normalize(written)), "$");
    }

    static void AssertContains(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    Assert.True(actual is JsonObject a && a.ContainsKey(key), $"{path}.{key} was lost");
                    AssertContains(value, actual![key], $"{path}.{key}");
                }

                break;
            case JsonArray array:
                Assert.Equal(array.Count, actual!.AsArray().Count);
                for (var i = 0; i < array.Count; i++)
                {
                    AssertContains(array[i], actual[i], $"{path}[{i}]");
                }

                break;
            default:
                Assert.Equal(expected?.ToJsonString(), actual?.ToJsonString());
                break;
        }
    }

    [Fact]
    public void Room_times_are_seconds_and_milliseconds()
    {
        var room = JsonSerializer.Deserialize<Room>(LiveKitSamples.Room, ProtoJson.SnakeCase)!;
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), room.CreationTime);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000123), room.CreationTimeMs);
        Assert.Equal(2u, room.NumParticipants);
        Assert.Equal(1700000000123456, room.Version!.UnixMicro);
    }

    [Fact]
    public void Egress_times_are_nanoseconds_and_enums_proto_names()
    {
        var egress = JsonSerializer.Deserialize<EgressInfo>(LiveKitSamples.Egress, ProtoJson.SnakeCase)!;
        Assert.Equal(EgressStatus.Complete, egress.Status);
        Assert.False(egress.IsActive);
        Assert.Equal(new DateTimeOffset(2023, 11, 14, 22, 13, 30, TimeSpan.Zero).AddTicks(1234567), egress.StartedAt);
        Assert.Equal(new DateTimeOffset(2023, 11, 14, 22, 14, 31, TimeSpan.Zero), egress.UpdatedAt);
        Assert.Equal(EncodingOptionsPreset.H264720P30, egress.RoomComposite!.Preset);
        Assert.Equal(StreamStatus.Failed, Assert.Single(egress.StreamResults).Status);
        Assert.Null(egress.StreamResults[0].EndedAt);
        Assert.Equal(10, Assert.Single(egress.SegmentResults).SegmentCount);
    }

    [Fact]
    public void Int64_reads_from_numbers_and_camel_case_names_are_accepted()
    {
        var file = JsonSerializer.Deserialize<EgressFileInfo>("""{"size":7340032,"startedAt":1700000010000000000,"duration":"1500000000"}""", ProtoJson.SnakeCase)!;
        Assert.Equal(7340032, file.Size);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000010), file.StartedAt);
        Assert.Equal(TimeSpan.FromSeconds(1.5), file.Duration);
    }

    static JsonNode WithoutNotModelled(JsonNode node)
    {
        foreach (var child in node is JsonObject obj ? obj.Select(p => p.Value) : node is JsonArray array ? array : [])
        {
            if (child is not null)
            {
                WithoutNotModelled(child);
            }
        }

        if (node is JsonObject container)
        {
            foreach (var name in NotModelled)
            {
                container.Remove(name);
            }
        }

        return node;
    }
}
