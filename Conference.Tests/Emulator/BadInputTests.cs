using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Conference.LiveKit;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.Emulator;

/// <summary>
/// Bad input gets LiveKit's kind of answer (a refused upgrade with a status and message, a closed socket with a
/// reason, a Twirp error) and the emulator keeps serving everyone else. Webhooks are retried until received.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class BadInputTests(LiveKitEmulator emulator)
{
    [Fact]
    public async Task A_malformed_signal_request_closes_only_that_socket_with_a_reason()
    {
        var room = $"bad-{Guid.NewGuid():N}";
        using var bystander = await ConnectAsync(Token(room, "bystander"));
        using var socket = await ConnectAsync(Token(room, "mallory"));
        await ReceiveAsync(socket); // JoinResponse

        await socket.SendAsync(new byte[] { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01 }, WebSocketMessageType.Binary, true, default);
        var closed = await ReceiveUntilClosedAsync(socket);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, closed.Status);
        Assert.Equal("malformed SignalRequest", closed.Description);

        // The other participant in the same room keeps getting messages (connection quality every 2 s).
        Assert.True(await ReceiveAsync(bystander) > 0);
        await emulator.WaitForWebhookAsync(w => w.Event == "participant_left" && w.RoomName == room && w.Identity == "mallory");
    }

    [Fact]
    public async Task An_unknown_signal_request_is_ignored_and_the_socket_stays_open()
    {
        using var socket = await ConnectAsync(Token($"bad-{Guid.NewGuid():N}", "ada"));
        await ReceiveAsync(socket);
        // Field 99 of SignalRequest does not exist: a valid protobuf message the emulator does not know.
        await socket.SendAsync(new byte[] { 0x98, 0x06, 0x01 }, WebSocketMessageType.Binary, true, default);
        Assert.True(await ReceiveAsync(socket) > 0);
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Theory]
    [InlineData("expired", 401, "invalid token")]
    [InlineData("forged", 401, "invalid token")]
    [InlineData("no-room-join", 401, "permissions denied")]
    public async Task A_refused_token_is_answered_on_the_upgrade_and_by_validate(string kind, int status, string message)
    {
        var token = kind switch
        {
            "expired" => new AccessToken(emulator.ApiKey, emulator.ApiSecret, new FixedClock(DateTimeOffset.UtcNow.AddHours(-2)))
                .WithIdentity("ada").WithGrants(new VideoGrants { RoomJoin = true, Room = "r" }).WithTtl(TimeSpan.FromMinutes(5)).ToJwt(),
            "forged" => new AccessToken(emulator.ApiKey, "not-the-secret-not-the-secret-not-the-secret")
                .WithIdentity("ada").WithGrants(new VideoGrants { RoomJoin = true, Room = "r" }).ToJwt(),
            _ => new AccessToken(emulator.ApiKey, emulator.ApiSecret).WithIdentity("ada").WithGrants(new VideoGrants { Room = "r" }).ToJwt(),
        };
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(token));
        Assert.Contains(status.ToString(), refused.Message);

        using var http = new HttpClient();
        using var validate = await http.GetAsync(new Uri(emulator.HttpUrl, $"/rtc/v1/validate?access_token={token}"));
        Assert.Equal((HttpStatusCode)status, validate.StatusCode);
        Assert.Contains(message, await validate.Content.ReadAsStringAsync());

        // Everyone else is still served.
        using var fine = await ConnectAsync(Token($"ok-{Guid.NewGuid():N}", "ada"));
        Assert.True(await ReceiveAsync(fine) > 0);
    }

    [Fact]
    public async Task A_room_admin_of_one_room_is_denied_another_rooms_participants()
    {
        var token = new AccessToken(emulator.ApiKey, emulator.ApiSecret)
            .WithGrants(new VideoGrants { RoomAdmin = true, Room = "room-a" }).ToJwt();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var response = await http.PostAsync(new Uri(emulator.HttpUrl, "/twirp/livekit.RoomService/ListParticipants"),
            new StringContent("{\"room\":\"room-b\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("permission_denied", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_webhook_answered_with_an_error_is_delivered_again()
    {
        var room = $"retry-{Guid.NewGuid():N}";
        emulator.FailNextWebhooks(2);
        using var socket = await ConnectAsync(Token(room, "ada"));
        var started = await emulator.WaitForWebhookAsync(w => w.Event == "room_started" && w.RoomName == room);
        var joined = await emulator.WaitForWebhookAsync(w => w.Event == "participant_joined" && w.RoomName == room);
        var verified = await EmulatorSdk.VerifyWebhooksAsync(emulator, [started, joined]);
        Assert.All(verified, v => Assert.Null(v!["error"]));
    }

    string Token(string room, string identity) =>
        new AccessToken(emulator.ApiKey, emulator.ApiSecret).WithIdentity(identity)
            .WithGrants(new VideoGrants { RoomJoin = true, Room = room }).ToJwt();

    async Task<ClientWebSocket> ConnectAsync(string token)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri(emulator.Url, $"/rtc?access_token={token}&protocol=16"), timeout.Token);
        return socket;
    }

    static async Task<int> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return result.Count;
    }

    static async Task<(WebSocketCloseStatus? Status, string? Description)> ReceiveUntilClosedAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (result.CloseStatus, result.CloseStatusDescription);
            }
        }
    }

    sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
