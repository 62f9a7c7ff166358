using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// What a host does to the call, seen from every browser in it: mute, remove, promote, lock, end; the lobby.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class ModerationJourneys(JourneyFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task A_host_mutes_promotes_locks_removes_and_ends_the_meeting_for_everyone()
    {
        var call = await Journey.MeetAsync(fixture, "Town hall", "Mo Host", "Ana Guest", "Ben Guest");
        var (host, ana, ben) = (call.Host, call.Guests[0], call.Guests[1]);
        await Journey.OpenPanelAsync(host, "toggle-people");

        // Mute: Ana's own page shows her microphone off, and so does everyone's tile of her.
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Mute Ana Guest" }).ClickAsync();
        await Assertions.Expect(ana.Page.GetByTestId("toggle-microphone")).ToHaveAttributeAsync("aria-pressed", "false");
        await Assertions.Expect(ana.Page.GetByTestId("call-notice")).ToContainTextAsync("Mo Host muted your microphone.");
        await Assertions.Expect(Journey.Tile(ben, "Ana Guest").GetByTestId("tile-muted")).ToBeVisibleAsync();

        // Promote: Ben's host controls appear on his page.
        Assert.Equal(0, await ben.Page.GetByTestId("toggle-recording").CountAsync());
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Make Ben Guest a co-host" }).ClickAsync();
        await Assertions.Expect(ben.Page.GetByTestId("toggle-recording")).ToBeVisibleAsync();
        await Journey.OpenPanelAsync(ben, "toggle-people");
        await Assertions.Expect(ben.Page.GetByRole(AriaRole.Group, new() { Name = "Meeting controls" })).ToBeVisibleAsync();
        await Assertions.Expect(ben.Page.GetByRole(AriaRole.Button, new() { Name = "Remove Ana Guest" })).ToBeVisibleAsync();

        // Lock: someone new is told the meeting is locked.
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Lock meeting" }).ClickAsync();
        await Assertions.Expect(host.Page.GetByRole(AriaRole.Button, new() { Name = "Unlock meeting" })).ToBeVisibleAsync();
        var latecomer = await fixture.NewPageAsync();
        await Journey.OpenAndJoinAsync(latecomer, call.Code, "Lee Late");
        await Assertions.Expect(latecomer.Page.GetByTestId("join-error")).ToContainTextAsync("locked");
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Unlock meeting" }).ClickAsync();
        await Assertions.Expect(host.Page.GetByRole(AriaRole.Button, new() { Name = "Lock meeting" })).ToBeVisibleAsync();

        // Remove: Ana is told why, and cannot come back, not even from a fresh page.
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Remove Ana Guest" }).ClickAsync();
        await host.Page.GetByTestId("confirm-remove").ClickAsync();
        var ended = ana.Page.GetByTestId("call-ended");
        await Assertions.Expect(ended).ToHaveAttributeAsync("data-end", "Removed");
        await Assertions.Expect(ended.GetByRole(AriaRole.Heading)).ToHaveTextAsync("A host removed you from the meeting.");
        await Assertions.Expect(ana.Page.GetByTestId("rejoin")).ToHaveCountAsync(0);
        await Assertions.Expect(Journey.Tile(host, "Ana Guest")).ToHaveCountAsync(0);
        // Her fresh page says so before any camera is set up (the lobby is off: she cannot ask again).
        await Conference.Tests.Web.WebJourney.GotoInteractiveAsync(ana.Page, $"m/{call.Code}");
        await Assertions.Expect(ana.Page.GetByTestId("meeting-removed").GetByRole(AriaRole.Heading))
            .ToHaveTextAsync("You were removed from this meeting", new() { Timeout = Journey.PageLoad });
        await Assertions.Expect(ana.Page.GetByLabel("Camera preview")).ToHaveCountAsync(0);

        // End for everyone: every page in the call says so.
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "End for everyone" }).ClickAsync();
        await host.Page.GetByTestId("confirm-end").ClickAsync();
        foreach (var person in new[] { host, ben })
        {
            await Assertions.Expect(person.Page.GetByTestId("call-ended")).ToHaveAttributeAsync("data-end", "MeetingEnded");
        }
        // The host reads that they did it, and may start the meeting again; the others read that a host did.
        await Assertions.Expect(host.Page.GetByTestId("call-ended").GetByRole(AriaRole.Heading)).ToHaveTextAsync("You ended the meeting for everyone.");
        await Assertions.Expect(host.Page.GetByTestId("restart-meeting")).ToBeVisibleAsync();
        await Assertions.Expect(ben.Page.GetByTestId("call-ended").GetByRole(AriaRole.Heading)).ToHaveTextAsync("The meeting has ended.");
        await Assertions.Expect(ben.Page.GetByTestId("restart-meeting")).ToHaveCountAsync(0);
        // Ending is not the end of the meeting: the host's new join starts a new call (its old token is refused, not its new one).
        await host.Page.GetByTestId("restart-meeting").ClickAsync();
        await Journey.ExpectConnectedAsync(host);
        // A guest's end screen follows the meeting as the host's does (it offered only Home): it has started again,
        // and Join takes Ben back into it.
        await Assertions.Expect(ben.Page.GetByTestId("call-ended").GetByRole(AriaRole.Heading)).ToHaveTextAsync("The meeting has started again.");
        await ben.Page.GetByTestId("join-again").ClickAsync();
        await Journey.ExpectConnectedAsync(ben);
        await Assertions.Expect(Journey.Tile(host, "Ben Guest")).ToBeVisibleAsync();
        foreach (var person in new[] { host, ben })
        {
            await person.ExpectNothingWrongAsync();
        }
    }

    [Fact]
    public async Task A_host_admits_one_guest_from_the_lobby_and_denies_another()
    {
        var host = await fixture.NewPageAsync();
        await Journey.SignUpAsync(host, "Lou Host");
        var code = await Journey.StartMeetingAsync(host, "Interviews", lobby: true);
        await Journey.JoinFromPreJoinAsync(host, "Lou Host");
        await Journey.ExpectConnectedAsync(host);

        var welcome = await fixture.NewPageAsync();
        await Journey.OpenAndJoinAsync(welcome, code, "Wes Welcome");
        await Assertions.Expect(welcome.Page.GetByTestId("lobby-waiting").GetByRole(AriaRole.Heading)).ToHaveTextAsync("Waiting to be let in");
        var unwelcome = await fixture.NewPageAsync();
        await Journey.OpenAndJoinAsync(unwelcome, code, "Una Unwelcome");
        await Assertions.Expect(unwelcome.Page.GetByTestId("lobby-waiting").GetByRole(AriaRole.Heading)).ToHaveTextAsync("Waiting to be let in");

        // The host's People button counts who waits, and a banner above the stage names them. Its buttons are
        // clicked as a person clicks (Playwright refuses a button something else covers: the meeting page's own
        // waiting-room card once sat under the full-screen call).
        await Assertions.Expect(host.Page.GetByTestId("toggle-people")).ToHaveAttributeAsync("aria-label", "People, 2 waiting");
        var banner = host.Page.GetByTestId("lobby-banner");
        await Assertions.Expect(banner.GetByRole(AriaRole.Heading)).ToHaveTextAsync("2 people are waiting to join");
        // One Admit and one Deny per person in the whole page, hidden ones counted: the meeting page's waiting-room
        // card stayed in the page under the call, hidden by a style, with a second pair that a script or a screen
        // reader's list of buttons could reach.
        Assert.Equal(["Admit Una Unwelcome", "Admit Wes Welcome", "Deny Una Unwelcome", "Deny Wes Welcome"], await host.Page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('button')]
              .map(b => b.getAttribute('aria-label') ?? b.textContent.trim())
              .filter(name => /^(Admit|Deny)\b/.test(name))
              .sort()
            """));
        await banner.GetByRole(AriaRole.Button, new() { Name = "Admit Wes Welcome" }).ClickAsync();
        await Assertions.Expect(banner.GetByRole(AriaRole.Heading)).ToHaveTextAsync("1 person is waiting to join");

        // At phone width too.
        await host.Page.SetViewportSizeAsync(390, 844);
        await banner.GetByRole(AriaRole.Button, new() { Name = "Deny Una Unwelcome" }).ClickAsync();
        await Assertions.Expect(banner).ToHaveCountAsync(0);

        await Journey.ExpectConnectedAsync(welcome);
        await Journey.ExpectVideoFramesFromAsync(host, "Wes Welcome");
        await Journey.ExpectVideoFramesFromAsync(welcome, "Lou Host");
        await Assertions.Expect(unwelcome.Page.GetByTestId("lobby-denied")).ToBeVisibleAsync();
        await Assertions.Expect(host.Page.GetByTestId("toggle-people")).ToHaveAttributeAsync("aria-label", "People");
        foreach (var person in new[] { host, welcome, unwelcome })
        {
            await person.ExpectNothingWrongAsync();
        }
    }
}
