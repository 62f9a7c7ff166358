using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Conference.Tests.AppHost;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// The meeting model as people live it (issue 12): a link that outlives its calls, people who stay themselves across
/// reloads and reconnects, roles that follow the person and can be taken away, a recorder that is not a person, and a
/// lobby and removal that hold — in Chromium through the web app, with LiveKit's webhooks from the emulator, and the
/// api's answers read through the same front door.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class MeetingModelJourneys(JourneyFixture fixture) : BrowserTest(fixture)
{
    /// <summary>LiveKit's empty timeout (the fixture's) plus the webhook's trip to the api.</summary>
    static readonly TimeSpan RoomCloses = JourneyFixture.RoomTimeout + TimeSpan.FromSeconds(20);

    readonly SiteApi api = new(fixture.Site);

    [Fact]
    public async Task A_reload_keeps_the_person_and_their_role_and_the_link_starts_a_new_call_after_the_room_closes()
    {
        var call = await Journey.MeetAsync(fixture, "Standing meeting", "Ana Host", "Ben Guest");
        var (host, ben) = (call.Host, call.Guests[0]);
        var benIdentity = await SiteApi.IdentityOnTileAsync(host, "Ben Guest");
        var firstCall = await api.WaitForMeetingAsync(call.Code, m => Status(m) == "InProgress", RoomCloses);

        await MakeCoHostAsync(host, ben, "Ben Guest");

        // Ben reloads: the same person (identity) with the same role, and the host sees one Ben, not two.
        await ben.Page.ReloadAsync();
        await Journey.JoinFromPreJoinAsync(ben, "Ben Guest");
        await Journey.ExpectConnectedAsync(ben);
        Assert.Equal(benIdentity, await SiteApi.IdentityOnTileAsync(host, "Ben Guest"));
        Assert.Equal(benIdentity, await SiteApi.IdentityOnTileAsync(ben, "Ben Guest"));
        await Assertions.Expect(ben.Page.GetByTestId("toggle-recording")).ToBeVisibleAsync();
        await Journey.OpenPanelAsync(host, "toggle-people");
        await Assertions.Expect(PersonInList(host, "Ben Guest").Locator(".role")).ToHaveTextAsync("Co-host");

        // Everyone leaves; LiveKit closes the empty room: that call is over, the meeting is not.
        foreach (var person in call.Everyone)
        {
            await person.Page.GetByTestId("leave").ClickAsync();
            await Assertions.Expect(person.Page.GetByTestId("call-ended")).ToHaveAttributeAsync("data-end", "Left");
        }
        var idle = await api.WaitForMeetingAsync(call.Code, m => Status(m) == "Idle", RoomCloses);
        var lastCallEndedAt = idle["lastCallEndedAt"]!.GetValue<DateTimeOffset>();
        Assert.True(lastCallEndedAt > firstCall["inProgressSince"]!.GetValue<DateTimeOffset>(), idle.ToJsonString());

        // Ben opens the same link again: it works, as a new call, and he is still Ben and still a co-host.
        await Journey.OpenAndJoinAsync(ben, call.Code, "Ben Guest");
        await Journey.ExpectConnectedAsync(ben);
        var secondCall = await api.WaitForMeetingAsync(call.Code, m => Status(m) == "InProgress", RoomCloses);
        Assert.True(secondCall["inProgressSince"]!.GetValue<DateTimeOffset>() >= lastCallEndedAt, secondCall.ToJsonString());
        Assert.Equal(benIdentity, await SiteApi.IdentityOnTileAsync(ben, "Ben Guest"));
        await Assertions.Expect(ben.Page.GetByTestId("toggle-recording")).ToBeVisibleAsync();
        await ben.ExpectNothingWrongAsync();
        await host.ExpectNothingWrongAsync();
    }

    [Fact]
    public async Task After_a_network_cut_and_a_full_reconnect_a_co_host_is_still_present_and_still_co_host()
    {
        var call = await Journey.MeetAsync(fixture, "Flaky wifi", "Cy Host", "Dot Guest");
        var (host, dot) = (call.Host, call.Guests[0]);
        var dotIdentity = await SiteApi.IdentityOnTileAsync(host, "Dot Guest");
        await MakeCoHostAsync(host, dot, "Dot Guest");

        // Dot's network goes for three seconds and the media server forgets her, as a restarted node would: resuming
        // is refused, so livekit-client reconnects in full — a new connection (participant sid) of the same person.
        await fixture.DropSignalAsync(call.Code, dotIdentity, offline: TimeSpan.FromSeconds(3), forget: true);
        await Assertions.Expect(dot.Page.GetByTestId("call-room")).ToHaveAttributeAsync("data-state", "Reconnecting");
        await Journey.ExpectConnectedAsync(dot);

        // Still Dot, still a co-host (on her page and on the host's), media flowing both ways again.
        Assert.Equal(dotIdentity, await SiteApi.IdentityOnTileAsync(host, "Dot Guest"));
        await Assertions.Expect(Journey.Tile(dot, "Cy Host").Locator(".tile-name")).ToHaveTextAsync("Cy Host");
        await Assertions.Expect(dot.Page.GetByTestId("toggle-recording")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(PersonInList(host, "Dot Guest").Locator(".role")).ToHaveTextAsync("Co-host", new() { Timeout = 15_000 });
        await Journey.ExpectVideoFramesFromAsync(host, "Dot Guest");
        await Journey.ExpectVideoFramesFromAsync(dot, "Cy Host");

        // The api agrees: two people present, Dot once and as co-host.
        var key = await SiteApi.ParticipantKeyAsync(dot, call.Code);
        using var people = await api.SendAsync(HttpMethod.Get, $"api/meetings/{call.Code}/participants", participantKey: key);
        var list = (await SiteApi.ReadJsonAsync(people)).AsArray();
        var dotInCall = Assert.Single(list, p => p!["identity"]!.GetValue<string>() == dotIdentity);
        Assert.Equal("CoHost", dotInCall!["role"]!.GetValue<string>());
        Assert.Equal(2, list.Count);
        await host.ExpectNothingWrongAsync();
    }

    [Fact]
    public async Task While_a_two_person_meeting_is_recorded_the_second_person_still_gets_in()
    {
        var host = await fixture.NewPageAsync();
        var email = await Journey.SignUpAsync(host, "Eli Host");
        var code = await Journey.StartMeetingAsync(host, "Just us two");
        var bearer = await api.SignInAsync(email);
        using (var resize = await api.SendAsync(HttpMethod.Put, $"api/meetings/{code}/settings", new { maxParticipants = 2 }, bearer))
        {
            await SiteApi.ReadObjectAsync(resize, HttpStatusCode.OK);
        }
        await Journey.JoinFromPreJoinAsync(host, "Eli Host");
        await Journey.ExpectConnectedAsync(host);

        await host.Page.GetByTestId("toggle-recording").ClickAsync();
        await Assertions.Expect(host.Page.GetByTestId("recording-indicator")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await api.WaitForMeetingAsync(code, m => m["recording"]?.GetValue<bool>() == true, RoomCloses);

        // The recorder joined the room as a hidden EGRESS participant; it is not the second person.
        var guest = await fixture.NewPageAsync();
        await Journey.OpenAndJoinAsync(guest, code, "Fox Guest");
        await Journey.ExpectConnectedAsync(guest);
        await Assertions.Expect(guest.Page.GetByTestId("recording-indicator")).ToBeVisibleAsync();
        await Assertions.Expect(host.Page.Locator("[data-testid=tile]:not(.screen)")).ToHaveCountAsync(2);
        using (var people = await api.SendAsync(HttpMethod.Get, $"api/meetings/{code}/participants", bearer: bearer))
        {
            var names = (await SiteApi.ReadJsonAsync(people)).AsArray().Select(p => p!["name"]!.GetValue<string>()).Order();
            Assert.Equal(["Eli Host", "Fox Guest"], names);
        }

        // A third person is one too many: the meeting is full with two people, not with one and a recorder.
        var third = await fixture.NewPageAsync();
        await Journey.OpenAndJoinAsync(third, code, "Gia Third");
        await Assertions.Expect(third.Page.GetByTestId("join-error")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(third.Page.GetByTestId("call-room")).ToHaveCountAsync(0);

        await host.Page.GetByTestId("toggle-recording").ClickAsync();
        await Assertions.Expect(host.Page.GetByTestId("recording-indicator")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await host.ExpectNothingWrongAsync();
        await guest.ExpectNothingWrongAsync();
    }

    [Fact]
    public async Task A_removed_person_cannot_come_back_with_the_same_browser()
    {
        var call = await Journey.MeetAsync(fixture, "House rules", "Hal Host", "Ida Guest");
        var (host, ida) = (call.Host, call.Guests[0]);
        var key = await SiteApi.ParticipantKeyAsync(ida, call.Code);

        await Journey.OpenPanelAsync(host, "toggle-people");
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Remove Ida Guest" }).ClickAsync();
        await host.Page.GetByTestId("confirm-remove").ClickAsync();
        await Assertions.Expect(ida.Page.GetByTestId("call-ended")).ToHaveAttributeAsync("data-end", "Removed", new() { Timeout = 15_000 });
        await Assertions.Expect(Journey.Tile(host, "Ida Guest")).ToHaveCountAsync(0);

        // Ida opens the link again: her page says she was removed, offers no Join, and she never reaches the call;
        // the api refuses her key all the same.
        await Conference.Tests.Web.WebJourney.GotoInteractiveAsync(ida.Page, $"m/{call.Code}");
        await Assertions.Expect(ida.Page.GetByTestId("meeting-removed")).ToBeVisibleAsync(new() { Timeout = Journey.PageLoad });
        await Assertions.Expect(ida.Page.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true })).ToHaveCountAsync(0);
        await Assertions.Expect(ida.Page.GetByTestId("call-room")).ToHaveCountAsync(0);
        using var join = await api.SendAsync(HttpMethod.Post, $"api/meetings/{call.Code}/join", new { displayName = "Ida Guest", participantKey = key });
        Assert.Equal(HttpStatusCode.Forbidden, join.StatusCode);
        await Assertions.Expect(Journey.Tile(host, "Ida Guest")).ToHaveCountAsync(0);
        await host.ExpectNothingWrongAsync();
    }

    [Fact]
    public async Task An_admitted_lobby_ticket_turns_into_a_token_once()
    {
        var host = await fixture.NewPageAsync();
        var email = await Journey.SignUpAsync(host, "Jo Host");
        var code = await Journey.StartMeetingAsync(host, "Knock first", lobby: true);
        var bearer = await api.SignInAsync(email);

        // A guest asks to join (as the web does for them): the lobby answers with a request and a secret ticket.
        string requestId, ticket;
        using (var join = await api.SendAsync(HttpMethod.Post, $"api/meetings/{code}/join", new { displayName = "Kim Guest" }))
        {
            var asked = await SiteApi.ReadObjectAsync(join, HttpStatusCode.Accepted);
            (requestId, ticket) = (asked["lobbyRequestId"]!.GetValue<string>(), asked["lobbyTicket"]!.GetValue<string>());
        }

        // The host sees Kim waiting on the meeting's page and admits her.
        await Assertions.Expect(host.Page.GetByRole(AriaRole.Button, new() { Name = "Admit Kim Guest" })).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Admit Kim Guest" }).ClickAsync();
        // The click only sends the event over the circuit; the entry leaves the list once the api has admitted Kim.
        // Claiming before then rightly answers "waiting" (two fresh-clone runs did exactly that).
        await Assertions.Expect(host.Page.GetByRole(AriaRole.Button, new() { Name = "Admit Kim Guest" })).ToHaveCountAsync(0, new() { Timeout = 15_000 });

        // Only the ticket's holder can claim it (a wrong ticket learns nothing, not even that the request exists)...
        using (var wrong = await api.SendAsync(HttpMethod.Post, $"api/meetings/{code}/lobby/{requestId}", new { ticket = ticket + "x" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        }
        // ...it turns into a token once...
        using (var claim = await api.SendAsync(HttpMethod.Post, $"api/meetings/{code}/lobby/{requestId}", new { ticket }))
        {
            var joined = await SiteApi.ReadObjectAsync(claim, HttpStatusCode.OK);
            Assert.Equal("joined", joined["status"]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty(joined["join"]!["token"]!.GetValue<string>()));
        }
        // ...and then it is spent: shown again, it gets nothing.
        using (var reused = await api.SendAsync(HttpMethod.Post, $"api/meetings/{code}/lobby/{requestId}", new { ticket }))
        {
            Assert.Equal(HttpStatusCode.Gone, reused.StatusCode);
        }
        using (var lobby = await api.SendAsync(HttpMethod.Get, $"api/meetings/{code}/lobby", bearer: bearer))
        {
            Assert.Empty((await SiteApi.ReadJsonAsync(lobby)).AsArray());
        }
    }

    [Fact]
    public async Task A_co_host_demoted_while_away_comes_back_without_moderator_rights()
    {
        // The host signs up here (not through Journey.MeetAsync) to keep the account's email for the api.
        var host = await fixture.NewPageAsync();
        var hostEmail = await Journey.SignUpAsync(host, "Lou Host");
        var code = await Journey.StartMeetingAsync(host, "Rotating chair");
        await Journey.JoinFromPreJoinAsync(host, "Lou Host");
        await Journey.ExpectConnectedAsync(host);
        var mia = await fixture.NewPageAsync();
        await Journey.OpenAndJoinAsync(mia, code, "Mia Guest");
        await Journey.ExpectConnectedAsync(mia);
        var miaIdentity = await SiteApi.IdentityOnTileAsync(host, "Mia Guest");
        await MakeCoHostAsync(host, mia, "Mia Guest");
        var key = await SiteApi.ParticipantKeyAsync(mia, code);
        using (var asCoHost = await api.SendAsync(HttpMethod.Get, $"api/meetings/{code}/participants", participantKey: key))
        {
            Assert.Equal(HttpStatusCode.OK, asCoHost.StatusCode);
        }

        await mia.Page.GetByTestId("leave").ClickAsync();
        await Assertions.Expect(Journey.Tile(host, "Mia Guest")).ToHaveCountAsync(0, new() { Timeout = 15_000 });

        // Mia is away; the host makes her a guest again (a script of the host's: the page lists only who is here).
        var bearer = await api.SignInAsync(hostEmail);
        using (var demote = await api.SendAsync(HttpMethod.Put, $"api/meetings/{code}/participants/{miaIdentity}/role", new { role = "Guest" }, bearer))
        {
            Assert.True(demote.IsSuccessStatusCode, $"demote: {(int)demote.StatusCode} {await demote.Content.ReadAsStringAsync()}");
        }

        // Her key no longer moderates, and when she comes back the page gives her no moderator controls.
        using (var asGuest = await api.SendAsync(HttpMethod.Get, $"api/meetings/{code}/participants", participantKey: key))
        {
            Assert.Equal(HttpStatusCode.Forbidden, asGuest.StatusCode);
        }
        await Journey.OpenAndJoinAsync(mia, code, "Mia Guest");
        await Journey.ExpectConnectedAsync(mia);
        Assert.Equal(miaIdentity, await SiteApi.IdentityOnTileAsync(host, "Mia Guest"));
        await Assertions.Expect(mia.Page.GetByTestId("toggle-recording")).ToHaveCountAsync(0);
        await Journey.OpenPanelAsync(mia, "toggle-people");
        await Assertions.Expect(mia.Page.GetByRole(AriaRole.Group, new() { Name = "Meeting controls" })).ToHaveCountAsync(0);
        await Journey.OpenPanelAsync(host, "toggle-people");
        await Journey.ExplainedAsync(() => Assertions.Expect(host.Page.GetByRole(AriaRole.Button, new() { Name = "Make Mia Guest a co-host" })).ToBeVisibleAsync(), host, mia);
        await mia.ExpectNothingWrongAsync();
    }

    /// <summary>The host makes <paramref name="name"/> a co-host from the people panel; their page shows moderator controls.</summary>
    static async Task MakeCoHostAsync(WatchedPage host, WatchedPage person, string name)
    {
        await Journey.OpenPanelAsync(host, "toggle-people");
        await host.Page.GetByRole(AriaRole.Button, new() { Name = $"Make {name} a co-host" }).ClickAsync();
        // The role reaches the pages through LiveKit (UpdateParticipant, then a participant update to every client).
        await Assertions.Expect(PersonInList(host, name).Locator(".role")).ToHaveTextAsync("Co-host", new() { Timeout = 15_000 });
        await Journey.ExplainedAsync(() => Assertions.Expect(person.Page.GetByTestId("toggle-recording")).ToBeVisibleAsync(new() { Timeout = 15_000 }), host, person);
    }

    static ILocator PersonInList(WatchedPage viewer, string name) =>
        viewer.Page.GetByTestId("people-list").Locator("li").Filter(new() { Has = viewer.Page.Locator(".person-name", new() { HasTextRegex = new Regex($"^{Regex.Escape(name)}") }) });

    static string? Status(JsonObject meeting) => meeting["status"]?.GetValue<string>();

    public override async Task DisposeAsync()
    {
        api.Dispose();
        await base.DisposeAsync();
    }
}
