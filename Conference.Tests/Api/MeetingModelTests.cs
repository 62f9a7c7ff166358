using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Tests.Infrastructure;
using Npgsql;

namespace Conference.Tests.Api;

/// <summary>
/// Meetings as people use them, driven by webhooks signed the way LiveKit signs them. The five faults of issue 12's
/// "Why" are kept here as tests, and each scenario's events are also replayed shuffled and duplicated.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class MeetingModelTests(ApiFixture fixture)
{
    // Why 1: a closed room ended the meeting for good (410 for everyone, the host included).
    [Fact]
    public async Task After_LiveKit_closes_the_empty_room_the_same_link_starts_a_new_call()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var guest = await JoinApiTests.JoinAsync(fixture.Api.CreateClient(), slug, "Early Guest");
        var identity = guest.Join!.Identity;
        var t = DateTimeOffset.UtcNow.AddMinutes(-10);
        foreach (var body in new[]
                 {
                     WebhookJson.RoomStarted(slug, t, roomSid: $"RM_first_{slug}"),
                     WebhookJson.Participant("participant_joined", slug, identity, "Early Guest", t, t, roomSid: $"RM_first_{slug}", sid: $"PA_g1_{slug}"),
                     WebhookJson.Participant("participant_left", slug, identity, "Early Guest", t, t.AddMinutes(1), roomSid: $"RM_first_{slug}", sid: $"PA_g1_{slug}"),
                     WebhookJson.RoomFinished(slug, t.AddMinutes(2), roomSid: $"RM_first_{slug}"),
                 })
        {
            await PostOkAsync(body);
        }

        var idle = await MeetingAsync(host, slug);
        Assert.Equal("Idle", idle.Status);
        Assert.Equal(t.AddMinutes(2).ToUnixTimeSeconds(), idle.LastCallEndedAt?.ToUnixTimeSeconds());

        // Everyone can join again, the host included; LiveKit makes a new room (a new call).
        await JoinApiTests.JoinAsync(host, slug, "Host");
        await JoinApiTests.JoinAsync(fixture.Api.CreateClient(), slug, "Early Guest", guest.Join!.ParticipantCredential);
        await PostOkAsync(WebhookJson.RoomStarted(slug, t.AddMinutes(5), roomSid: $"RM_second_{slug}"));
        var running = await MeetingAsync(host, slug);
        Assert.Equal("InProgress", running.Status);
        Assert.Equal(t.AddMinutes(5).ToUnixTimeSeconds(), running.InProgressSince?.ToUnixTimeSeconds());

        var figures = await FiguresAsync(host, slug);
        Assert.Equal([$"RM_first_{slug}", $"RM_second_{slug}"], figures.Calls.Select(c => c.RoomSid));
    }

    // A call started again within the second after an end for everyone read as begun before that end (creation_time
    // is whole seconds), so the end screens of the people in the ended call did not offer to join it.
    [Fact]
    public async Task A_call_starts_when_LiveKit_says_to_the_millisecond_when_it_says_so()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var t = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds() * 1000 + 700);
        await PostOkAsync(WebhookJson.RoomStarted(slug, t, milliseconds: true));

        var running = await MeetingAsync(host, slug);
        Assert.Equal("InProgress", running.Status);
        Assert.Equal(t, running.InProgressSince);
    }

    // Why 2: the recorder (kind EGRESS) counted as a person: "full" at 2 with one person, and in analytics.
    [Fact]
    public async Task Recorders_and_agents_never_count_toward_full_presence_or_analytics()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Two", settings = new { maxParticipants = 2 } });
        var hostJoin = (await JoinApiTests.JoinAsync(host, slug, "Host")).Join!.Identity;
        var t = DateTimeOffset.UtcNow.AddMinutes(-1);
        await PostOkAsync(WebhookJson.Participant("participant_joined", slug, hostJoin, "Host", t, t, role: "Host"));
        await PostOkAsync(WebhookJson.Participant("participant_joined", slug, "EG_abc123", "", t, t, kind: "EGRESS"));
        await PostOkAsync(WebhookJson.Participant("participant_joined", slug, "agent-1", "Agent", t, t, kind: "AGENT"));

        await Task.Delay(1100); // the presence count is cached for a second
        await JoinApiTests.JoinAsync(fixture.Api.CreateClient(), slug, "Second Person");

        var figures = await FiguresAsync(host, slug);
        Assert.Equal(1, figures.Participants);
        Assert.Equal(1, figures.PeakConcurrency);
    }

    // Why 3: a track name with U+0000 made every delivery a 500 (jsonb refused it) and the event was lost.
    [Fact]
    public async Task Any_payload_is_stored_byte_for_byte_and_applied_never_a_500()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var t = DateTimeOffset.UtcNow;
        var track = WebhookJson.TrackPublished(slug, "nul-person", "mic\u0000\u202Eevil", t);
        var joined = WebhookJson.Participant("participant_joined", slug, "nul-person", "Nul\u0000Name " + new string('x', 600), t, t);
        foreach (var body in new[] { track, joined, track, joined })
        {
            await PostOkAsync(body);
        }

        foreach (var body in new[] { track, joined })
        {
            var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
            var stored = (byte[])(await QueryAsync($"SELECT \"Payload\" FROM livekit_webhook_events WHERE \"Id\" = '{id}'"))[0][0]!;
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(body), stored);
        }
        var name = (string)(await QueryAsync("SELECT \"DisplayName\" FROM participant_sessions WHERE \"Identity\" = 'nul-person'"))[0][0]!;
        Assert.StartsWith("Nul\uFFFDName", name);
    }

    // Why 4: an admitted lobby ticket could be read again and again: 3 reads, 3 tokens, 3 identities, even after locking.
    [Fact]
    public async Task A_lobby_ticket_is_the_askers_alone_and_turns_into_one_token_while_the_meeting_is_open()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Lobby", settings = new { lobbyEnabled = true } });
        var guest = fixture.Api.CreateClient();
        var asked = (await (await guest.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Gil" })).Content.ReadFromJsonAsync<JoinAnswer>())!;
        var requestId = asked.LobbyRequestId!;
        var ticket = asked.LobbyTicket!;
        (await host.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/admit", null)).EnsureSuccessStatusCode();

        // Someone who only knows the request id gets nothing.
        var stranger = await fixture.Api.CreateClient().PostAsJsonAsync($"/api/meetings/{slug}/lobby/{requestId}", new { ticket = new string('0', 48) });
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);

        // Locked after admitting: not open to a guest now, and the ticket is not spent by the refusal.
        Assert.Equal(HttpStatusCode.NoContent, (await host.PutAsJsonAsync($"/api/meetings/{slug}/lock", new { locked = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.PostAsJsonAsync($"/api/meetings/{slug}/lobby/{requestId}", new { ticket })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await host.PutAsJsonAsync($"/api/meetings/{slug}/lock", new { locked = false })).StatusCode);

        // Three claims at once: exactly one token.
        var claims = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => guest.PostAsJsonAsync($"/api/meetings/{slug}/lobby/{requestId}", new { ticket })));
        Assert.Equal(1, claims.Count(c => c.StatusCode == HttpStatusCode.OK));
        Assert.Equal(2, claims.Count(c => c.StatusCode == HttpStatusCode.Gone));
    }

    // A newcomer waited in the lobby while the host ended the call for everyone, and went on reading "Waiting to be let in".
    [Fact]
    public async Task Someone_waiting_in_the_lobby_when_the_host_ends_the_call_for_everyone_is_told_and_may_ask_again()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Lobby end", settings = new { lobbyEnabled = true } });
        var guest = fixture.Api.CreateClient();
        var asked = (await (await guest.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Walt" })).Content.ReadFromJsonAsync<JoinAnswer>())!;
        var status = $"/api/meetings/{slug}/lobby/{asked.LobbyRequestId}";
        Assert.Equal(HttpStatusCode.OK, (await guest.PostAsJsonAsync(status, new { ticket = asked.LobbyTicket })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/end", null)).StatusCode);

        var ended = await guest.PostAsJsonAsync(status, new { ticket = asked.LobbyTicket });
        Assert.Equal(HttpStatusCode.Gone, ended.StatusCode);
        Assert.Contains("ended the call", (await ended.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        var again = (await (await guest.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Walt" })).Content.ReadFromJsonAsync<JoinAnswer>())!;
        Assert.Equal(HttpStatusCode.OK, (await guest.PostAsJsonAsync($"/api/meetings/{slug}/lobby/{again.LobbyRequestId}", new { ticket = again.LobbyTicket })).StatusCode);
    }

    // Why 5: each join was a new identity, so a reload lost the co-host role and a removed person walked back in;
    // a co-host kept rights for 12 h after leaving; the host could not demote someone absent.
    [Fact]
    public async Task Roles_follow_the_person_and_removal_keeps_them_out()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var browser = fixture.Api.CreateClient();
        var first = (await JoinApiTests.JoinAsync(browser, slug, "Cora")).Join!;
        var identity = first.Identity;
        var key = first.ParticipantCredential;

        Assert.Equal(HttpStatusCode.NoContent, (await host.PutAsJsonAsync($"/api/meetings/{slug}/participants/{identity}/role", new { role = "CoHost" })).StatusCode);
        var reload = (await JoinApiTests.JoinAsync(browser, slug, "Cora", key)).Join!;
        Assert.Equal((identity, "CoHost"), (reload.Identity, reload.Role));

        var coHost = fixture.Api.CreateClient();
        coHost.DefaultRequestHeaders.Add("X-Participant-Token", key);
        Assert.Equal(HttpStatusCode.OK, (await coHost.GetAsync($"/api/meetings/{slug}/lobby")).StatusCode);
        // Co-hosts never act on the host, never end the call, never change roles or settings.
        var hostIdentity = (await JoinApiTests.JoinAsync(host, slug, "Host")).Join!.Identity;
        Assert.Equal(HttpStatusCode.Forbidden, (await coHost.DeleteAsync($"/api/meetings/{slug}/participants/{hostIdentity}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coHost.PostAsync($"/api/meetings/{slug}/end", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coHost.PutAsJsonAsync($"/api/meetings/{slug}/settings", new { locked = true })).StatusCode);

        // Demoted while away (nothing is connected): at once, no moderator rights, and the next join is a guest.
        Assert.Equal(HttpStatusCode.NoContent, (await host.PutAsJsonAsync($"/api/meetings/{slug}/participants/{identity}/role", new { role = "Guest" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coHost.GetAsync($"/api/meetings/{slug}/lobby")).StatusCode);
        Assert.Equal("Guest", (await JoinApiTests.JoinAsync(browser, slug, "Cora", key)).Join!.Role);

        Assert.False(await CallerWasRemovedAsync(browser, slug, key));

        // Removed: their key is refused, and the link's page can say so before they set up a camera (only to them).
        Assert.Equal(HttpStatusCode.NoContent, (await host.DeleteAsync($"/api/meetings/{slug}/participants/{identity}")).StatusCode);
        var back = await browser.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Cora", participantKey = key });
        Assert.Equal(HttpStatusCode.Forbidden, back.StatusCode);
        Assert.Contains("removed", await back.Content.ReadAsStringAsync());
        Assert.True(await CallerWasRemovedAsync(browser, slug, key));
        Assert.False(await CallerWasRemovedAsync(browser, slug, null));
        Assert.False(await CallerWasRemovedAsync(browser, slug, key[..^4] + "AAAA")); // not a key: nobody in particular
        Assert.False(await CallerWasRemovedAsync(host, slug, null));

        // With the lobby on they may ask again, and the host sees they were removed before.
        Assert.Equal(HttpStatusCode.OK, (await host.PutAsJsonAsync($"/api/meetings/{slug}/settings", new { lobbyEnabled = true })).StatusCode);
        var asked = await browser.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Cora", participantKey = key });
        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        var waiting = (await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby")).EnumerateArray().Single();
        Assert.True(waiting.GetProperty("removedBefore").GetBoolean());
    }

    static async Task<bool> CallerWasRemovedAsync(HttpClient client, string slug, string? participantKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/meetings/{slug}");
        if (participantKey is not null)
        {
            request.Headers.Add(Conference.Api.Participants.ParticipantKeys.HeaderName, participantKey);
        }
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("callerWasRemoved").GetBoolean();
    }

    [Fact]
    public async Task Denied_people_can_ask_a_few_times_then_no_more()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Lobby", settings = new { lobbyEnabled = true } });
        var browser = fixture.Api.CreateClient();
        string? key = null;
        for (var i = 0; i < Conference.Api.Participants.Lobby.MaxDenials; i++)
        {
            var asked = (await (await browser.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Pest", participantKey = key })).Content.ReadFromJsonAsync<JoinAnswer>())!;
            key = asked.ParticipantKey;
            (await host.PostAsync($"/api/meetings/{slug}/lobby/{asked.LobbyRequestId}/deny", null)).EnsureSuccessStatusCode();
        }
        var refused = await browser.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Pest", participantKey = key });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Empty((await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby")).EnumerateArray());
    }

    /// <summary>Two calls; in the first, Ann reconnects (a new sid, old left after new joined) and Bob's tab is replaced.</summary>
    static List<string> Scenario(string slug, DateTimeOffset t) =>
    [
        WebhookJson.RoomStarted(slug, t, roomSid: $"RM_c1_{slug}"),
        WebhookJson.Participant("participant_joined", slug, "ann", "Ann", t, t, roomSid: $"RM_c1_{slug}", sid: $"PA_a1_{slug}"),
        WebhookJson.Participant("participant_joined", slug, "bob", "Bob", t.AddMinutes(1), t.AddMinutes(1), roomSid: $"RM_c1_{slug}", sid: $"PA_b1_{slug}"),
        WebhookJson.Participant("participant_joined", slug, "EG_rec", "", t.AddMinutes(1), t.AddMinutes(1), roomSid: $"RM_c1_{slug}", sid: $"PA_e1_{slug}", kind: "EGRESS"),
        WebhookJson.Participant("participant_joined", slug, "ann", "Ann", t.AddMinutes(3), t.AddMinutes(3), roomSid: $"RM_c1_{slug}", sid: $"PA_a2_{slug}"),
        WebhookJson.Participant("participant_connection_aborted", slug, "ann", "Ann", t, t.AddMinutes(3).AddSeconds(2), roomSid: $"RM_c1_{slug}", sid: $"PA_a1_{slug}"),
        WebhookJson.Participant("participant_joined", slug, "bob", "Bob", t.AddMinutes(4), t.AddMinutes(4), roomSid: $"RM_c1_{slug}", sid: $"PA_b2_{slug}"),
        WebhookJson.Participant("participant_left", slug, "bob", "Bob", t.AddMinutes(1), t.AddMinutes(4), roomSid: $"RM_c1_{slug}", sid: $"PA_b1_{slug}", disconnectReason: "DUPLICATE_IDENTITY"),
        WebhookJson.RoomFinished(slug, t.AddMinutes(10), roomSid: $"RM_c1_{slug}"),
        WebhookJson.RoomStarted(slug, t.AddMinutes(20), roomSid: $"RM_c2_{slug}"),
        WebhookJson.Participant("participant_joined", slug, "ann", "Ann", t.AddMinutes(20), t.AddMinutes(20), roomSid: $"RM_c2_{slug}", sid: $"PA_a3_{slug}"),
    ];

    public static TheoryData<string> Orders => ["in order", "reversed", "shuffled", "shuffled and duplicated"];

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task Calls_and_sessions_converge_whatever_the_order_and_duplicates(string order)
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var t = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds()); // LiveKit's times are whole seconds
        var events = Scenario(slug, t);
        var random = new Random(order.Length);
        var delivered = order switch
        {
            "in order" => events,
            "reversed" => Enumerable.Reverse(events).ToList(),
            "shuffled" => events.OrderBy(_ => random.Next()).ToList(),
            _ => events.Concat(events).Concat(events.Take(4)).OrderBy(_ => random.Next()).ToList(),
        };
        foreach (var body in delivered)
        {
            await PostOkAsync(body);
        }

        var calls = await QueryAsync($"""
            SELECT c."RoomSid", EXTRACT(EPOCH FROM c."StartedAt" - TIMESTAMPTZ '{t:O}')::int, EXTRACT(EPOCH FROM c."EndedAt" - TIMESTAMPTZ '{t:O}')::int
            FROM meeting_calls c JOIN meetings m ON m."Id" = c."MeetingId" WHERE m."Slug" = '{slug}' ORDER BY 1
            """);
        Assert.Equal([$"RM_c1_{slug} 0 600", $"RM_c2_{slug} 1200 "], calls.Select(Row));
        var sessions = await QueryAsync($"""
            SELECT s."ParticipantSid", s."Identity", EXTRACT(EPOCH FROM s."JoinedAt" - TIMESTAMPTZ '{t:O}')::int,
                   EXTRACT(EPOCH FROM s."LeftAt" - TIMESTAMPTZ '{t:O}')::int, s."DisconnectReason"
            FROM participant_sessions s JOIN meetings m ON m."Id" = s."MeetingId" WHERE m."Slug" = '{slug}' ORDER BY 1
            """);
        Assert.Equal(
            [
                $"PA_a1_{slug} ann 0 182 CONNECTION_ABORTED",
                $"PA_a2_{slug} ann 180 600 ROOM_CLOSED",
                $"PA_a3_{slug} ann 1200  ",
                $"PA_b1_{slug} bob 60 240 DUPLICATE_IDENTITY",
                $"PA_b2_{slug} bob 240 600 ROOM_CLOSED",
            ],
            sessions.Select(Row));

        Assert.Equal("InProgress", (await MeetingAsync(host, slug)).Status);
        var figures = await FiguresAsync(host, slug);
        Assert.Equal(2, figures.Participants);
        Assert.Equal(2, figures.Calls[0].Participants);
    }

    [Fact]
    public async Task A_token_of_a_call_the_host_ended_is_removed_when_it_joins_again()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var issued = DateTimeOffset.UtcNow.AddSeconds(-30);
        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/end", null)).StatusCode);
        await using var stale = await LiveKitBot.JoinAsync(fixture.LiveKit, slug, "g-stale");
        await using var fresh = await LiveKitBot.JoinAsync(fixture.LiveKit, slug, "g-fresh");
        await PostOkAsync(WebhookJson.Participant("participant_joined", slug, "g-stale", "Stale", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, roomSid: $"RM_after_{slug}", issuedAt: issued));
        Assert.Equal(["g-fresh"], (await fixture.ParticipantsInAsync(slug)).Select(p => p.Identity));
    }

    public static TheoryData<string> GoodNames => ["山田 太郎", "محمد عبد الله", "अनुष्का शर्मा", "Zoë 👩🏽‍💻", "👨‍👩‍👧‍👦", "e\u0301le\u0300ve"];

    [Theory]
    [MemberData(nameof(GoodNames))]
    public async Task Names_in_any_language_and_emoji_are_kept_in_NFC(string name)
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = name });
        var join = (await JoinApiTests.JoinAsync(fixture.Api.CreateClient(), slug, name)).Join!;
        var claims = fixture.LiveKitVerifier.Verify(join.Token);
        Assert.Equal(name.Normalize(System.Text.NormalizationForm.FormC), claims.Name);
        Assert.Equal(name.Normalize(System.Text.NormalizationForm.FormC), (await MeetingAsync(host, slug)).Title);
    }

    public static TheoryData<string, string> BadNames => new()
    {
        { "Eve\u202Egnp.exe", "direction" },     // right-to-left override
        { "Eve\u2067x\u2069", "direction" },     // isolate
        { "Eve\u0000", "control" },
        { "Eve\u001B[31m", "control" },
        { "\u200B\u200D\u2060", "visible" },     // zero-width only
        { "\u3164\u3164", "visible" },           // Hangul fillers render blank
        { string.Concat(Enumerable.Repeat("👩🏽‍💻", 65)), "at most" },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task Names_that_hide_or_reorder_text_are_a_problem_naming_the_field(string name, string why)
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var response = await fixture.Api.CreateClient().PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = name });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(why, (await response.ReadProblemAsync()).Errors["displayName"][0]);

        var title = await host.PostAsJsonAsync("/api/meetings", new { title = name + (why == "at most" ? string.Concat(Enumerable.Repeat("x", 60)) : "") });
        Assert.Equal(HttpStatusCode.BadRequest, title.StatusCode);
        Assert.Contains("title", (await title.ReadProblemAsync()).Errors.Keys);
    }

    [Fact]
    public async Task Sixty_four_emoji_with_skin_tones_and_joiners_are_sixty_four_characters()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        await JoinApiTests.JoinAsync(fixture.Api.CreateClient(), slug, string.Concat(Enumerable.Repeat("👩🏽‍💻", 64)));
    }

    static string Row(object?[] row) => string.Join(' ', row.Select(v => v is DBNull ? "" : v?.ToString()));

    async Task PostOkAsync(string body)
    {
        var response = await fixture.PostWebhookAsync(fixture.Api.CreateClient(), body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    async Task<List<object?[]>> QueryAsync(string sql)
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

    /// <summary>Of a meeting (<c>GET /api/meetings/{slug}</c>), what the meeting-model tests look at.</summary>
    sealed record MeetingAnswer(string Slug, string Title, string Status, DateTimeOffset? InProgressSince, DateTimeOffset? LastCallEndedAt);

    /// <summary>A meeting's figures (<c>GET /api/meetings/{slug}/analytics</c>): people, peak, and each call.</summary>
    sealed record FiguresAnswer(int Participants, int PeakConcurrency, IReadOnlyList<CallFiguresAnswer> Calls);

    sealed record CallFiguresAnswer(string RoomSid, int Participants);

    static async Task<MeetingAnswer> MeetingAsync(HttpClient client, string slug) =>
        (await client.GetFromJsonAsync<MeetingAnswer>($"/api/meetings/{slug}"))!;

    static async Task<FiguresAnswer> FiguresAsync(HttpClient client, string slug) =>
        (await client.GetFromJsonAsync<FiguresAnswer>($"/api/meetings/{slug}/analytics"))!;
}
