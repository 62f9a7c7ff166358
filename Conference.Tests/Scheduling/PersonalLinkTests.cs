using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Api.Scheduling;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Ical.Net;

namespace Conference.Tests.Scheduling;

/// <summary>
/// An invitee's personal link, taken from the mail a real SMTP server received: it names them, makes every join the
/// same identity, takes them past the lobby when the host chose so, works only for its meeting, and once revoked is
/// worth no more than the meeting's plain link.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PersonalLinkTests(ApiFixture fixture) : SchedulingTests
{
    static readonly DateTime Start = new(DateTime.UtcNow.Year + 1, 5, 10, 14, 0, 0);

    [Fact]
    public async Task The_link_names_the_invitee_skips_the_lobby_for_that_meeting_only_and_stops_when_revoked()
    {
        var site = await SchedulingSite.StartAsync(fixture, Smtp);
        var created = await site.Host.PostAsJsonAsync("/api/scheduled-meetings", new
        {
            title = "Interview",
            start = Start.ToString("yyyy-MM-ddTHH:mm"),
            timeZone = "America/New_York",
            durationMinutes = 60,
            inviteesSkipLobby = true,
            invitees = new[] { new { email = "bob@example.org", name = "Bob Builder" } },
        });
        var scheduled = (await created.Content.ReadFromJsonAsync<SchedulingApi.ScheduledMeetingResponse>(Json))!;
        (await site.Host.PutAsJsonAsync($"/api/meetings/{scheduled.Slug}/settings", new { lobbyEnabled = true })).EnsureSuccessStatusCode();
        var link = Calendar.Load(SchedulingSite.CalendarOf(Assert.Single(await Smtp.WaitForAsync(1)).Message).Text)!.Events.Single().Url!;
        var token = link.Query.Split("invite=")[1];

        var bob = site.Api.CreateClient();
        var redeemed = await bob.PostAsJsonAsync("/api/invitations/redeem", new { token });
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var invitation = (await redeemed.Content.ReadFromJsonAsync<InvitationsApi.InvitationResponse>(Json))!;
        Assert.Equal(scheduled.Slug, invitation.Slug);
        Assert.Equal("Interview", invitation.Title);
        Assert.Equal("Bob Builder", invitation.DisplayName);
        Assert.True(invitation.SkipsLobby);
        // What the invitee's page says about the invitation: who invites them, and when (the next occurrence, in UTC).
        Assert.Equal(scheduled.StartsAt, invitation.StartsAt);
        Assert.Equal(60, invitation.DurationMinutes);
        Assert.Equal("America/New_York", invitation.TimeZone);
        Assert.Equal("Ada Host", invitation.HostName);

        // Past the lobby, as the same person each time.
        var first = await JoinAsync(bob, scheduled.Slug, invitation.ParticipantKey);
        Assert.Equal("joined", first.GetProperty("status").GetString());
        var identity = first.GetProperty("join").GetProperty("identity").GetString();
        var again = await JoinAsync(bob, scheduled.Slug, invitation.ParticipantKey);
        Assert.Equal(identity, again.GetProperty("join").GetProperty("identity").GetString());
        // Anyone else with the meeting's link waits in the lobby.
        Assert.Equal("waiting", (await JoinAsync(site.Api.CreateClient(), scheduled.Slug, null)).GetProperty("status").GetString());

        // The key is this meeting's: in another meeting it is nobody in particular.
        var other = await site.Host.PostAsJsonAsync("/api/meetings", new { title = "Other", settings = new { lobbyEnabled = true } });
        var otherSlug = (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("slug").GetString()!;
        Assert.Equal("waiting", (await JoinAsync(bob, otherSlug, invitation.ParticipantKey)).GetProperty("status").GetString());

        // Revoked: the link is worth nothing, and the key it gave no longer skips the lobby.
        var inviteeId = scheduled.Invitees.Single().Id;
        Assert.Equal(HttpStatusCode.NoContent, (await site.Host.DeleteAsync($"/api/scheduled-meetings/{scheduled.Slug}/invitees/{inviteeId}/link")).StatusCode);
        var refused = await bob.PostAsJsonAsync("/api/invitations/redeem", new { token });
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Equal("waiting", (await JoinAsync(bob, scheduled.Slug, invitation.ParticipantKey)).GetProperty("status").GetString());
        Assert.True((await site.Host.GetFromJsonAsync<SchedulingApi.ScheduledMeetingResponse>($"/api/scheduled-meetings/{scheduled.Slug}", Json))!
            .Invitees.Single().LinkRevoked);

        // Made-up and missing tokens.
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsJsonAsync("/api/invitations/redeem", new { token = new string('A', 43) })).StatusCode);
        var missing = await bob.PostAsJsonAsync("/api/invitations/redeem", new { token = "" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("\"token\"", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    static async Task<JsonElement> JoinAsync(HttpClient client, string slug, string? participantKey)
    {
        var response = await client.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Bob Builder", participantKey });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }
}
