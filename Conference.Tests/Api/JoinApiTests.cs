using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.LiveKit;

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
        var details = join.GetProperty("join");
        Assert.Equal("joined", join.GetProperty("status").GetString());
        Assert.Equal(ApiFixture.PublicLiveKitUrl, details.GetProperty("serverUrl").GetString());
        Assert.Equal(slug, details.GetProperty("roomName").GetString());
        Assert.StartsWith("ada-lovelace-", details.GetProperty("identity").GetString());
        Assert.Equal("Guest", details.GetProperty("role").GetString());
        Assert.InRange(details.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(11));

        var claims = fixture.LiveKitVerifier.Verify(details.GetProperty("token").GetString()!);
        Assert.Equal(details.GetProperty("identity").GetString(), claims.Identity);
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
    public async Task Every_join_gets_its_own_identity()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var anyone = fixture.Api.CreateClient();
        var first = (await JoinAsync(anyone, slug, "Sam")).GetProperty("join").GetProperty("identity").GetString();
        var second = (await JoinAsync(anyone, slug, "Sam")).GetProperty("join").GetProperty("identity").GetString();
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task The_host_gets_room_admin_for_this_room_and_nothing_server_wide()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var details = (await JoinAsync(host, slug, "Host")).GetProperty("join");
        Assert.Equal("Host", details.GetProperty("role").GetString());
        var grants = fixture.LiveKitVerifier.Verify(details.GetProperty("token").GetString()!).Video!;
        Assert.True(grants.RoomAdmin);
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
    public async Task An_ended_meeting_is_gone_and_a_full_one_is_a_conflict()
    {
        using var host = await fixture.SignedInHostAsync();
        var ended = await MeetingsApiTests.CreateAsync(host);
        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{ended}/end", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await fixture.Api.CreateClient().PostAsJsonAsync($"/api/meetings/{ended}/join", new { displayName = "Late" })).StatusCode);

        var small = await MeetingsApiTests.CreateAsync(host, new { title = "Small", settings = new { maxParticipants = 2 } });
        var webhooks = fixture.Api.CreateClient();
        var now = DateTimeOffset.UtcNow;
        foreach (var identity in new[] { "one-aaaaaa", "two-bbbbbb" })
        {
            (await fixture.PostWebhookAsync(webhooks, WebhookJson.Participant("participant_joined", small, identity, identity, now, now))).EnsureSuccessStatusCode();
        }
        var full = await fixture.Api.CreateClient().PostAsJsonAsync($"/api/meetings/{small}/join", new { displayName = "Third" });
        Assert.Equal(HttpStatusCode.Conflict, full.StatusCode);
        Assert.Contains("full", await full.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task With_the_lobby_on_a_guest_waits_until_the_host_admits_them()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Lobby", settings = new { lobbyEnabled = true } });
        var guest = fixture.Api.CreateClient();

        var asked = await guest.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Guest Gil" });
        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        var requestId = (await asked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("lobbyRequestId").GetString()!;
        Assert.Equal("waiting", (await guest.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby/{requestId}")).GetProperty("status").GetString());

        // A guest cannot see the lobby or let themselves in.
        Assert.Equal(HttpStatusCode.Unauthorized, (await guest.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/admit", null)).StatusCode);

        var waiting = await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby");
        Assert.Equal("Guest Gil", waiting.EnumerateArray().Single().GetProperty("displayName").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/admit", null)).StatusCode);

        // Another api instance answers the guest's next poll: the lobby is in Redis.
        var admitted = await fixture.CreateApi().CreateClient().GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby/{requestId}");
        Assert.Equal("joined", admitted.GetProperty("status").GetString());
        Assert.Equal(slug, fixture.LiveKitVerifier.Verify(admitted.GetProperty("join").GetProperty("token").GetString()!).Video!.Room);
        Assert.Empty((await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}/lobby")).EnumerateArray());
    }

    [Fact]
    public async Task A_denied_guest_learns_it_on_the_next_poll()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Lobby", settings = new { lobbyEnabled = true } });
        var guest = fixture.Api.CreateClient();
        var requestId = (await (await guest.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Mallory" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("lobbyRequestId").GetString()!;

        Assert.Equal(HttpStatusCode.NoContent, (await host.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/deny", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.GetAsync($"/api/meetings/{slug}/lobby/{requestId}")).StatusCode);
        // Answered once: a second answer finds nobody waiting.
        Assert.Equal(HttpStatusCode.NotFound, (await host.PostAsync($"/api/meetings/{slug}/lobby/{requestId}/admit", null)).StatusCode);
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
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    internal static async Task<JsonElement> JoinAsync(HttpClient client, string slug, string displayName)
    {
        var response = await client.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
