using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Conference.LiveKit;
using Microsoft.Extensions.Options;

namespace Conference.Tests.LiveKit;

/// <summary>How our client behaves on LiveKit's errors, outages and paging.</summary>
public sealed class TwirpClientTests : IAsyncLifetime
{
    TwirpCaptureServer server = null!;
    readonly HttpClient httpClient = new();

    public async Task InitializeAsync() => server = await TwirpCaptureServer.StartAsync();

    public async Task DisposeAsync()
    {
        httpClient.Dispose();
        await server.DisposeAsync();
    }

    IOptions<LiveKitOptions> Options(Uri? url = null) =>
        Microsoft.Extensions.Options.Options.Create(new LiveKitOptions { Url = url ?? server.Url, ApiKey = "devkey", ApiSecret = "secret" });

    RoomServiceClient Rooms(Uri? url = null) => new(httpClient, Options(url));

    EgressClient Egress() => new(httpClient, Options());

    [Fact]
    public async Task Twirp_not_found_is_a_clear_not_found()
    {
        server.Respond = _ => (404, "application/json", """{"code":"not_found","msg":"requested room does not exist","meta":{"room":"r9"}}""");

        var error = await Assert.ThrowsAsync<LiveKitException>(() => Rooms().ListParticipantsAsync(new() { Room = "r9" }));

        Assert.True(error.IsNotFound);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("not_found", error.Code);
        Assert.Equal("requested room does not exist", error.ServerMessage);
        Assert.Equal("r9", error.Meta["room"]);
        Assert.Contains("LiveKit has no such room, participant or track", error.Message);
    }

    [Fact]
    public async Task Egress_without_redis_says_what_to_fix()
    {
        server.Respond = _ => (500, "application/json", """{"code":"internal","msg":"egress not connected (redis required)"}""");

        var error = await Assert.ThrowsAsync<LiveKitException>(() => Egress().StopEgressAsync(new() { EgressId = "EG_1" }));

        Assert.Equal("internal", error.Code);
        Assert.Contains("Redis", error.Message);
        Assert.Contains("egress", error.Message);
        Assert.False(error.IsNotFound);
    }

    [Fact]
    public async Task Plain_text_auth_failure_is_understood()
    {
        server.Respond = _ => (401, "text/plain", "invalid API key\n");

        var error = await Assert.ThrowsAsync<LiveKitException>(() => Rooms().CreateRoomAsync(new() { Name = "r1" }));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Null(error.Code);
        Assert.Equal("invalid API key", error.ServerMessage);
        Assert.Contains("ApiKey/ApiSecret", error.Message);
    }

    [Fact]
    public async Task Read_calls_retry_a_brief_outage()
    {
        var answers = new Queue<int>([503, 503, 200]);
        server.Respond = request => answers.Dequeue() is var status && status == 200
            ? (200, "application/json", LiveKitSamples.ResponseFor(request.Method))
            : (status, "text/plain", "unavailable");

        var rooms = await Rooms().ListRoomsAsync();

        Assert.Equal("r1", Assert.Single(rooms).Name);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Read_retries_are_bounded()
    {
        server.Respond = _ => (503, "application/json", """{"code":"unavailable","msg":"try later"}""");

        var error = await Assert.ThrowsAsync<LiveKitException>(() => Rooms().GetParticipantAsync(new() { Room = "r1", Identity = "a" }));

        Assert.Equal("unavailable", error.Code);
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task Calls_that_change_things_are_never_repeated()
    {
        server.Respond = _ => (503, "text/plain", "unavailable");

        await Assert.ThrowsAsync<LiveKitException>(() => Egress().StartRoomCompositeEgressAsync(new() { RoomName = "r1" }));

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Connection_refused_is_retried_then_reported()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => Rooms(new Uri($"http://127.0.0.1:{port}")).ListRoomsAsync());

        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(1000), TimeSpan.FromSeconds(10)); // 100 + 300 + 700 ms of backoff
    }

    [Fact]
    public async Task ListAllEgress_walks_every_page()
    {
        server.Respond = request =>
        {
            var token = JsonNode.Parse(request.Body)!["page_token"]?["token"]?.GetValue<string>();
            var (id, next) = token switch { null => ("EG_1", "p2"), "p2" => ("EG_2", "p3"), _ => ("EG_3", "") };
            return (200, "application/json", $$"""{"items":[{"egress_id":"{{id}}","status":"EGRESS_ACTIVE"}],"next_page_token":{"token":"{{next}}"} }""");
        };

        var egresses = await Egress().ListAllEgressAsync(new() { RoomName = "r1", Active = true }).ToListAsync();

        Assert.Equal(["EG_1", "EG_2", "EG_3"], egresses.Select(e => e.EgressId));
        Assert.All(egresses, e => Assert.True(e.IsActive));
        Assert.Equal(3, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("r1", JsonNode.Parse(r.Body)!["room_name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Calls_are_traced_and_measured()
    {
        var activities = new List<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == LiveKitTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (activities) { activities.Add(activity); } },
        };
        ActivitySource.AddActivityListener(activityListener);
        var measurements = new List<(string Instrument, string? Method, string? Error)>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == LiveKitTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(measurements, instrument, tags));
        meterListener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(measurements, instrument, tags));
        meterListener.Start();

        await Rooms().DeleteRoomAsync(new() { Room = "r1" });
        server.Respond = _ => (404, "application/json", """{"code":"not_found","msg":"participant does not exist"}""");
        await Assert.ThrowsAsync<LiveKitException>(() => Rooms().GetParticipantAsync(new() { Room = "r1", Identity = "x" }));

        Assert.Contains(activities, a => a.DisplayName == "livekit.RoomService/DeleteRoom" && a.Status == ActivityStatusCode.Unset);
        Assert.Contains(activities, a => a.DisplayName == "livekit.RoomService/GetParticipant" && a.Status == ActivityStatusCode.Error);
        Assert.Contains(("livekit.client.calls", "DeleteRoom", null), measurements);
        Assert.Contains(("livekit.client.duration", "DeleteRoom", null), measurements);
        Assert.Contains(("livekit.client.errors", "GetParticipant", "not_found"), measurements);
        Assert.DoesNotContain(measurements, m => m is ("livekit.client.errors", "DeleteRoom", _));
    }

    // Other test classes call LiveKit in parallel, so measurements arrive on several threads.
    static void Record(List<(string, string?, string?)> measurements, Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? method = null, error = null;
        foreach (var tag in tags)
        {
            method = tag.Key == "rpc.method" ? tag.Value as string : method;
            error = tag.Key == "error.type" ? tag.Value as string : error;
        }

        lock (measurements)
        {
            measurements.Add((instrument.Name, method, error));
        }
    }
}
