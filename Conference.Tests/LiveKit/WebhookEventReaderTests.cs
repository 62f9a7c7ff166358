using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Conference.LiveKit;

namespace Conference.Tests.LiveKit;

/// <summary>
/// The hand-written <see cref="WebhookEventReader"/> against the serializer with <see cref="ProtoJson.CamelCase"/>
/// (what webhooks were read with before): the same bodies give the same event, compared as the JSON both results
/// serialize to (records holding lists do not compare deeply), and the same bodies are rejected.
/// </summary>
public sealed class WebhookEventReaderTests
{
    private const string ApiKey = "APIreader";
    private const string ApiSecret = "reader-secret-of-a-decent-length-01234";

    // --- Bodies with every property of every record set, generated from the serializer's own metadata, so a
    // property the hand-written reader forgets (or reads into the wrong field) fails the comparison.

    /// <summary>How a generated body spells things; all of it is what LiveKit sends or what protojson accepts.</summary>
    public sealed record Style(bool SnakeCase, bool Int64AsNumbers, bool NumbersAsStrings = false, bool EnumsAsNumbers = false, int BoolBit = -1)
    {
        public override string ToString() =>
            $"{(SnakeCase ? "snake_case" : "camelCase")}, int64 as {(Int64AsNumbers ? "numbers" : "strings")}"
            + (NumbersAsStrings ? ", int32 as strings" : "") + (EnumsAsNumbers ? ", enums as numbers" : "")
            + (BoolBit >= 0 ? $", bools from bit {BoolBit}" : "");
    }

    private static readonly Style[] BasicStyles =
    [
        new(SnakeCase: false, Int64AsNumbers: false), new(SnakeCase: false, Int64AsNumbers: true),
        new(SnakeCase: true, Int64AsNumbers: false), new(SnakeCase: true, Int64AsNumbers: true),
    ];

    public static TheoryData<string, Style> EveryEventInEveryStyle()
    {
        var data = new TheoryData<string, Style>();
        foreach (var name in WebhookEventNames.All)
        {
            foreach (var style in BasicStyles)
            {
                data.Add(name, style);
            }
        }

        return data;
    }

