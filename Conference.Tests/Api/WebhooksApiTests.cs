using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Conference.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class WebhooksApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task Room_and_participant_events_become_meeting_times_and_sessions()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var livekit = fixture.Api.CreateClient();
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);

        await PostOkAsync(livekit, WebhookJson.RoomStarted(slug, start));
        await PostOkAsync(livekit, WebhookJson.Participant("participant_joined", slug, "ada-aaaaaa", "Ada", start, start, role: "Host"));
        await PostOkAsync(livekit, WebhookJson.Participant("participant_joined", slug, "bob-bbbbbb", "Bob", start.AddMinutes(5), start.AddMinutes(5)));
        await PostOkAsync(livekit, WebhookJson.Participant("participant_left", slug, "bob-bbbbbb", "Bob", start.AddMinutes(5), start.AddMinutes(15)));
        await PostOkAsync(livekit, WebhookJson.Participant("participant_connection_aborted", slug, "ada-aaaaaa", "Ada", start, start.AddMinutes(20), role: "Host"));
        await PostOkAsync(livekit, WebhookJson.RoomFinished(slug, start.AddMinutes(25)));

        var meeting = await livekit.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}");
        Assert.Equal(start.ToUnixTimeSeconds(), meeting.GetProperty("startedAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal("Idle", meeting.GetProperty("status").GetString());
        Assert.Equal(start.AddMinutes(25).ToUnixTimeSeconds(), meeting.GetProperty("lastCallEndedAt").GetDateTimeOffset().ToUnixTimeSeconds());

        var sessions = await QueryAsync($"""SELECT "Identity", "Role", "DisconnectReason", EXTRACT(EPOCH FROM "LeftAt" - "JoinedAt")::int FROM participant_sessions s JOIN meetings m ON m."Id" = s."MeetingId" WHERE m."Slug" = '{slug}' ORDER BY 1""");
        Assert.Equal(
            ["ada-aaaaaa Host CONNECTION_ABORTED 1200", "bob-bbbbbb Guest CLIENT_INITIATED 600"],
            sessions.Select(row => string.Join(' ', row)));

        var figures = await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/analytics");
        Assert.Equal(2, figures.GetProperty("participants").GetInt32());
        Assert.Equal(2, figures.GetProperty("peakConcurrency").GetInt32());
        Assert.Equal(30.0, figures.GetProperty("participantMinutes").GetDouble());
        Assert.Equal(25.0, figures.GetProperty("durationMinutes").GetDouble());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // webhooks are unordered: the old room's room_started arrives after the new one's
    public async Task A_call_whose_room_finished_never_came_ends_when_the_next_call_of_the_meeting_starts(bool oldStartArrivesLast)
    {
        // A newcomer stopped LiveKit mid-call (it keeps rooms in memory: no room_finished), started it again, rejoined
        // and ended the new call: the meeting said "In progress" for good, and the old call's people never left.
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var livekit = fixture.Api.CreateClient();
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var restart = start.AddMinutes(10);
        var (before, after) = ($"RM_{slug}_before", $"RM_{slug}_after"); // room sids are unique across meetings
        string[] oldCall =
        [
            WebhookJson.RoomStarted(slug, start, roomSid: before),
            WebhookJson.Participant("participant_joined", slug, "ada-aaaaaa", "Ada", start, start, roomSid: before, sid: "PA_ada1"),
        ];
        string[] newCall =
        [
            WebhookJson.RoomStarted(slug, restart, roomSid: after),
            WebhookJson.Participant("participant_joined", slug, "ada-aaaaaa", "Ada", restart, restart, roomSid: after, sid: "PA_ada2"),
        ];
        foreach (var body in oldStartArrivesLast ? [.. newCall, .. oldCall] : oldCall.Concat(newCall))
        {
            await PostOkAsync(livekit, body);
        }

        var meeting = await livekit.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}");
        Assert.Equal("InProgress", meeting.GetProperty("status").GetString());
        Assert.Equal(restart.ToUnixTimeSeconds(), meeting.GetProperty("inProgressSince").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(
            ["PA_ada1 ROOM_CLOSED 600", "PA_ada2 open"],
            (await QueryAsync($"""SELECT "ParticipantSid", COALESCE("DisconnectReason", 'open'), EXTRACT(EPOCH FROM "LeftAt" - "JoinedAt")::int FROM participant_sessions s JOIN meetings m ON m."Id" = s."MeetingId" WHERE m."Slug" = '{slug}' ORDER BY 1"""))
                .Select(row => string.Join(' ', row.Where(value => value is not null and not DBNull))));

        await PostOkAsync(livekit, WebhookJson.RoomFinished(slug, restart.AddMinutes(5), roomSid: after));
        meeting = await livekit.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}");
        Assert.Equal("Idle", meeting.GetProperty("status").GetString());
        var figures = await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/analytics");
        Assert.Equal([10.0, 5.0], figures.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("durationMinutes").GetDouble()).Order().Reverse());
    }

    [Fact]
    public async Task A_call_shorter_than_a_second_lasts_zero_minutes_not_less()
    {
        // room_started carries LiveKit's millisecond (creation_time_ms), room_finished only its webhook's whole second.
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var livekit = fixture.Api.CreateClient();
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds()).AddMilliseconds(900);

        await PostOkAsync(livekit, WebhookJson.RoomStarted(slug, start, milliseconds: true));
        await PostOkAsync(livekit, WebhookJson.RoomFinished(slug, start.AddMilliseconds(50)));

        var figures = await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/analytics");
        Assert.Equal(0.0, figures.GetProperty("durationMinutes").GetDouble());
        Assert.Equal(0.0, figures.GetProperty("calls")[0].GetProperty("durationMinutes").GetDouble());
    }

    [Fact]
    public async Task A_duplicate_delivery_answers_200_and_changes_nothing()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var body = WebhookJson.Participant("participant_joined", slug, "dup-cccccc", "Dup", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        var livekit = fixture.Api.CreateClient();

        await PostOkAsync(livekit, body);
        await PostOkAsync(livekit, body);
        await PostOkAsync(fixture.CreateApi().CreateClient(), body);

        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
        Assert.Equal(1L, (await QueryAsync($"SELECT count(*) FROM livekit_webhook_events WHERE \"Id\" = '{id}'"))[0][0]);
        Assert.Equal(1L, (await QueryAsync($"SELECT count(*) FROM participant_sessions WHERE \"Identity\" = 'dup-cccccc'"))[0][0]);
    }

    [Fact]
    public async Task Left_before_joined_still_gives_one_closed_session()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var livekit = fixture.Api.CreateClient();
        var joinedAt = DateTimeOffset.UtcNow.AddMinutes(-3);
        await PostOkAsync(livekit, WebhookJson.Participant("participant_left", slug, "late-dddddd", "Late", joinedAt, joinedAt.AddMinutes(2)));
        await PostOkAsync(livekit, WebhookJson.Participant("participant_joined", slug, "late-dddddd", "Late", joinedAt, joinedAt));

        var rows = await QueryAsync("SELECT \"LeftAt\" IS NOT NULL FROM participant_sessions WHERE \"Identity\" = 'late-dddddd'");
        Assert.Equal(true, Assert.Single(rows)[0]);
    }

    public static TheoryData<string> Forgeries => ["wrong secret", "changed body", "expired", "no header", "bearer of another key"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_webhook_is_401_and_stores_nothing(string forgery)
    {
        var body = WebhookJson.RoomStarted("abc-defg-hij", DateTimeOffset.UtcNow);
        var livekit = fixture.Api.CreateClient();
        var response = forgery switch
        {
            "wrong secret" => await fixture.PostWebhookAsync(livekit, body, secret: new string('x', 40)),
            "changed body" => await fixture.PostWebhookAsync(livekit, body, signedBody: body.Replace("abc-defg-hij", "zzz-zzzz-zzz")),
            "expired" => await fixture.PostWebhookAsync(livekit, body, signedAt: DateTimeOffset.UtcNow.AddHours(-1)),
            "no header" => await livekit.PostAsync("/api/webhooks/livekit", new StringContent(body, System.Text.Encoding.UTF8, "application/webhook+json")),
            _ => await PostWithHeaderAsync(livekit, body, "Bearer " + new Conference.LiveKit.AccessToken("other-key", new string('k', 40)).WithSha256("x").ToJwt()),
        };
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
        Assert.Equal(0L, (await QueryAsync($"SELECT count(*) FROM livekit_webhook_events WHERE \"Id\" = '{id}'"))[0][0]);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"event":"room_started","id":""}""")]
    [InlineData("""{"event":42,"id":"EV_x"}""")]
    public async Task A_malformed_signed_webhook_is_400_and_stores_nothing(string body)
    {
        var before = (long)(await QueryAsync("SELECT count(*) FROM livekit_webhook_events"))[0][0]!;
        var response = await fixture.PostWebhookAsync(fixture.Api.CreateClient(), body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, (long)(await QueryAsync("SELECT count(*) FROM livekit_webhook_events"))[0][0]!);
    }

    [Fact]
    public async Task A_burst_with_duplicates_on_two_instances_stores_every_event_exactly_once()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var clients = new[] { fixture.Api.CreateClient(), fixture.CreateApi().CreateClient() };
        var now = DateTimeOffset.UtcNow;
        var bodies = Enumerable.Range(0, 60)
            .Select(i => WebhookJson.Participant("participant_joined", slug, $"burst-{i:D6}", $"P{i}", now, now))
            .ToList();

        // Every event twice, from both instances at once.
        await Task.WhenAll(bodies.Concat(bodies).Select((body, i) => PostOkAsync(clients[i % 2], body)));

        Assert.Equal(60L, (await QueryAsync($"SELECT count(*) FROM participant_sessions WHERE \"Identity\" LIKE 'burst-%'"))[0][0]);
        Assert.Equal(60L, (await QueryAsync($"SELECT count(*) FROM livekit_webhook_events WHERE convert_from(\"Payload\", 'UTF8')::jsonb->'participant'->>'identity' LIKE 'burst-%'"))[0][0]);
    }

    [Fact]
    public async Task An_event_that_fails_to_apply_is_stored_retried_until_it_applies_and_the_rest_of_its_burst_still_applies()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var livekit = fixture.Api.CreateClient();
        var now = DateTimeOffset.UtcNow;
        // The database refuses this one session for now (a trigger stands in for any failure that passes).
        var identity = $"refused-{Guid.NewGuid():N}";
        await QueryAsync($"""
            CREATE OR REPLACE FUNCTION refuse_{identity.Replace('-', '_')}() RETURNS trigger AS $$
            BEGIN IF NEW."Identity" = '{identity}' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_{identity.Replace('-', '_')} BEFORE INSERT ON participant_sessions FOR EACH ROW EXECUTE FUNCTION refuse_{identity.Replace('-', '_')}();
            SELECT 1
            """);
        var refused = WebhookJson.Participant("participant_joined", slug, identity, "Refused", now, now);
        var bodies = Enumerable.Range(0, 40)
            .Select(i => WebhookJson.Participant("participant_joined", slug, $"refusal-{i:D4}", $"R{i}", now, now))
            .Append(refused)
            .ToList();

        await Task.WhenAll(bodies.Select(body => PostOkAsync(livekit, body)));

        Assert.Equal(40L, (await QueryAsync($"SELECT count(*) FROM participant_sessions WHERE \"Identity\" LIKE 'refusal-%'"))[0][0]);
        var refusedId = JsonDocument.Parse(refused).RootElement.GetProperty("id").GetString();
        Assert.Equal([false, 1], (await QueryAsync($"SELECT \"AppliedAt\" IS NOT NULL, \"ApplyAttempts\" FROM livekit_webhook_events WHERE \"Id\" = '{refusedId}'"))[0]);

        // Still refused: the next attempt counts and keeps it.
        var maintenance = fixture.Api.Services.GetRequiredService<Conference.Api.Webhooks.WebhookMaintenance>();
        await maintenance.RunOnceAsync(prune: false, CancellationToken.None);
        Assert.Equal([false, 2], (await QueryAsync($"SELECT \"AppliedAt\" IS NOT NULL, \"ApplyAttempts\" FROM livekit_webhook_events WHERE \"Id\" = '{refusedId}'"))[0]);

        // The cause goes away: the next attempt applies it.
        await QueryAsync($"DROP TRIGGER refuse_{identity.Replace('-', '_')} ON participant_sessions; SELECT 1");
        await maintenance.RunOnceAsync(prune: false, CancellationToken.None);
        Assert.Equal(true, (await QueryAsync($"SELECT \"AppliedAt\" IS NOT NULL FROM livekit_webhook_events WHERE \"Id\" = '{refusedId}'"))[0][0]);
        Assert.Equal(1L, (await QueryAsync($"SELECT count(*) FROM participant_sessions WHERE \"Identity\" = '{identity}'"))[0][0]);
    }

    [Fact]
    public async Task Events_older_than_the_retention_are_pruned_and_newer_ones_kept()
    {
        var old = WebhookJson.NewId();
        await QueryAsync($"""
            INSERT INTO livekit_webhook_events ("Id", "Type", "ReceivedAt", "AppliedAt", "ApplyAttempts", "Payload")
            VALUES ('{old}', 'room_started', now() - interval '31 days', now() - interval '31 days', 0, '\x7b7d');
            SELECT 1
            """);
        var body = WebhookJson.RoomStarted("abc-defg-hij", DateTimeOffset.UtcNow);
        await PostOkAsync(fixture.Api.CreateClient(), body);
        await fixture.Api.Services.GetRequiredService<Conference.Api.Webhooks.WebhookMaintenance>().RunOnceAsync(prune: true, CancellationToken.None);
        Assert.Equal(0L, (await QueryAsync($"SELECT count(*) FROM livekit_webhook_events WHERE \"Id\" = '{old}'"))[0][0]);
        var kept = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
        Assert.Equal(1L, (await QueryAsync($"SELECT count(*) FROM livekit_webhook_events WHERE \"Id\" = '{kept}'"))[0][0]);
    }

    async Task PostOkAsync(HttpClient client, string body)
    {
        var response = await fixture.PostWebhookAsync(client, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    static async Task<HttpResponseMessage> PostWithHeaderAsync(HttpClient client, string body, string authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/livekit")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/webhook+json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await client.SendAsync(request);
    }

    internal async Task<List<object?[]>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            reader.GetValues(row!);
            rows.Add(row);
        }
        return rows;
    }
}
