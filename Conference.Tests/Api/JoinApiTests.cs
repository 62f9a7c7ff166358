using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.LiveKit;
using Conference.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Conference.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class JoinApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_guest_gets_a_short_lived_token_for_this_room_only_with_guest_grants()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);

        var join = await JoinAsync(fixture.Api.CreateClient(), slug, "Ada Lovelace");
        var details = join.Join!;
        Assert.Equal("joined", join.Status);
        Assert.Equal(ApiFixture.PublicLiveKitUrl, details.ServerUrl);
        Assert.Equal(slug, details.RoomName);
        Assert.StartsWith("g-", details.Identity);
        Assert.Equal("Guest", details.Role);
        Assert.InRange(details.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(11));

        var claims = fixture.LiveKitVerifier.Verify(details.Token);
        Assert.Equal(details.Identity, claims.Identity);
        Assert.Equal("Ada Lovelace", claims.Name);
        var grants = claims.Video!;
        Assert.True(grants.RoomJoin);
        Assert.Equal(slug, grants.Room);
        Assert.Equal([TrackSource.Camera, TrackSource.Microphone, TrackSource.ScreenShare, TrackSource.ScreenShareAudio], grants.CanPublishSources);
        Assert.Null(grants.RoomAdmin);
        Assert.Null(grants.RoomCreate);
        Assert.Null(grants.RoomList);
        Assert.Null(grants.RoomRecord);
    }

    [Fact]
    public async Task A_join_with_the_participant_key_is_the_same_identity_and_a_join_without_one_is_someone_new()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var anyone = fixture.Api.CreateClient();
        var first = (await JoinAsync(anyone, slug, "Sam")).Join!;
        var key = first.ParticipantCredential;
        Assert.Equal(first.Identity, (await JoinAsync(anyone, slug, "Sam", key)).Join!.Identity);
        // Another api instance reads it too (the key ring is shared), and a key of another meeting counts for nothing.
        Assert.Equal(first.Identity, (await JoinAsync(fixture.CreateApi().CreateClient(), slug, "Sam", key)).Join!.Identity);
        var other = await MeetingsApiTests.CreateAsync(host);
        Assert.NotEqual(first.Identity, (await JoinAsync(anyone, other, "Sam", key)).Join!.Identity);
        Assert.NotEqual(first.Identity, (await JoinAsync(anyone, slug, "Sam")).Join!.Identity);
    }

    [Fact]
    public async Task The_host_is_their_account_and_no_token_carries_room_admin()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var details = (await JoinAsync(host, slug, "Host")).Join!;
        Assert.Equal("Host", details.Role);
        Assert.StartsWith("u-", details.Identity);
        Assert.Equal(details.Identity, (await JoinAsync(host, slug, "Host")).Join!.Identity);
        var grants = fixture.LiveKitVerifier.Verify(details.Token).Video!;
        // Moderation goes through the api, which checks the role now; a roomAdmin token would outlive a demotion.
        Assert.Null(grants.RoomAdmin);
        Assert.Equal(slug, grants.Room);
        Assert.Null(grants.RoomCreate);
        Assert.Null(grants.RoomList);
        Assert.Null(grants.RoomRecord);
    }

    [Fact]
    public async Task A_locked_meeting_refuses_guests_but_not_its_host()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Locked", settings = new { locked = true } });

        var guest = await fixture.Api.CreateClient().PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Eve" });
        Assert.Equal(HttpStatusCode.Forbidden, guest.StatusCode);
        Assert.Contains("locked", await guest.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Host" })).StatusCode);
    }

    [Fact]
    public async Task A_full_meeting_is_a_conflict_for_someone_new_but_not_for_someone_already_in()
    {
        using var host = await fixture.SignedInHostAsync();
        var small = await MeetingsApiTests.CreateAsync(host, new { title = "Small", settings = new { maxParticipants = 2 } });
        var webhooks = fixture.Api.CreateClient();
        var now = DateTimeOffset.UtcNow;
        var sam = (await JoinAsync(fixture.Api.CreateClient(), small, "Sam")).Join!;
        foreach (var identity in new[] { "one-aaaaaa", sam.Identity })
        {
            (await fixture.PostWebhookAsync(webhooks, WebhookJson.Participant("participant_joined", small, identity, identity, now, now))).EnsureSuccessStatusCode();
        }
        await Task.Delay(1100); // the presence count is cached for a second
        var full = await fixture.Api.CreateClient().PostAsJsonAsync($"/api/meetings/{small}/join", new { displayName = "Third" });
        Assert.Equal(HttpStatusCode.Conflict, full.StatusCode);
        Assert.Contains("full", await full.Content.ReadAsStringAsync());
        // Sam reloading the page is not a third person.
        await JoinAsync(fixture.Api.CreateClient(), small, "Sam", sam.ParticipantCredential);
    }

    [Fact]
    public async Task With_the_lobby_on_a_guest_waits_until_the_host_admits_them()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Lobby", settings = new { lobbyEnabled = true } });
        var guest = fixture.Api.CreateClient();

        var asked = await guest.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Guest Gil" });
        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        var answer = (await asked.Content.ReadFromJsonAsync<JoinAnswer>())!;
        var requestId = answer.LobbyRequestId!;
        var ticket = answer.LobbyTicket!;
        Assert.Equal("waiting", (await PollAsync(guest, slug, requestId, ticket)).Status);

        // A guest cannot see the lobby or let themselves in.
        Assert.Equal(HttpStatusCode.Unauthorized, (await guest.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/admit", null)).StatusCode);

        var waiting = await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby");
        Assert.Equal("Guest Gil", waiting.EnumerateArray().Single().GetProperty("displayName").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/admit", null)).StatusCode);

        // Another api instance answers the guest's next poll: the lobby is in Redis.
        var admitted = await PollAsync(fixture.CreateApi().CreateClient(), slug, requestId, ticket);
        Assert.Equal("joined", admitted.Status);
        // The same person as asked: the identity of the participant key the join answered with.
        Assert.Equal(answer.ParticipantKey is { } key ? (await JoinIdentityAsync(slug, key)) : null, admitted.Join!.Identity);
        Assert.Equal(slug, fixture.LiveKitVerifier.Verify(admitted.Join.Token).Video!.Room);
        Assert.Empty((await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby")).EnumerateArray());
        // Their token issued, a late second admit (another tab, a co-host) is harmless; a late deny is refused.
        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/admit", null)).StatusCode);
        var deny = await host.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/deny", null);
        Assert.Equal(HttpStatusCode.Conflict, deny.StatusCode);
        Assert.Contains("Guest Gil was let in already", (await deny.ReadProblemAsync()).Detail);
    }

    [Fact]
    public async Task A_guest_who_leaves_the_lobby_withdraws_their_request_and_the_hosts_are_told()
    {
        // A newcomer's host still saw "1 person is waiting — Closer — Admit / Deny" long after Closer closed the tab.
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Lobby", settings = new { lobbyEnabled = true } });
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(fixture.RedisConnectionString);
        var lobbyChanges = System.Threading.Channels.Channel.CreateUnbounded<Conference.Contracts.MeetingChange>();
        await redis.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Literal(Conference.Contracts.MeetingChange.Channel), (_, message) =>
        {
            if (JsonSerializer.Deserialize<Conference.Contracts.MeetingChange>(message.ToString()) is { What: Conference.Contracts.MeetingChangeKind.Lobby } change && change.Slug == slug)
            {
                lobbyChanges.Writer.TryWrite(change);
            }
        });
        var guest = fixture.Api.CreateClient();
        var asked = (await (await guest.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Closer" })).Content.ReadFromJsonAsync<JoinAnswer>())!;
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await lobbyChanges.Reader.ReadAsync(wait.Token); // the ask
        }
        Assert.Single((await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby")).EnumerateArray());
        var withdraw = $"/api/meetings/{slug}/lobby/{asked.LobbyRequestId}/withdraw";

        // Only the ticket's holder withdraws; without it the request id says nothing.
        var wrong = await guest.PostAsJsonAsync(withdraw, new { ticket = "not-the-ticket" });
        Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        Assert.Single((await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby")).EnumerateArray());

        Assert.Equal(HttpStatusCode.NoContent, (await guest.PostAsJsonAsync(withdraw, new { ticket = asked.LobbyTicket })).StatusCode);
        Assert.Empty((await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby")).EnumerateArray());
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(new Conference.Contracts.MeetingChange(slug, Conference.Contracts.MeetingChangeKind.Lobby), await lobbyChanges.Reader.ReadAsync(wait.Token));
        }
        // Gone: neither the host's admit nor the ticket finds it.
        Assert.Equal(HttpStatusCode.NotFound, (await host.PostAsync($"/api/meetings/{slug}/lobby/{asked.LobbyRequestId}/admit", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await guest.PostAsJsonAsync($"/api/meetings/{slug}/lobby/{asked.LobbyRequestId}", new { ticket = asked.LobbyTicket })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await guest.PostAsJsonAsync(withdraw, new { ticket = asked.LobbyTicket })).StatusCode);

        // Asking again (the page reloaded) is a new request the host sees.
        var again = (await (await guest.PostAsJsonAsync($"/api/meetings/{slug}/join",
            new { displayName = "Closer", participantKey = asked.ParticipantKey })).Content.ReadFromJsonAsync<JoinAnswer>())!;
        Assert.Equal("Closer", Assert.Single((await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby")).EnumerateArray()).GetProperty("displayName").GetString());

        // A denial stands: withdrawing after it changes nothing (204, the request no longer waits either way).
        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/lobby/{again.LobbyRequestId}/deny", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await guest.PostAsJsonAsync($"/api/meetings/{slug}/lobby/{again.LobbyRequestId}/withdraw", new { ticket = again.LobbyTicket })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.PostAsJsonAsync($"/api/meetings/{slug}/lobby/{again.LobbyRequestId}", new { ticket = again.LobbyTicket })).StatusCode);
    }

    [Fact]
    public async Task A_guest_who_asks_again_from_another_tab_waits_there_and_the_first_tab_is_told_why()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Lobby", settings = new { lobbyEnabled = true } });
        var browser = fixture.Api.CreateClient();
        var first = (await (await browser.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Tab One" })).Content.ReadFromJsonAsync<JoinAnswer>())!;
        // The same browser (its participant key) asks from a second tab.
        var second = (await (await browser.PostAsJsonAsync($"/api/meetings/{slug}/join",
            new { displayName = "Tab Two", participantKey = first.ParticipantKey })).Content.ReadFromJsonAsync<JoinAnswer>())!;

        var waiting = (await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby")).EnumerateArray().ToList();
        Assert.Equal("Tab Two", Assert.Single(waiting).GetProperty("displayName").GetString()); // one person, one Admit
        var firstTab = await browser.PostAsJsonAsync($"/api/meetings/{slug}/lobby/{first.LobbyRequestId}", new { ticket = first.LobbyTicket });
        Assert.Equal(HttpStatusCode.Conflict, firstTab.StatusCode);
        Assert.Equal("You asked to join again from another tab or window: you wait there now, not here.", (await firstTab.ReadProblemAsync()).Detail);
        Assert.Equal("waiting", (await PollAsync(browser, slug, second.LobbyRequestId!, second.LobbyTicket!)).Status);

        // A third ask replaces the second the same way; the first is gone by then, as any expired request.
        var third = (await (await browser.PostAsJsonAsync($"/api/meetings/{slug}/join",
            new { displayName = "Tab Three", participantKey = first.ParticipantKey })).Content.ReadFromJsonAsync<JoinAnswer>())!;
        Assert.Equal(HttpStatusCode.Conflict, (await browser.PostAsJsonAsync($"/api/meetings/{slug}/lobby/{second.LobbyRequestId}", new { ticket = second.LobbyTicket })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.PostAsJsonAsync($"/api/meetings/{slug}/lobby/{first.LobbyRequestId}", new { ticket = first.LobbyTicket })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/lobby/{third.LobbyRequestId}/admit", null)).StatusCode);
        Assert.Equal("joined", (await PollAsync(browser, slug, third.LobbyRequestId!, third.LobbyTicket!)).Status);
    }

    [Fact]
    public async Task A_guest_let_in_who_reloads_comes_straight_back_while_that_call_goes_on_and_asks_again_in_a_new_one()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Lobby", settings = new { lobbyEnabled = true } });
        var browser = fixture.Api.CreateClient();
        var asked = (await (await browser.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Rae" })).Content.ReadFromJsonAsync<JoinAnswer>())!;
        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/lobby/{asked.LobbyRequestId}/admit", null)).StatusCode);
        var rae = (await PollAsync(browser, slug, asked.LobbyRequestId!, asked.LobbyTicket!)).Join!;

        // In the call (LiveKit says so), then the page reloads: its pagehide leave, then the new join.
        var webhooks = fixture.Api.CreateClient();
        var now = DateTimeOffset.UtcNow;
        async Task PostAsync(string body) => (await fixture.PostWebhookAsync(webhooks, body)).EnsureSuccessStatusCode();
        await PostAsync(WebhookJson.RoomStarted(slug, now.AddMinutes(-10)));
        await PostAsync(WebhookJson.Participant("participant_joined", slug, rae.Identity, "Rae", now.AddMinutes(-9), now.AddMinutes(-9), sid: "PA_rae_1"));
        await PostAsync(WebhookJson.Participant("participant_left", slug, rae.Identity, "Rae", now.AddMinutes(-9), now, sid: "PA_rae_1"));
        var back = await JoinAsync(browser, slug, "Rae", asked.ParticipantKey);
        Assert.Equal(("joined", rae.Identity), (back.Status, back.Join!.Identity));
        Assert.Empty((await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby")).EnumerateArray());

        // Someone else's browser is not let in by Rae's return.
        var stranger = await fixture.Api.CreateClient().PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Rae" });
        Assert.Equal(HttpStatusCode.Accepted, stranger.StatusCode);

        // That call ends (the room closed): the next one asks again.
        await PostAsync(WebhookJson.RoomFinished(slug, now));
        var later = await browser.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Rae", participantKey = asked.ParticipantKey });
        Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);
    }

    [Fact]
    public async Task A_denied_guest_learns_it_on_the_next_poll()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Lobby", settings = new { lobbyEnabled = true } });
        var guest = fixture.Api.CreateClient();
        var answer = (await (await guest.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Mallory" })).Content.ReadFromJsonAsync<JoinAnswer>())!;
        var requestId = answer.LobbyRequestId!;

        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/deny", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.PostAsJsonAsync($"/api/meetings/{slug}/lobby/{requestId}", new { ticket = answer.LobbyTicket })).StatusCode);
        // Answered once. The same answer again (a second click, a second tab, a co-host agreeing) changes nothing and
        // is no error, and does not count as a second denial; the other answer is refused, naming who and why.
        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/deny", null)).StatusCode);
        var admit = await host.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/admit", null);
        Assert.Equal(HttpStatusCode.Conflict, admit.StatusCode);
        var problem = await admit.ReadProblemAsync();
        Assert.Equal("Already answered", problem.Title);
        Assert.Contains("Mallory was turned away already", problem.Detail);
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.PostAsJsonAsync($"/api/meetings/{slug}/lobby/{requestId}", new { ticket = answer.LobbyTicket })).StatusCode);
    }

    [Theory]
    [InlineData("{}", "displayName")]
    [InlineData("""{"displayName":""}""", "displayName")]
    [InlineData("""{"displayName":"   "}""", "displayName")]
    [InlineData("""{"displayName":"a\u0007b"}""", "displayName")]
    [InlineData("""{"displayName":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}""", "displayName")]
    [InlineData("""{"displayName":42}""", "displayName")]
    [InlineData("""{"displayName":"Ada""", "displayName")]
    [InlineData("not json", "body")]
    public async Task A_bad_join_body_is_a_400_problem_naming_the_field(string body, string field)
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var response = await fixture.Api.CreateClient().PostAsync($"/api/meetings/{slug}/join",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.ReadProblemAsync()).Errors.ContainsKey(field), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_hosts_participant_key_without_the_hosts_sign_in_is_a_new_guest_and_moderates_nothing()
    {
        // The key cookie outlives a sign-out: a newcomer signed out everywhere, then rejoined from the still-open call
        // page as the host and started a recording.
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var joined = await JoinAsync(host, slug, "Ada Host");
        Assert.Equal("Host", joined.Join!.Role);
        var key = joined.Join.ParticipantCredential;

        var signedOut = fixture.Api.CreateClient();
        var again = await JoinAsync(signedOut, slug, "Ada Host", key);
        Assert.Equal("Guest", again.Join!.Role);
        Assert.NotEqual(joined.Join.Identity, again.Join.Identity);
        signedOut.DefaultRequestHeaders.Add("X-Participant-Token", key);
        var lobby = await signedOut.GetAsync($"/api/meetings/{slug}/lobby");
        Assert.True(lobby.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{lobby.StatusCode}");

        // With the sign-in, the same key is the host as before.
        host.DefaultRequestHeaders.Add("X-Participant-Token", key);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync($"/api/meetings/{slug}/lobby")).StatusCode);
        Assert.Equal(joined.Join.Identity, (await JoinAsync(host, slug, "Ada Host", key)).Join!.Identity);
    }

    /// <summary>The identity a participant key stands for, as the lobby would see it (a join in a lobby-free copy is not possible; read it from the host's list).</summary>
    async Task<string?> JoinIdentityAsync(string slug, string key)
    {
        using var scope = fixture.Api.Services.CreateScope();
        var meetingId = await scope.ServiceProvider.GetRequiredService<Conference.Api.Data.ConferenceDbContext>().Meetings
            .Where(m => m.Slug == slug).Select(m => m.Id).SingleAsync();
        return scope.ServiceProvider.GetRequiredService<Conference.Api.Participants.ParticipantKeys>().Read(meetingId, key, signedInUserId: null);
    }

    internal static async Task<JoinAnswer> PollAsync(HttpClient client, string slug, string requestId, string ticket)
    {
        var response = await client.PostAsJsonAsync($"/api/meetings/{slug}/lobby/{requestId}", new { ticket });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JoinAnswer>())!;
    }

    internal static async Task<JoinAnswer> JoinAsync(HttpClient client, string slug, string displayName, string? participantKey = null)
    {
        var response = await client.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName, participantKey });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JoinAnswer>())!;
    }
}
