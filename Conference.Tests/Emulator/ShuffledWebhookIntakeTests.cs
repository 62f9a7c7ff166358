using System.Net.Http.Json;
using System.Text.Json;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Npgsql;

namespace Conference.Tests.Emulator;

/// <summary>
/// The api's webhook intake fed by the emulator with its shuffle and duplicate switches on (issue 11 item 6): real
/// people join with the api's tokens, one reconnects in full, everyone leaves and the room closes; every event reaches
/// the api twice and in shuffled order, and the meeting ends up exactly as LiveKit's events say.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class ShuffledWebhookIntakeTests(ApiFixture fixture, CallBrowser browser) : CallBrowserTest(browser), IClassFixture<ApiFixture>
{
    readonly ShufflingLiveKitEmulator emulator = new() { ApiKey = ApiFixture.LiveKitApiKey, ApiSecret = fixture.LiveKitApiSecret };

    public override Task InitializeAsync()
    {
        var client = fixture.Api.CreateClient();
        emulator.Relay = async hook =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/livekit")
            {
                Content = new StringContent(hook.Body, System.Text.Encoding.UTF8, "application/webhook+json"),
            };
            request.Headers.TryAddWithoutValidation("Authorization", hook.Authorization);
            using var response = await client.SendAsync(request);
            return (int)response.StatusCode;
        };
        return emulator.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await emulator.DisposeAsync();
    }

    [Fact]
    public async Task Shuffled_and_duplicated_deliveries_of_a_call_with_a_full_reconnect_converge_to_what_happened()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var hostJoin = (await JoinApiTests.JoinAsync(host, slug, "Ada Host")).Join!;
        var guestJoin = (await JoinApiTests.JoinAsync(fixture.Api.CreateClient(), slug, "Ben Guest")).Join!;
        var hostIdentity = hostJoin.Identity;
        var guestIdentity = guestJoin.Identity;

        var ada = await Browser.JoinWithTokenAsync(emulator, hostJoin.Token, hostIdentity, publish: false);
        var ben = await Browser.JoinWithTokenAsync(emulator, guestJoin.Token, guestIdentity, publish: false);
        await emulator.DropSignalAsync(slug, guestIdentity, forget: true);
        await ben.WaitForEventAsync("e.event === 'reconnected'");
        var benAgain = await ben.Page.EvaluateAsync<string>("() => window.room.localParticipant.sid");
        await ada.LeaveAsync();
        await ben.LeaveAsync();
        await emulator.WaitForWebhookAsync(w => w.Event == "room_finished" && w.RoomName == slug, TimeSpan.FromSeconds(30));

        // Every event twice (the duplicate switch), the api answering 200 each time.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (emulator.Webhooks.Where(w => w.RoomName == slug).GroupBy(w => w.Id).Any(copies => copies.Count() < 2) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        var hooks = emulator.Webhooks.Where(w => w.RoomName == slug).ToList();
        Assert.All(hooks.GroupBy(w => w.Id), copies => Assert.Equal(2, copies.Count()));
        var joinedSids = hooks.Where(w => w.Event == "participant_joined").Select(w => w.ParticipantSid!).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(joinedSids, [.. new[] { ada.Sid, ben.Sid, benAgain }.Order(StringComparer.Ordinal)]);

        // One call, over; three connections of two people, each closed with the reason LiveKit gave.
        var meeting = await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}");
        Assert.Equal("Idle", meeting.GetProperty("status").GetString());
        var roomSid = hooks.First(w => w.Event == "room_started").RoomSid;
        var calls = await QueryAsync($"""
            SELECT c."RoomSid", c."EndedAt" IS NOT NULL FROM meeting_calls c JOIN meetings m ON m."Id" = c."MeetingId" WHERE m."Slug" = '{slug}'
            """);
        Assert.Equal([$"{roomSid} True"], calls);
        var sessions = await QueryAsync($"""
            SELECT s."ParticipantSid", s."Identity", s."LeftAt" IS NOT NULL, s."DisconnectReason"
            FROM participant_sessions s JOIN meetings m ON m."Id" = s."MeetingId" WHERE m."Slug" = '{slug}'
            """);
        Assert.Equal(
            new[]
            {
                $"{ada.Sid} {hostIdentity} True CLIENT_INITIATED",
                $"{ben.Sid} {guestIdentity} True SIGNAL_CLOSE",
                $"{benAgain} {guestIdentity} True CLIENT_INITIATED",
            }.Order(StringComparer.Ordinal),
            sessions.Order(StringComparer.Ordinal));
        var figures = await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/analytics");
        Assert.Equal(2, figures.GetProperty("participants").GetInt32());
        await ada.CloseAsync();
        await ben.CloseAsync();
    }

    [Fact]
    public async Task A_guest_whose_browser_died_is_recorded_as_left_with_LiveKits_connection_timeout()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var hostJoin = (await JoinApiTests.JoinAsync(host, slug, "Ida Host")).Join!;
        var guestJoin = (await JoinApiTests.JoinAsync(fixture.Api.CreateClient(), slug, "Cal Guest")).Join!;
        var ida = await Browser.JoinWithTokenAsync(emulator, hostJoin.Token, hostJoin.Identity, publish: false);
        await using var own = await Browser.LaunchOwnAsync();
        var cal = await Browser.JoinWithTokenAsync(emulator, guestJoin.Token, guestJoin.Identity, inBrowser: own.Browser);
        await ida.WaitForVideoAsync(guestJoin.Identity);

        own.Kill();
        await emulator.WaitForWebhookAsync(w => w.Event == "participant_left" && w.ParticipantSid == cal.Sid, TimeSpan.FromSeconds(60));

        // The api's session of Cal is closed with the reason LiveKit gave (DisconnectReason's proto name), Ida's is open.
        var sessions = await Eventually.ReadAsync(() => QueryAsync($"""
            SELECT s."Identity", s."LeftAt" IS NOT NULL, s."DisconnectReason"
            FROM participant_sessions s JOIN meetings m ON m."Id" = s."MeetingId" WHERE m."Slug" = '{slug}'
            """), rows => rows.Contains($"{guestJoin.Identity} True CONNECTION_TIMEOUT"), "Cal's session closed with CONNECTION_TIMEOUT");
        Assert.Contains($"{hostJoin.Identity} False ", sessions);
        await ida.LeaveAsync();
        await ida.CloseAsync();
    }

    async Task<List<string>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(string.Join(' ', row.Select(v => v is DBNull ? "" : v.ToString())));
        }
        return rows;
    }
}
