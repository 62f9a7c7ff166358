using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Tests.LiveKit;

namespace Conference.Tests.Api;

/// <summary>Moderation reaches LiveKit through the Twirp stand-in; the tests read what LiveKit would have been asked.</summary>
[Collection(ApiCollection.Name)]
public sealed class ModerationApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task The_host_lists_participants_from_LiveKit_with_our_roles()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var now = DateTimeOffset.UtcNow;
        // The stand-in's sample participant is "alice"; her token's metadata says co-host, but roles are ours: she
        // never joined through the api, so she is a guest.
        (await fixture.PostWebhookAsync(fixture.Api.CreateClient(), WebhookJson.Participant("participant_joined", slug, "alice", "Alice", now, now, role: "CoHost"))).EnsureSuccessStatusCode();

        var participants = await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/participants");
        var alice = participants.EnumerateArray().Single();
        Assert.Equal("alice", alice.GetProperty("identity").GetString());
        Assert.Equal("Guest", alice.GetProperty("role").GetString());

        var call = LastCall("ListParticipants");
        Assert.Equal(slug, JsonDocument.Parse(call.Body).RootElement.GetProperty("room").GetString());
        var grants = fixture.LiveKitVerifier.Verify(call.BearerToken).Video!;
        Assert.True(grants.RoomAdmin);
        Assert.Equal(slug, grants.Room);
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
        var join = (await JoinApiTests.PollAsync(guest, slug, requestId, asked.GetProperty("lobbyTicket").GetString()!)).GetProperty("join");
        var identity = join.GetProperty("identity").GetString()!;
        var now = DateTimeOffset.UtcNow;
        (await fixture.PostWebhookAsync(guest, WebhookJson.Participant("participant_joined", slug, identity, "Gina", now, now))).EnsureSuccessStatusCode();

        guest.DefaultRequestHeaders.Add("X-Participant-Token", join.GetProperty("participantCredential").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.GetAsync($"/api/meetings/{slug}/lobby")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await host.PutAsJsonAsync($"/api/meetings/{slug}/participants/{identity}/role", new { role = "CoHost" })).StatusCode);
        var update = JsonDocument.Parse(LastCall("UpdateParticipant").Body).RootElement;
        Assert.Equal(identity, update.GetProperty("identity").GetString());
        Assert.Contains("CoHost", update.GetProperty("metadata").GetString());
        var permission = update.GetProperty("permission");
        Assert.True(permission.GetProperty("can_publish").GetBoolean());
        Assert.True(permission.GetProperty("can_subscribe").GetBoolean());
        Assert.True(permission.GetProperty("can_publish_data").GetBoolean());
        Assert.Equal(4, permission.GetProperty("can_publish_sources").GetArrayLength());

        // Now a co-host: the same credential opens the lobby and can lock the meeting.
        Assert.Equal(HttpStatusCode.OK, (await guest.GetAsync($"/api/meetings/{slug}/lobby")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await guest.PutAsJsonAsync($"/api/meetings/{slug}/lock", new { locked = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Api.CreateClient().PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Too late" })).StatusCode);
    }

    [Fact]
    public async Task The_host_mutes_and_removes_and_LiveKit_is_asked_exactly_that()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);

        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsJsonAsync($"/api/meetings/{slug}/participants/alice/mute", new { trackSid = "TR_1" })).StatusCode);
        var mute = JsonDocument.Parse(LastCall("MutePublishedTrack").Body).RootElement;
        Assert.Equal((slug, "alice", "TR_1", true), (mute.GetProperty("room").GetString(), mute.GetProperty("identity").GetString(), mute.GetProperty("track_sid").GetString(), mute.GetProperty("muted").GetBoolean()));

        Assert.Equal(HttpStatusCode.NoContent, (await host.DeleteAsync($"/api/meetings/{slug}/participants/alice")).StatusCode);
        Assert.Equal("alice", JsonDocument.Parse(LastCall("RemoveParticipant").Body).RootElement.GetProperty("identity").GetString());

        var missingTrack = await host.PostAsJsonAsync($"/api/meetings/{slug}/participants/alice/mute", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missingTrack.StatusCode);
    }

    [Fact]
    public async Task A_participant_LiveKit_does_not_know_is_404_and_LiveKit_down_is_503_never_500()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var original = fixture.LiveKit.Respond;
        try
        {
            fixture.LiveKit.Respond = _ => (404, "application/json", """{"code":"not_found","msg":"participant does not exist"}""");
            Assert.Equal(HttpStatusCode.NotFound, (await host.DeleteAsync($"/api/meetings/{slug}/participants/ghost")).StatusCode);

            fixture.LiveKit.Respond = _ => (500, "application/json", """{"code":"internal","msg":"boom"}""");
            var down = await host.DeleteAsync($"/api/meetings/{slug}/participants/ghost");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), down.Headers.RetryAfter?.Delta);
        }
        finally
        {
            fixture.LiveKit.Respond = original;
        }
    }

    [Fact]
    public async Task Ending_the_call_deletes_the_room_and_the_link_still_works()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/end", null)).StatusCode);
        var delete = LastCall("DeleteRoom");
        Assert.Equal(slug, JsonDocument.Parse(delete.Body).RootElement.GetProperty("room").GetString());
        Assert.True(fixture.LiveKitVerifier.Verify(delete.BearerToken).Video!.RoomCreate);
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

    CapturedRequest LastCall(string method) => fixture.LiveKit.Requests.Last(r => r.Method == method);
}
