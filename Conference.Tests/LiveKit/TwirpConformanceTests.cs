using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conference.LiveKit;
using Microsoft.Extensions.Options;

namespace Conference.Tests.LiveKit;

/// <summary>
/// Every RoomService and Egress call made by LiveKit's Node SDK and by our client against the same capture
/// endpoint: same path, content type, JSON fields and values, and a token with the same grant.
/// </summary>
public sealed class TwirpConformanceTests(TwirpConformanceTests.Capture capture) : IClassFixture<TwirpConformanceTests.Capture>
{
    const string ApiKey = "APIconformance";
    const string ApiSecret = "a-production-like-secret-of-32-chars+";

    public static TheoryData<string> Methods => new(OurCalls.Keys);

    [Theory]
    [MemberData(nameof(Methods))]
    public void Node_sdk_accepts_the_sample_answer(string method)
    {
        var outcome = capture.NodeOutcomes[method]!;
        Assert.True(outcome["ok"]!.GetValue<bool>(), $"Node SDK {method}: {outcome["error"]}");
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Request_goes_to_the_same_path_with_json(string method)
    {
        var (node, ours) = capture.RequestsOf(method);
        Assert.Equal(node.Path, ours.Path);
        Assert.Equal($"/twirp/livekit.{ours.Service.Split('.')[1]}/{method}", ours.Path);
        Assert.Equal("application/json", ours.ContentType);
        Assert.StartsWith("application/json", node.ContentType);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Request_body_has_the_same_fields_and_values(string method)
    {
        var (node, ours) = capture.RequestsOf(method);
        var nodeBody = JsonNode.Parse(node.Body)!.AsObject();
        var ourBody = JsonNode.Parse(ours.Body)!.AsObject();
        if (method == "SendData")
        {
            // A random 16-byte nonce on both sides, so the server can drop a retried duplicate.
            Assert.Equal(16, Convert.FromBase64String(nodeBody["nonce"]!.GetValue<string>()).Length);
            Assert.Equal(16, Convert.FromBase64String(ourBody["nonce"]!.GetValue<string>()).Length);
            nodeBody.Remove("nonce");
            ourBody.Remove("nonce");
        }

        Assert.Equal(ProtoJsonComparison.Normalize(nodeBody), ProtoJsonComparison.Normalize(ourBody));
        // We send proto names, as LiveKit documents; the server reads both.
        Assert.All(ourBody.Select(p => p.Key), key => Assert.Equal(JsonNamingPolicy.SnakeCaseLower.ConvertName(key), key));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Token_carries_the_same_grant_for_ten_minutes(string method)
    {
        var (node, ours) = capture.RequestsOf(method);
        var verifier = new TokenVerifier(ApiKey, ApiSecret);
        var nodeClaims = verifier.Verify(node.BearerToken);
        var ourClaims = verifier.Verify(ours.BearerToken);

        Assert.Equal(JsonSerializer.Serialize(nodeClaims.Video), JsonSerializer.Serialize(ourClaims.Video));
        Assert.Null(ourClaims.Identity);
        Assert.Equal(TimeSpan.FromMinutes(10), ourClaims.ExpiresAt - ourClaims.NotBefore);
    }

    [Fact]
    public void Authorization_is_never_set_on_the_shared_http_client() =>
        Assert.Null(capture.HttpClient.DefaultRequestHeaders.Authorization);

    [Fact]
    public void Our_client_reads_the_answers() => Assert.Equal(OurCalls.Count, capture.OurResults.Count);

    static readonly S3Upload S3 = new()
    {
        AccessKey = "AK", Secret = "SK", Region = "us-east-1", Endpoint = "http://minio:9000", Bucket = "recordings", ForcePathStyle = true,
    };

    static readonly EncodedFileOutput Mp4 = new() { FileType = EncodedFileType.Mp4, Filepath = "rec/{room_name}-{time}.mp4", S3 = S3 };

    /// <summary>The same calls as node/calls.mjs, made with our client.</summary>
    static readonly Dictionary<string, Func<RoomServiceClient, EgressClient, Task<object?>>> OurCalls = new()
    {
        ["CreateRoom"] = async (rooms, _) => await rooms.CreateRoomAsync(new()
        {
            Name = "r1", EmptyTimeout = 300, DepartureTimeout = 20, MaxParticipants = 50, Metadata = """{"topic":"demo"}""",
            SyncStreams = true, Agents = [new() { AgentName = "helper", Metadata = "m" }],
            Egress = new() { Room = new() { RoomName = "r1", Layout = "grid", FileOutputs = [Mp4] } },
        }),
        ["ListRooms"] = async (rooms, _) => await rooms.ListRoomsAsync(new() { Names = ["r1", "r2"] }),
        ["DeleteRoom"] = async (rooms, _) => { await rooms.DeleteRoomAsync(new() { Room = "r1" }); return true; },
        ["ListParticipants"] = async (rooms, _) => await rooms.ListParticipantsAsync(new() { Room = "r1" }),
        ["GetParticipant"] = async (rooms, _) => await rooms.GetParticipantAsync(new() { Room = "r1", Identity = "alice" }),
        ["RemoveParticipant"] = async (rooms, _) =>
        {
            await rooms.RemoveParticipantAsync(new() { Room = "r1", Identity = "alice", RevokeTokenTs = 1700000000 });
            return true;
        },
        ["MutePublishedTrack"] = async (rooms, _) => await rooms.MutePublishedTrackAsync(new() { Room = "r1", Identity = "alice", TrackSid = "TR_1", Muted = true }),
        ["UpdateParticipant"] = async (rooms, _) => await rooms.UpdateParticipantAsync(new()
        {
            Room = "r1", Identity = "alice", Metadata = "m2", Name = "Alice B", Attributes = new Dictionary<string, string> { ["role"] = "host" },
            Permission = new()
            {
                CanSubscribe = true, CanPublish = true, CanPublishData = true,
                CanPublishSources = [TrackSource.Camera, TrackSource.Microphone], CanUpdateMetadata = true,
            },
        }),
        ["UpdateSubscriptions"] = async (rooms, _) =>
        {
            await rooms.UpdateSubscriptionsAsync(new() { Room = "r1", Identity = "alice", TrackSids = ["TR_1", "TR_2"], Subscribe = true });
            return true;
        },
        ["SendData"] = async (rooms, _) =>
        {
            await rooms.SendDataAsync(new()
            {
                Room = "r1", Data = Encoding.UTF8.GetBytes("hello"), Kind = DataPacketKind.Lossy, DestinationIdentities = ["bob"], Topic = "chat",
            });
            return true;
        },
        ["UpdateRoomMetadata"] = async (rooms, _) => await rooms.UpdateRoomMetadataAsync(new() { Room = "r1", Metadata = """{"topic":"new"}""" }),

        ["StartRoomCompositeEgress"] = async (_, egress) => await egress.StartRoomCompositeEgressAsync(new()
        {
            RoomName = "r1", Layout = "speaker", Preset = EncodingOptionsPreset.H2641080P30, AudioMixing = AudioMixing.DualChannelAlternate,
            CustomBaseUrl = "https://layouts.example/", FileOutputs = [Mp4],
            ImageOutputs =
            [
                new()
                {
                    CaptureInterval = 10, Width = 640, Height = 360, FilenamePrefix = "img/r1",
                    FilenameSuffix = ImageFileSuffix.ImageSuffixTimestamp, ImageCodec = ImageCodec.IcJpeg, S3 = S3,
                },
            ],
            Webhooks = [new() { Url = "https://hooks.example/egress", SigningKey = "k1" }],
        }),
        ["StartParticipantEgress"] = async (_, egress) => await egress.StartParticipantEgressAsync(new()
        {
            RoomName = "r1", Identity = "alice", ScreenShare = true,
            FileOutputs = [new() { FileType = EncodedFileType.Ogg, Filepath = "p/{publisher_identity}.ogg", Gcp = new() { Credentials = "{}", Bucket = "b" } }],
            Advanced = new()
            {
                Width = 1280, Height = 720, Framerate = 30, AudioCodec = AudioCodec.Opus, AudioBitrate = 128,
                VideoCodec = VideoCodec.H264Main, VideoBitrate = 3000, KeyFrameInterval = 2.5,
            },
        }),
        ["StartTrackCompositeEgress"] = async (_, egress) => await egress.StartTrackCompositeEgressAsync(new()
        {
            RoomName = "r1", AudioTrackId = "TR_A", VideoTrackId = "TR_V",
            SegmentOutputs =
            [
                new()
                {
                    Protocol = SegmentedFileProtocol.HlsProtocol, FilenamePrefix = "hls/r1", PlaylistName = "index.m3u8",
                    LivePlaylistName = "live.m3u8", SegmentDuration = 6, FilenameSuffix = SegmentedFileSuffix.Timestamp,
                    Azure = new() { AccountName = "acct", AccountKey = "key", ContainerName = "rec" },
                },
            ],
        }),
        ["StartTrackEgress"] = async (_, egress) => await egress.StartTrackEgressAsync(new()
        {
            RoomName = "r1", TrackId = "TR_A",
            File = new() { Filepath = "tracks/{track_id}", AliOss = new() { AccessKey = "ak", Secret = "s", Region = "r", Endpoint = "e", Bucket = "b" } },
        }),
        ["StartWebEgress"] = async (_, egress) => await egress.StartWebEgressAsync(new()
        {
            Url = "https://example.com/page", VideoOnly = true, AwaitStartSignal = true,
            StreamOutputs = [new() { Protocol = StreamProtocol.Rtmp, Urls = ["rtmp://live.example/app/key"] }],
        }),
        ["UpdateLayout"] = async (_, egress) => await egress.UpdateLayoutAsync(new() { EgressId = "EG_1", Layout = "grid" }),
        ["UpdateStream"] = async (_, egress) => await egress.UpdateStreamAsync(new()
        {
            EgressId = "EG_1", AddOutputUrls = ["rtmp://a.example/x"], RemoveOutputUrls = ["rtmp://b.example/y"],
        }),
        ["ListEgress"] = async (_, egress) => await egress.ListEgressAsync(new() { RoomName = "r1", Active = true, PageToken = new() { Token = "p2" } }),
        ["StopEgress"] = async (_, egress) => await egress.StopEgressAsync(new() { EgressId = "EG_1" }),
    };

    /// <summary>Runs the Node SDK's calls, then ours, once for all tests of the class.</summary>
    public sealed class Capture : IAsyncLifetime
    {
        TwirpCaptureServer server = null!;

        public HttpClient HttpClient { get; } = new();

        public JsonObject NodeOutcomes { get; private set; } = [];

        public Dictionary<string, object?> OurResults { get; } = [];

        public (CapturedRequest Node, CapturedRequest Ours) RequestsOf(string method)
        {
            var requests = server.Requests.Where(r => r.Method == method).ToList();
            Assert.Equal(2, requests.Count);
            return (Assert.Single(requests, r => r.FromNodeSdk), Assert.Single(requests, r => !r.FromNodeSdk));
        }

        public async Task InitializeAsync()
        {
            server = await TwirpCaptureServer.StartAsync();
            NodeOutcomes = (await NodeSdk.RunAsync("calls.mjs", new { url = server.Url.ToString(), key = ApiKey, secret = ApiSecret })).AsObject();

            var options = Options.Create(new LiveKitOptions { Url = server.Url, ApiKey = ApiKey, ApiSecret = ApiSecret });
            var rooms = new RoomServiceClient(HttpClient, options);
            var egress = new EgressClient(HttpClient, options);
            foreach (var (method, call) in OurCalls)
            {
                OurResults[method] = await call(rooms, egress);
            }
        }

        public async Task DisposeAsync()
        {
            HttpClient.Dispose();
            await server.DisposeAsync();
        }
    }
}