    public static TheoryData<Style> OtherStyles()
    {
        var data = new TheoryData<Style>
        {
            new(SnakeCase: false, Int64AsNumbers: false, NumbersAsStrings: true, EnumsAsNumbers: true),
            new(SnakeCase: true, Int64AsNumbers: true, NumbersAsStrings: true, EnumsAsNumbers: true),
        };
        // Each bool property is true or false by one bit of its index: two bools swapped differ in some bit.
        for (var bit = 0; bit < 8; bit++)
        {
            data.Add(new Style(SnakeCase: bit % 2 == 1, Int64AsNumbers: false, BoolBit: bit));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryEventInEveryStyle))]
    public void Reads_a_body_with_every_property_set_like_the_serializer(string eventName, Style style) =>
        AssertReadsLikeTheSerializer(FullBody(eventName, style));

    [Theory]
    [MemberData(nameof(OtherStyles))]
    public void Reads_every_property_in_other_spellings_like_the_serializer(Style style) =>
        AssertReadsLikeTheSerializer(FullBody(WebhookEventNames.TrackPublished, style));

    // Guards the generator itself: if it left a property out or at its default, the comparisons above would not
    // notice a reader that forgets that property.
    [Fact]
    public void The_full_body_sets_every_property_to_a_value_the_serializer_keeps()
    {
        var types = new HashSet<Type>();
        var body = FullBody(WebhookEventNames.TrackPublished, new Style(SnakeCase: false, Int64AsNumbers: false), types);
        var parsed = JsonSerializer.Deserialize<WebhookEvent>(body, ProtoJson.CamelCase);
        var written = JsonNode.Parse(JsonSerializer.Serialize(parsed, ProtoJson.CamelCase))!;

        Assert.Equal(ProtoJsonComparison.Normalize(body), ProtoJsonComparison.Normalize(written));
        Assert.Empty(DefaultValues(written, "$"));
        Assert.Subset(types, new HashSet<Type> { typeof(Room), typeof(ParticipantInfo), typeof(TrackInfo), typeof(ParticipantPermission),
            typeof(VideoLayer), typeof(SimulcastCodecInfo), typeof(Codec), typeof(TimedVersion) });
    }

    // --- Bodies as LiveKit sends them, for every event.

    public static TheoryData<string, string> LiveKitBodies()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, body) in SampleBodies())
        {
            data.Add(name, body);
            data.Add($"{name}, snake_case", ToSnakeCase(body));
            data.Add($"{name}, int64 as numbers", Int64AsNumbers(body));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LiveKitBodies))]
    public void Reads_LiveKit_bodies_like_the_serializer(string name, string body)
    {
        Assert.NotEmpty(name);
        AssertReadsLikeTheSerializer(body);
    }

    [Fact]
    public void Sample_bodies_cover_every_event_name() =>
        Assert.Equal(WebhookEventNames.All.Order(), SampleBodies().Select(sample => sample.Name).Where(WebhookEventNames.All.Contains).Distinct().Order());

    // --- Valid but unusual JSON: nulls, repeats, escapes, unknown members, numbers in strings.

    [Theory]
    [InlineData("""{"event":null,"id":null,"room":null,"participant":null,"track":null,"egressInfo":null,"ingressInfo":null,"job":null,"createdAt":null}""")]
    [InlineData("""{"room":{"sid":null,"name":null,"turnPassword":null,"metadata":null,"enabledCodecs":null,"version":null,"creationTime":null,"creationTimeMs":null}}""")]
    [InlineData("""{"room":{"enabledCodecs":[null,{"mime":null,"fmtpLine":null},{}]}}""")]
    [InlineData("""{"participant":{"tracks":[null,{}],"attributes":null,"permission":null,"kindDetails":null,"joinedAt":null}}""")]
    [InlineData("""{"participant":{"attributes":{"a":null,"b":"x","b":"y","":"empty"},"permission":{"canPublishSources":null}}}""")]
    [InlineData("""{"participant":{"attributes":{},"kindDetails":[],"tracks":[],"permission":{"canPublishSources":[]}}}""")]
    [InlineData("""{"participant":{"permission":{"canPublishSources":["CAMERA",2,"SOMETHING_NEW"]}}}""")]
    [InlineData("""{"track":{"layers":null,"codecs":null,"audioFeatures":null,"version":null,"sid":null,"stream":null}}""")]
    [InlineData("""{"track":{"layers":[null],"codecs":[null,{"layers":null}],"audioFeatures":["TF_STEREO",5]}}""")]
    [InlineData("""{"participant":{"state":"NOT_A_STATE","kind":"SOMETHING_NEW","disconnectReason":99}}""")]
    [InlineData("""{"participant":{"state":2,"kind":8,"disconnectReason":"ROOM_CLOSED"},"roomEndReason":"ROOM_END_IDLE_TIMEOUT"}""")]
    [InlineData("""{"participant":{"state":"\u0041CTIVE"},"roomEndReason":4}""")]
    [InlineData("""{"\u0065vent":"room_started","room":{"\u0073id":"RM_1","na\u006de":"n\u00e4me \ud83d\ude00","num_\u0070articipants":2}}""")]
    [InlineData("""{"room":{"name":"Zoë's room 😀","metadata":"ünïcödé","sid":""},"participant":{"attributes":{"naïve":"café","😀":""}}}""")]
    [InlineData("""{"track":{"width":"1280","height":"\u0037\u0032\u0030","layers":[{"spatialLayer":"-1","bitrate":"0"}]}}""")]
    [InlineData("""{"room":{"version":{"unixMicro":-5,"ticks":"-3"},"creationTime":"0","creationTimeMs":0},"createdAt":-1}""")]
    [InlineData("""{"room":{"version":{"unixMicro":"-5","ticks":-3}},"createdAt":"-1","participant":{"joinedAtMs":"1"}}""")]
    [InlineData("""{"room":{"sid":"a","sid":"b","version":{"ticks":1},"version":null},"room":{"name":"second"}}""")]
    [InlineData("""{"created_at":"1","createdAt":"2","num_dropped":3,"numDropped":4,"room_end_reason":"ROOM_END_API_DELETE"}""")]
    [InlineData("""{"room":{"future":{"a":[1,{"b":[]}],"c":null},"sid":"x","futureList":[[],{},"s",1.5,true]},"$id":"1","$type":"x","$ref":"y","Sid":"wrong case"}""")]
    [InlineData("""{"participant":{"Identity":"wrong case","identity":"right","IDENTITY":"x","is_Publisher":true}}""")]
    [InlineData(" \r\n\t{ \"id\" : \"EV_1\" ,\n \"event\" : \"room_finished\" } \n ")]
    [InlineData("""{"egressInfo":{"status":1,"fileResults":[{"size":7}]},"ingressInfo":{"enabled":null},"job":{"room":{"sid":"RM_1"},"participant":{"identity":"a"}}}""")]
    [InlineData("""{}""")]
    public void Reads_unusual_bodies_like_the_serializer(string body) => AssertReadsLikeTheSerializer(body);

    // --- Bodies that are not a webhook event: the serializer rejects them, so must the reader, with a JsonException,
    // which the receiver answers with MalformedJson.

    [Theory]
    // Wrong JSON types.
    [InlineData("""{"room":"RM_1"}""")]
    [InlineData("""{"room":[]}""")]
    [InlineData("""{"room":1}""")]
    [InlineData("""{"room":{"activeRecording":1}}""")]
    [InlineData("""{"room":{"activeRecording":"true"}}""")]
    [InlineData("""{"room":{"activeRecording":null}}""")]
    [InlineData("""{"id":{}}""")]
    [InlineData("""{"id":1}""")]
    [InlineData("""{"event":true}""")]
    [InlineData("""{"event":["room_started"]}""")]
    [InlineData("""{"room":{"enabledCodecs":{}}}""")]
    [InlineData("""{"room":{"enabledCodecs":["audio/opus"]}}""")]
    [InlineData("""{"room":{"enabledCodecs":[{"mime":1}]}}""")]
    [InlineData("""{"room":{"version":[]}}""")]
    [InlineData("""{"participant":{"tracks":[1]}}""")]
    [InlineData("""{"participant":{"tracks":{}}}""")]
    [InlineData("""{"participant":{"permission":true}}""")]
    [InlineData("""{"participant":{"permission":{"canPublish":0}}}""")]
    [InlineData("""{"participant":{"permission":{"canPublishSources":"CAMERA"}}}""")]
    [InlineData("""{"participant":{"permission":{"canPublishSources":[null]}}}""")]
    [InlineData("""{"participant":{"attributes":{"a":1}}}""")]
    [InlineData("""{"participant":{"attributes":{"a":{}}}}""")]
    [InlineData("""{"participant":{"attributes":[]}}""")]
    [InlineData("""{"participant":{"attributes":"x"}}""")]
    [InlineData("""{"participant":{"kindDetails":[null]}}""")]
    [InlineData("""{"participant":{"kindDetails":[{}]}}""")]
    [InlineData("""{"track":{"layers":[[]]}}""")]
    [InlineData("""{"track":{"codecs":[{"layers":[1]}]}}""")]
    [InlineData("""{"track":{"muted":"false"}}""")]
    [InlineData("""{"track":{"audioFeatures":[true]}}""")]
    // Numbers that are not an int32/uint32.
    [InlineData("""{"room":{"emptyTimeout":"abc"}}""")]
    [InlineData("""{"room":{"emptyTimeout":-1}}""")]
    [InlineData("""{"room":{"emptyTimeout":"-1"}}""")]
    [InlineData("""{"room":{"emptyTimeout":4294967296}}""")]
    [InlineData("""{"room":{"emptyTimeout":1.5}}""")]
    [InlineData("""{"room":{"emptyTimeout":1e3}}""")]
    [InlineData("""{"room":{"emptyTimeout":" 300"}}""")]
    [InlineData("""{"room":{"emptyTimeout":""}}""")]
    [InlineData("""{"room":{"emptyTimeout":null}}""")]
    [InlineData("""{"room":{"emptyTimeout":true}}""")]
    [InlineData("""{"room":{"emptyTimeout":{}}}""")]
    [InlineData("""{"numDropped":2147483648}""")]
    [InlineData("""{"numDropped":"2147483648"}""")]
    [InlineData("""{"track":{"layers":[{"spatialLayer":[]}]}}""")]
    // int64 and times.
    [InlineData("""{"room":{"version":{"unixMicro":true}}}""")]
    [InlineData("""{"room":{"version":{"unixMicro":{}}}}""")]
    [InlineData("""{"room":{"version":{"unixMicro":null}}}""")]
    [InlineData("""{"room":{"version":{"unixMicro":"1.5"}}}""")]
    [InlineData("""{"room":{"version":{"unixMicro":1.5}}}""")]
    [InlineData("""{"room":{"version":{"unixMicro":"9223372036854775808"}}}""")]
    [InlineData("""{"createdAt":true}""")]
    [InlineData("""{"createdAt":[]}""")]
    [InlineData("""{"createdAt":"abc"}""")]
    [InlineData("""{"createdAt":"400000000000"}""")]
    [InlineData("""{"createdAt":"9223372036854775807"}""")]
    [InlineData("""{"room":{"creationTimeMs":"-9223372036854775808"}}""")]
    [InlineData("""{"participant":{"joinedAt":1.5}}""")]
    // Enums: an unknown name reads as the zero value (protojson's DiscardUnknown), but not a non-name.
    [InlineData("""{"participant":{"state":null}}""")]
    [InlineData("""{"participant":{"state":true}}""")]
    [InlineData("""{"participant":{"state":{}}}""")]
    [InlineData("""{"participant":{"state":1.5}}""")]
    [InlineData("""{"participant":{"state":2147483648}}""")]
    [InlineData("""{"roomEndReason":[]}""")]
    [InlineData("""{"track":{"type":false}}""")]
    // What the serializer reads for egress, ingress and jobs.
    [InlineData("""{"egressInfo":{"status":false}}""")]
    [InlineData("""{"egressInfo":"EG_1"}""")]
    [InlineData("""{"ingressInfo":{"reusable":"yes"}}""")]
    [InlineData("""{"job":{"room":{"sid":1}}}""")]
    // Not one JSON object.
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"room_started\"")]
    [InlineData("1")]
    [InlineData("""{"id":"EV_1"} x""")]
    [InlineData("""{"id":"EV_1"}{}""")]
    [InlineData("""{"id":"EV_1"},""")]
    [InlineData("""{"id":"EV_1",}""")]
    [InlineData("""{"id":"EV_1" /* comment */}""")]
    [InlineData("""{"id":'EV_1'}""")]
    [InlineData("""{id:"EV_1"}""")]
    [InlineData("""{"room":{"sid":"RM_1"}""")]
    [InlineData("""{"room":{"sid":"RM_1"}]}""")]
    public void Rejects_what_the_serializer_rejects(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        Assert.ThrowsAny<Exception>(() => JsonSerializer.Deserialize<WebhookEvent>(bytes, ProtoJson.CamelCase)
            ?? throw new JsonException("null"));
        Assert.ThrowsAny<JsonException>(() => WebhookEventReader.Read(bytes));
        Assert.Equal(WebhookRejection.MalformedJson, Assert.Throws<WebhookException>(() => Receive(bytes)).Reason);
    }

    [Fact]
    public void Rejects_invalid_UTF8_like_the_serializer()
    {
        // 0xC3 starts a two-byte sequence that 0x28 does not continue.
        byte[][] bodies =
        [
            [.. """{"room":{"name":"a"""u8, 0xC3, 0x28, .. "\"}}"u8],
            [.. """{"participant":{"attributes":{"a"""u8, 0xC3, 0x28, .. "\":\"x\"}}}"u8],
            [.. """{"participant":{"attributes":{"a":"b"""u8, 0xC3, 0x28, .. "\"}}}"u8],
            [.. """{"room":{"version":{"unixMicro":"1"""u8, 0xC3, 0x28, .. "\"}}}"u8],
            [.. """{"room":{"emptyTimeout":"\u0031"""u8, 0xC3, 0x28, .. "\"}}"u8],
        ];
        foreach (var body in bodies)
        {
            Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<WebhookEvent>(body, ProtoJson.CamelCase));
            Assert.ThrowsAny<JsonException>(() => WebhookEventReader.Read(body));
            Assert.Equal(WebhookRejection.MalformedJson, Assert.Throws<WebhookException>(() => Receive(body)).Reason);
        }

        // An enum name is compared as bytes, never decoded: an unknown name, the zero value, for both.
        AssertReadsLikeTheSerializer([.. """{"participant":{"state":"ACTIVE"""u8, 0xC3, 0x28, .. "\"}}"u8]);
        // Nor is a property name: not one we know, so skipped by both.
        AssertReadsLikeTheSerializer([.. """{"room":{"\u0073id"""u8, 0xC3, 0x28, .. "\":\"x\",\"name\":\"n\"}}"u8]);
    }

    [Fact]
    public void Rejects_every_truncation_of_a_body()
    {
        var body = Encoding.UTF8.GetBytes(FullBody(WebhookEventNames.ParticipantJoined, new Style(SnakeCase: false, Int64AsNumbers: false)));
        for (var length = 0; length < body.Length; length++)
        {
            var truncated = body.AsSpan(0, length).ToArray();
            var error = Record.Exception(() => WebhookEventReader.Read(truncated));
            Assert.True(error is JsonException, $"Cut at {length}: {error?.GetType().Name ?? "no error"}");
        }

        // And through the receiver, for a few of them.
        foreach (var length in new[] { 1, body.Length / 3, body.Length / 2, body.Length - 1 })
        {
            Assert.Equal(WebhookRejection.MalformedJson, Assert.Throws<WebhookException>(() => Receive(body[..length])).Reason);
        }
    }

    [Fact]
    public void The_receiver_returns_what_the_reader_reads()
    {
        var body = File.ReadAllBytes(Path.Combine(NodeSdk.RepoRoot, "bench", "livekit-node", "webhook-2kb.json"));
        var received = Receive(body);
        Assert.Equal(Serialize(WebhookEventReader.Read(body)), Serialize(received));
        Assert.Equal(3, received.Participant!.Tracks.Count);
        Assert.Equal(180u, received.Participant.Tracks[1].Layers[1].Height);
        Assert.Equal("blue", received.Participant.Attributes["team"]);
    }

    // --- Helpers.

    private static void AssertReadsLikeTheSerializer(string body) => AssertReadsLikeTheSerializer(Encoding.UTF8.GetBytes(body));

    private static void AssertReadsLikeTheSerializer(byte[] bytes)
    {
        var expected = JsonSerializer.Deserialize<WebhookEvent>(bytes, ProtoJson.CamelCase);
        var actual = WebhookEventReader.Read(bytes);
        Assert.Equal(Serialize(expected!), Serialize(actual));
    }

    private static string Serialize(WebhookEvent webhook) => JsonSerializer.Serialize(webhook, ProtoJson.CamelCase);

    private static WebhookEvent Receive(byte[] body)
    {
        var authorization = new AccessToken(ApiKey, ApiSecret)
            .WithSha256(Convert.ToBase64String(SHA256.HashData(body)))
            .WithTtl(TimeSpan.FromMinutes(5))
            .ToJwt();
        return new WebhookReceiver(new TokenVerifier(ApiKey, ApiSecret)).Receive(body, authorization);
    }

    private static IEnumerable<string> DefaultValues(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject { Count: 0 }:
            case JsonArray { Count: 0 }:
                yield return path;
                break;
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    foreach (var inner in DefaultValues(value, $"{path}.{key}"))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var inner in DefaultValues(array[i], $"{path}[{i}]"))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonValue value when value.GetValueKind() switch
            {
                JsonValueKind.False or JsonValueKind.Null => true,
                JsonValueKind.String => value.GetValue<string>() is "" or "0",
                JsonValueKind.Number => value.GetValue<double>() == 0,
                _ => false,
            }:
                yield return path;
                break;
            case null:
                yield return path;
                break;
        }
    }

    private static string FullBody(string eventName, Style style, HashSet<Type>? types = null)
    {
        var body = (JsonObject)Generate(typeof(WebhookEvent), new Generator(style, types ?? []))!;
        body["event"] = eventName;
        return body.ToJsonString();
    }

    /// <summary>State while generating one body: the running index makes every value distinct.</summary>
    private sealed class Generator(Style style, HashSet<Type> types)
    {
        public Style Style { get; } = style;
        public HashSet<Type> Types { get; } = types;
        public int Index { get; set; }
    }

    /// <summary>A JSON value of <paramref name="type"/> with every property set to a distinct non-default value.</summary>
    private static JsonNode? Generate(Type type, Generator generator, JsonPropertyInfo? property = null)
    {
        var style = generator.Style;
        var index = ++generator.Index;
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return $"{property?.Name ?? "item"}-{index}";
        }

        if (type == typeof(bool))
        {
            return style.BoolBit < 0 || ((index >> style.BoolBit) & 1) == 1;
        }

        if (type == typeof(int) || type == typeof(uint))
        {
            return style.NumbersAsStrings ? JsonValue.Create($"{index}") : JsonValue.Create(index);
        }

        if (type == typeof(double))
        {
            return index + 0.5;
        }

        if (type == typeof(long) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan))
        {
            // Multiples of 100 stay exact in every unit (a tick is 100 ns) and are valid seconds, ms and ns.
            var value = (17_000_000L + index) * 100;
            return style.Int64AsNumbers ? JsonValue.Create(value) : JsonValue.Create($"{value}");
        }

        if (type.IsEnum)
        {
            // A value other than zero, picked by the index so fields of one enum type differ.
            var values = Enum.GetValues(type).Cast<object>().Where(value => Convert.ToInt32(value) != 0).ToArray();
            var chosen = values[index % values.Length];
            return style.EnumsAsNumbers
                ? JsonValue.Create(Convert.ToInt32(chosen))
                : JsonValue.Create((string)typeof(ProtoEnumConverter<>).MakeGenericType(type)
                    .GetMethod("NameOf", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [chosen])!);
        }

        if (type == typeof(IReadOnlyDictionary<string, string>))
        {
            return new JsonObject { ["role"] = $"host-{index}", ["sip.callID"] = $"call-{index}" };
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            var itemType = type.GetGenericArguments()[0];
            return new JsonArray(Generate(itemType, generator), Generate(itemType, generator));
        }

        if (type.IsClass)
        {
            generator.Types.Add(type);
            var names = style.SnakeCase ? ProtoJson.SnakeCase : ProtoJson.CamelCase;
            var result = new JsonObject();
            // Properties without a getter are the aliases ProtoJson adds for reading the other casing.
            foreach (var member in names.GetTypeInfo(type).Properties.Where(p => p.Get is not null))
            {
                result[member.Name] = Generate(member.PropertyType, generator, member);
            }

            return result;
        }

        throw new InvalidOperationException($"The generator does not know {type}; teach it.");
    }

    private static IEnumerable<(string Name, string Body)> SampleBodies()
    {
        var room = """{"sid":"RM_hycBMAjmt6Ub","name":"abc-defg-hij","emptyTimeout":300,"departureTimeout":20,"maxParticipants":50,"creationTime":"1700000000","creationTimeMs":"1700000000123","turnPassword":"9f3c1a7e2b","enabledCodecs":[{"mime":"audio/opus"},{"mime":"video/VP8"}],"numParticipants":2,"numPublishers":1,"version":{"unixMicro":"1700000000123456","ticks":3}}""";
        var participant = """{"sid":"PA_6Z3pYb8Kq2Xh","identity":"alice","state":"ACTIVE","joinedAt":"1700000005","joinedAtMs":"1700000005250","name":"Alice","version":7,"permission":{"canSubscribe":true,"canPublish":true,"canPublishData":true,"canUpdateMetadata":true},"region":"eu-frankfurt","isPublisher":true,"attributes":{"role":"host"}}""";
        var track = """{"sid":"TR_V2x8Yb2LkQ","type":"VIDEO","name":"camera","source":"CAMERA","mimeType":"video/VP8","mid":"2","width":1280,"height":720,"simulcast":true,"layers":[{"quality":"HIGH","width":1280,"height":720,"bitrate":1700000,"ssrc":12347},{"width":320,"height":180,"bitrate":150000,"ssrc":22347}],"codecs":[{"mimeType":"video/VP8","mid":"2","cid":"camera","layers":[{"quality":"HIGH","width":1280,"height":720}]}],"stream":"camera","version":{"unixMicro":"1700000005000000","ticks":2},"audioFeatures":["TF_NO_DTX"],"backupCodecPolicy":"SIMULCAST"}""";
        var egress = """{"egressId":"EG_MU4QwhXUhWf9","roomId":"RM_hycBMAjmt6Ub","roomName":"abc-defg-hij","status":"EGRESS_ACTIVE","startedAt":"1700000010123456700","updatedAt":"1700000011000000000","roomComposite":{"roomName":"abc-defg-hij","layout":"speaker","fileOutputs":[{"fileType":"MP4","filepath":"rec/{room_name}-{time}.mp4","s3":{"region":"us-east-1","bucket":"recordings","forcePathStyle":true}}]}}""";
        var ingress = """{"ingressId":"IN_Xk3","name":"obs","streamKey":"sk-1","url":"rtmp://ingress.example/x","roomName":"abc-defg-hij","participantIdentity":"obs","participantName":"OBS","reusable":true,"enabled":true}""";
        var job = $$$"""{"id":"AJ_7Qx","dispatchId":"AD_1","room":{{{room}}},"participant":{{{participant}}},"namespace":"ns","metadata":"{}","agentName":"notes","attributes":{"k":"v"}}""";
        string Event(string name, string members) => $$"""{"event":"{{name}}",{{members}},"id":"EV_{{name}}","createdAt":"1700000071"}""";

        yield return (WebhookEventNames.RoomStarted, Event(WebhookEventNames.RoomStarted, $"\"room\":{room}"));
        yield return (WebhookEventNames.RoomFinished, Event(WebhookEventNames.RoomFinished, $"\"room\":{room},\"roomEndReason\":\"ROOM_END_IDLE_TIMEOUT\""));
        yield return (WebhookEventNames.ParticipantJoined, Event(WebhookEventNames.ParticipantJoined, $"\"room\":{room},\"participant\":{participant}"));
        yield return (WebhookEventNames.ParticipantLeft, Event(WebhookEventNames.ParticipantLeft,
            $"\"room\":{room},\"participant\":{participant.Replace("\"ACTIVE\"", "\"DISCONNECTED\"").Replace("\"region\"", "\"disconnectReason\":\"CLIENT_INITIATED\",\"region\"")}"));
        yield return (WebhookEventNames.ParticipantConnectionAborted, Event(WebhookEventNames.ParticipantConnectionAborted,
            $"\"room\":{room},\"participant\":{participant.Replace("\"ACTIVE\"", "\"JOINING\"")}"));
        yield return (WebhookEventNames.TrackPublished, Event(WebhookEventNames.TrackPublished, $"\"room\":{room},\"participant\":{participant},\"track\":{track}"));
        yield return (WebhookEventNames.TrackUnpublished, Event(WebhookEventNames.TrackUnpublished, $"\"room\":{room},\"participant\":{participant},\"track\":{track}"));
        yield return (WebhookEventNames.EgressStarted, Event(WebhookEventNames.EgressStarted, $"\"egressInfo\":{egress.Replace("EGRESS_ACTIVE", "EGRESS_STARTING")}"));
        yield return (WebhookEventNames.EgressUpdated, Event(WebhookEventNames.EgressUpdated, $"\"egressInfo\":{egress}"));
        yield return (WebhookEventNames.EgressEnded, LiveKitSamples.EgressEndedWebhook.Trim());
        yield return (WebhookEventNames.IngressStarted, Event(WebhookEventNames.IngressStarted, $"\"ingressInfo\":{ingress}"));
        yield return (WebhookEventNames.IngressEnded, Event(WebhookEventNames.IngressEnded, $"\"ingressInfo\":{ingress}"));
        yield return (WebhookEventNames.AgentJobStarted, Event(WebhookEventNames.AgentJobStarted, $"\"job\":{job}"));
        yield return (WebhookEventNames.AgentJobEnded, Event(WebhookEventNames.AgentJobEnded, $"\"job\":{job}"));

        // The benchmark's body, and the Twirp samples (snake_case, defaults written out, fields we do not model).
        yield return ("benchmark body", File.ReadAllText(Path.Combine(NodeSdk.RepoRoot, "bench", "livekit-node", "webhook-2kb.json")));
        yield return ("Twirp samples", $$"""{"event":"track_published","room":{{LiveKitSamples.Room}},"participant":{{LiveKitSamples.Participant}},"track":{{LiveKitSamples.Track}},"egress_info":{{LiveKitSamples.Egress}},"id":"EV_1","created_at":"1700000000","num_dropped":0,"room_end_reason":"ROOM_END_UNKNOWN"}""");
    }

    // Property names to snake_case; map keys too, which only changes the data both readers see.
    private static string ToSnakeCase(string body)
    {
        static JsonNode? convert(JsonNode? node) => node switch
        {
            JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Key), convert(p.Value)))),
            JsonArray array => new JsonArray(array.Select(convert).ToArray()),
            _ => node?.DeepClone(),
        };
        return convert(JsonNode.Parse(body))!.ToJsonString();
    }

    // The int64 fields LiveKit writes as strings, written as numbers (protojson reads both).
    private static readonly HashSet<string> Int64Names =
        ["creationTime", "creationTimeMs", "unixMicro", "joinedAt", "joinedAtMs", "createdAt", "startedAt", "endedAt", "updatedAt", "size", "duration",
         "creation_time", "creation_time_ms", "unix_micro", "joined_at", "joined_at_ms", "created_at", "started_at", "ended_at", "updated_at"];

    private static string Int64AsNumbers(string body)
    {
        static JsonNode? convert(JsonNode? node, string? key) => node switch
        {
            JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, convert(p.Value, p.Key)))),
            JsonArray array => new JsonArray(array.Select(item => convert(item, null)).ToArray()),
            JsonValue value when key is not null && Int64Names.Contains(key) && value.GetValueKind() == JsonValueKind.String
                => JsonValue.Create(long.Parse(value.GetValue<string>())),
            _ => node?.DeepClone(),
        };
        return convert(JsonNode.Parse(body), null)!.ToJsonString();
    }
}
