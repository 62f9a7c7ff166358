using Conference.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Conference.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class MeetingsApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_host_creates_a_meeting_with_a_readable_slug_and_anyone_can_read_it()
    {
        using var host = await fixture.SignedInHostAsync(displayName: "Ada");
        var created = await host.PostAsJsonAsync("/api/meetings", new { title = "Weekly sync", settings = new { lobbyEnabled = true, maxParticipants = 8 } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var meeting = await created.Content.ReadFromJsonAsync<JsonElement>();
        var slug = meeting.GetProperty("slug").GetString()!;
        Assert.Matches("^[a-z]{3}-[a-z]{4}-[a-z]{3}$", slug);
        Assert.Equal($"/api/meetings/{slug}", created.Headers.Location!.ToString());

        var anyone = fixture.Api.CreateClient();
        var read = await anyone.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}");
        Assert.Equal("Weekly sync", read.GetProperty("title").GetString());
        Assert.Equal("Ada", read.GetProperty("hostName").GetString());
        Assert.True(read.GetProperty("settings").GetProperty("lobbyEnabled").GetBoolean());
        Assert.Equal(8, read.GetProperty("settings").GetProperty("maxParticipants").GetInt32());
    }

    [Fact]
    public async Task My_meetings_are_mine_only_newest_first_and_paged()
    {
        using var host = await fixture.SignedInHostAsync();
        using var other = await fixture.SignedInHostAsync();
        for (var i = 1; i <= 3; i++)
        {
            (await host.PostAsJsonAsync("/api/meetings", new { title = $"Mine {i}" })).EnsureSuccessStatusCode();
        }
        (await other.PostAsJsonAsync("/api/meetings", new { title = "Not mine" })).EnsureSuccessStatusCode();

        var page = await host.GetFromJsonAsync<JsonElement>("/api/meetings?page=1&pageSize=2");
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(["Mine 3", "Mine 2"], page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task Only_the_host_changes_or_deletes_a_meeting()
    {
        using var host = await fixture.SignedInHostAsync();
        using var stranger = await fixture.SignedInHostAsync();
        var slug = await CreateAsync(host);

        // The meeting says whom it answers: the settings page shows its form to the host only.
        Assert.True((await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}")).GetProperty("callerIsHost").GetBoolean());
        Assert.False((await stranger.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}")).GetProperty("callerIsHost").GetBoolean());
        Assert.False((await fixture.Api.CreateClient().GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}")).GetProperty("callerIsHost").GetBoolean());

        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PutAsJsonAsync($"/api/meetings/{slug}/settings", new { locked = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.DeleteAsync($"/api/meetings/{slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Api.CreateClient().DeleteAsync($"/api/meetings/{slug}")).StatusCode);

        var updated = await host.PutAsJsonAsync($"/api/meetings/{slug}/settings", new { locked = true, recordingAccess = "Participants" });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var settings = (await updated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("settings");
        Assert.True(settings.GetProperty("locked").GetBoolean());
        Assert.Equal("Participants", settings.GetProperty("recordingAccess").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await host.DeleteAsync($"/api/meetings/{slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.GetAsync($"/api/meetings/{slug}")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_meeting_is_404_problem_and_a_malformed_code_is_400_naming_the_slug()
    {
        var anyone = fixture.Api.CreateClient();
        var missing = await anyone.GetAsync("/api/meetings/zzz-zzzz-zzz");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        var malformed = await anyone.GetAsync("/api/meetings/DROP%20TABLE");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(["A meeting code looks like abc-defg-hij."], (await malformed.ReadProblemAsync()).Errors["slug"]);

        // The web takes a code in any case; the api's addresses are lower case and say so (a newcomer's curl).
        var capitals = await anyone.GetAsync("/api/meetings/ZZZ-ZZZZ-ZZZ");
        Assert.Equal(HttpStatusCode.BadRequest, capitals.StatusCode);
        Assert.Equal(["Meeting codes are lower case here: zzz-zzzz-zzz."], (await capitals.ReadProblemAsync()).Errors["slug"]);
    }

    internal static async Task<string> CreateAsync(HttpClient host, object? body = null)
    {
        var created = await host.PostAsJsonAsync("/api/meetings", body ?? new { title = "A meeting" });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("slug").GetString()!;
    }
}
