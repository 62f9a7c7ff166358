using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Tests.Infrastructure;
using Conference.Tests.LiveKit;

namespace Conference.Tests.Api;

/// <summary>
/// Moderation reaches LiveKit (the emulator) while real participants (<see cref="LiveKitBot"/>) are in the room;
/// the tests read the result from LiveKit as a host would see it in the call.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ModerationApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task The_host_lists_participants_from_LiveKit_with_our_roles()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        await using var bot = await LiveKitBot.JoinAsync(fixture.LiveKit, slug, "alice");
        var now = DateTimeOffset.UtcNow;
        // Her webhook's metadata says co-host, but roles are ours: she never joined through the api, so she is a guest.
        (await fixture.PostWebhookAsync(fixture.Api.CreateClient(), WebhookJson.Participant("participant_joined", slug, "alice", "Alice", now, now, role: "CoHost"))).EnsureSuccessStatusCode();

        var participants = await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/participants");
        var alice = participants.EnumerateArray().Single();
        Assert.Equal("alice", alice.GetProperty("identity").GetString());
        Assert.Equal("Guest", alice.GetProperty("role").GetString());
        Assert.Equal(2, alice.GetProperty("tracks").GetArrayLength());
    }

    [Fact]
    public async Task Ending_the_call_for_everyone_ends_the_lobby_requests_made_before_it()
    {
        // A newcomer ended the call with a guest waiting: the guest's page said "ask to join again", the host's list
        // still showed them, and Admit let in nobody.
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Ghosts", settings = new { lobbyEnabled = true } });
        var rita = fixture.Api.CreateClient();
        var asked = await (await rita.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Rita Late" })).Content.ReadFromJsonAsync<JsonElement>();
        var requestId = asked.GetProperty("lobbyRequestId").GetString()!;
        Assert.Single((await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby")).EnumerateArray());

        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/end", null)).StatusCode);

        Assert.Empty((await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby")).EnumerateArray());
        var admit = await host.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/admit", null);
        Assert.Equal(HttpStatusCode.Gone, admit.StatusCode);
        Assert.Contains("asked before the call was ended", (await admit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        var ritasPage = await rita.PostAsJsonAsync($"/api/meetings/{slug}/lobby/{requestId}", new { ticket = asked.GetProperty("lobbyTicket").GetString() });
        Assert.Equal(HttpStatusCode.Gone, ritasPage.StatusCode);

        // Asking again after the end is a request like any other.
        var again = await (await rita.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Rita Late", participantKey = asked.GetProperty("participantKey").GetString() }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var waiting = Assert.Single((await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby")).EnumerateArray());
        Assert.Equal(again.GetProperty("lobbyRequestId").GetString(), waiting.GetProperty("requestId").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/lobby/{again.GetProperty("lobbyRequestId").GetString()}/admit", null)).StatusCode);
    }

    [Fact]
    public async Task Promoting_sends_the_whole_permission_set_and_the_role_and_lets_the_co_host_moderate()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Promote", settings = new { lobbyEnabled = true } });
        var guest = fixture.Api.CreateClient();
        // A guest joins (the lobby is for guests: the host admits them), LiveKit reports them in the room.
        var asked = await (await guest.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Gina" })).Content.ReadFromJsonAsync<JsonElement>();
        var requestId = asked.GetProperty("lobbyRequestId").GetString()!;
        (await host.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/admit", null)).EnsureSuccessStatusCode();
        var join = (await JoinApiTests.PollAsync(guest, slug, requestId, asked.GetProperty("lobbyTicket").GetString()!)).Join!;
        var identity = join.Identity;
        await using var gina = await LiveKitBot.JoinAsync(fixture.LiveKit, slug, identity);
        var now = DateTimeOffset.UtcNow;
        (await fixture.PostWebhookAsync(guest, WebhookJson.Participant("participant_joined", slug, identity, "Gina", now, now))).EnsureSuccessStatusCode();

        guest.DefaultRequestHeaders.Add("X-Participant-Token", join.ParticipantCredential);
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.GetAsync($"/api/meetings/{slug}/lobby")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await host.PutAsJsonAsync($"/api/meetings/{slug}/participants/{identity}/role", new { role = "CoHost" })).StatusCode);
        var promoted = (await fixture.ParticipantsInAsync(slug)).Single(p => p.Identity == identity);
        Assert.Contains("CoHost", promoted.Metadata);
        var permission = promoted.Permission!;
        Assert.True(permission.CanPublish);
        Assert.True(permission.CanSubscribe);
        Assert.True(permission.CanPublishData);
        Assert.Equal(4, permission.CanPublishSources!.Count);

        // Now a co-host: the same credential opens the lobby and can lock the meeting.
        Assert.Equal(HttpStatusCode.OK, (await guest.GetAsync($"/api/meetings/{slug}/lobby")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await guest.PutAsJsonAsync($"/api/meetings/{slug}/lock", new { locked = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Api.CreateClient().PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Too late" })).StatusCode);
    }

    [Fact]
    public async Task The_host_mutes_and_removes_and_LiveKit_is_asked_exactly_that()
    {
        using var host = await fixture.SignedInHostAsync(displayName: "Jo Host");
        var slug = await MeetingsApiTests.CreateAsync(host);
        // Alice's page learns who muted her from the api's meeting changes (LiveKit tells her browser only "muted").
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(fixture.RedisConnectionString);
        var mutes = System.Threading.Channels.Channel.CreateUnbounded<Conference.Contracts.MeetingChange>();
        await redis.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Literal(Conference.Contracts.MeetingChange.Channel), (_, message) =>
        {
            if (JsonSerializer.Deserialize<Conference.Contracts.MeetingChange>(message.ToString()) is { What: MeetingChangeKind.Muted } change && change.Slug == slug)
            {
                mutes.Writer.TryWrite(change);
            }
        });

        await using var alice = await LiveKitBot.JoinAsync(fixture.LiveKit, slug, "alice");
        var microphone = alice.Participant.Tracks.Single(t => t.Source == Conference.LiveKit.TrackSource.Microphone).Sid;

        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsJsonAsync($"/api/meetings/{slug}/participants/alice/mute", new { trackSid = microphone })).StatusCode);
        var muted = (await fixture.ParticipantsInAsync(slug)).Single(p => p.Identity == "alice").Tracks.Single(t => t.Sid == microphone);
        Assert.True(muted.Muted);
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(new Conference.Contracts.MeetingChange(slug, MeetingChangeKind.Muted, "alice", "Jo Host", microphone), await mutes.Reader.ReadAsync(wait.Token));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await host.DeleteAsync($"/api/meetings/{slug}/participants/alice")).StatusCode);
        Assert.DoesNotContain(await fixture.ParticipantsInAsync(slug), p => p.Identity == "alice");

        var missingTrack = await host.PostAsJsonAsync($"/api/meetings/{slug}/participants/alice/mute", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missingTrack.StatusCode);
    }

    [Fact]
    public async Task A_participant_LiveKit_does_not_know_is_404_and_LiveKit_down_is_503_never_500()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        await using var alice = await LiveKitBot.JoinAsync(fixture.LiveKit, slug, "alice");
        // LiveKit answers Twirp not_found; the host reads it in our words, whichever operation it was.
        foreach (var notThere in new[]
                 {
                     await host.DeleteAsync($"/api/meetings/{slug}/participants/ghost"),
                     await host.PostAsJsonAsync($"/api/meetings/{slug}/participants/ghost/mute", new { trackSid = "TR_none" }),
                     await host.PostAsJsonAsync($"/api/meetings/{slug}/participants/alice/mute", new { trackSid = "TR_none" }),
                 })
        {
            Assert.Equal(HttpStatusCode.NotFound, notThere.StatusCode);
            var detail = (await notThere.ReadProblemAsync()).Detail!;
            Assert.Contains("is in this meeting's call", detail);
            Assert.DoesNotContain("LiveKit", detail);
            Assert.DoesNotContain("does not exist", detail);
            Assert.DoesNotContain("not_found", detail);
        }
        Assert.Equal("No one with the identity 'ghost' is in this meeting's call.",
            (await (await host.DeleteAsync($"/api/meetings/{slug}/participants/ghost")).ReadProblemAsync()).Detail);
        // What the caller sent is repeated, not echoed at any length.
        var longIdentity = new string('x', 3000);
        Assert.Equal($"No one with the identity '{new string('x', 64)}…' is in this meeting's call.",
            (await (await host.DeleteAsync($"/api/meetings/{slug}/participants/{longIdentity}")).ReadProblemAsync()).Detail);

        // LiveKit failing is something the emulator does not do on request: a server that answers Twirp's
        // "internal" (the fault stand-in, TwirpCaptureServer), and one that is not running at all.
        await using var failing = await TwirpCaptureServer.StartAsync();
        failing.Respond = _ => (500, "application/json", """{"code":"internal","msg":"boom"}""");
        foreach (var liveKitUrl in new[] { failing.Url.ToString(), $"http://127.0.0.1:{LocalMachine.FreePort()}/" })
        {
            var api = fixture.CreateApi(new Dictionary<string, string?> { ["LiveKit:Url"] = liveKitUrl });
            using var sameHost = api.CreateClient();
            sameHost.DefaultRequestHeaders.Authorization = host.DefaultRequestHeaders.Authorization;
            var down = await sameHost.DeleteAsync($"/api/meetings/{slug}/participants/alice");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.DoesNotContain("boom", (await down.ReadProblemAsync()).Detail);
            Assert.Equal(TimeSpan.FromSeconds(5), down.Headers.RetryAfter?.Delta);
        }
        Assert.Contains(await fixture.ParticipantsInAsync(slug), p => p.Identity == "alice");
    }

    [Fact]
    public async Task Ending_the_call_deletes_the_room_and_the_link_still_works()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        await using var alice = await LiveKitBot.JoinAsync(fixture.LiveKit, slug, "alice");
        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/end", null)).StatusCode);
        Assert.False(await fixture.RoomIsOpenAsync(slug));
        // Ending a call nobody is in (LiveKit has no such room) is fine too.
        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/end", null)).StatusCode);
        await JoinApiTests.JoinAsync(fixture.Api.CreateClient(), slug, "Next call");
    }

    [Fact]
    public async Task Strangers_and_anonymous_callers_cannot_moderate()
    {
        using var host = await fixture.SignedInHostAsync();
        using var stranger = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsync($"/api/meetings/{slug}/end", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Api.CreateClient().PostAsync($"/api/meetings/{slug}/end", null)).StatusCode);

        var forged = fixture.Api.CreateClient();
        forged.DefaultRequestHeaders.Add("X-Participant-Token", new Conference.LiveKit.AccessToken(ApiFixture.LiveKitApiKey, new string('f', 40)).WithIdentity("x").ToJwt());
        // A key that is not ours names nobody.
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.PostAsync($"/api/meetings/{slug}/end", null)).StatusCode);
    }
}
