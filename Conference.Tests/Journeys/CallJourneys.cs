using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// Real calls through the front door: people sign up, start a meeting, pass the pre-join page and meet — each in
/// their own Chromium profile with a fake camera and microphone, through Caddy, with media through the emulator.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class CallJourneys(JourneyFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task Two_then_three_people_meet_and_each_sees_and_hears_the_others()
    {
        var host = await fixture.NewPageAsync();
        await Journey.SignUpAsync(host, "Hana Host");
        var code = await Journey.StartMeetingAsync(host, "Weekly sync");
        await Journey.JoinFromPreJoinAsync(host, "Hana Host");
        await Journey.ExpectConnectedAsync(host);

        var guest = await fixture.NewPageAsync();
        await Journey.OpenAndJoinAsync(guest, code, "Gus Guest");
        await Journey.ExpectConnectedAsync(guest);

        await Journey.ExpectVideoFramesFromAsync(host, "Gus Guest");
        await Journey.ExpectVideoFramesFromAsync(guest, "Hana Host");
        await Journey.ExpectAudioFromOthersAsync(host, 1);
        await Journey.ExpectAudioFromOthersAsync(guest, 1);

        var third = await fixture.NewPageAsync();
        await Journey.OpenAndJoinAsync(third, code, "Tia Third");
        await Journey.ExpectConnectedAsync(third);
        foreach (var (viewer, others) in new[]
                 {
                     (host, new[] { "Gus Guest", "Tia Third" }),
                     (guest, new[] { "Hana Host", "Tia Third" }),
                     (third, new[] { "Hana Host", "Gus Guest" }),
                 })
        {
            foreach (var other in others)
            {
                await Journey.ExpectVideoFramesFromAsync(viewer, other);
            }
            await Journey.ExpectAudioFromOthersAsync(viewer, 2);
            await Assertions.Expect(viewer.Page.Locator("[data-testid=tile]")).ToHaveCountAsync(3);
        }
        await JourneyFixture.ScreenshotAsync(host.Page, "call-grid-desktop");

        foreach (var person in new[] { host, guest, third })
        {
            await person.ExpectNothingWrongAsync();
        }
    }

    [Fact]
    public async Task Chat_in_order_with_an_unread_badge_and_safe_links_a_raised_hand_and_reactions_reach_the_others()
    {
        var call = await Journey.MeetAsync(fixture, "Chatty", "Cam Host", "Dee Guest");
        var (host, dee) = (call.Host, call.Guests[0]);

        await Journey.SendChatAsync(host, "first");
        await Journey.SendChatAsync(host, "second, see https://example.org/agenda");
        await Journey.SendChatAsync(host, "javascript:alert(1) is not a link");

        // Dee has the chat closed: a badge counts what she has not read.
        await Assertions.Expect(dee.Page.GetByTestId("chat-unread")).ToHaveTextAsync("3");
        await Assertions.Expect(dee.Page.GetByTestId("toggle-chat")).ToHaveAttributeAsync("aria-label", "Chat, 3 unread");
        await Journey.OpenPanelAsync(dee, "toggle-chat");
        await Assertions.Expect(dee.Page.GetByTestId("chat-unread")).ToHaveCountAsync(0);
        var messages = dee.Page.Locator("[data-testid=chat-log] li p");
        await Assertions.Expect(messages).ToHaveTextAsync(["first", "second, see https://example.org/agenda", "javascript:alert(1) is not a link"]);
        await Assertions.Expect(dee.Page.Locator("[data-testid=chat-log] li .from").First).ToHaveTextAsync("Cam Host");
        var links = dee.Page.Locator("[data-testid=chat-log] a");
        await Assertions.Expect(links).ToHaveCountAsync(1);
        await Assertions.Expect(links).ToHaveAttributeAsync("href", "https://example.org/agenda");
        await Assertions.Expect(links).ToHaveAttributeAsync("rel", "noopener noreferrer nofollow");
        await Assertions.Expect(links).ToHaveAttributeAsync("target", "_blank");

        // The longest message anyone may send (TextLimits.ChatMessage, in UTF-16 units as .NET and JavaScript count
        // them), with letters of two and four bytes, reaches the others whole: a newcomer once saw a long one vanish.
        var longest = string.Concat(Enumerable.Repeat("Ünïcödé 🎉 ", 181)) + new string('x', 9);
        Assert.Equal(Conference.Contracts.TextLimits.ChatMessage, longest.Length);
        await Journey.SendChatAsync(dee, longest);
        await Assertions.Expect(host.Page.Locator("[data-testid=chat-log] li p").Last).ToHaveTextAsync(longest);

        // Dee raises her hand: the host sees it on her tile; she lowers it and it goes.
        await dee.Page.GetByTestId("toggle-hand").ClickAsync();
        await Assertions.Expect(Journey.Tile(host, "Dee Guest").GetByRole(AriaRole.Img, new() { Name = "Hand raised" })).ToBeVisibleAsync();
        await dee.Page.GetByTestId("toggle-hand").ClickAsync();
        await Assertions.Expect(Journey.Tile(host, "Dee Guest").GetByRole(AriaRole.Img, new() { Name = "Hand raised" })).ToHaveCountAsync(0);

        // A reaction floats over the host's stage with who sent it.
        await dee.Page.GetByLabel("Send a reaction").ClickAsync();
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "React 🎉" }).ClickAsync();
        await Assertions.Expect(host.Page.GetByTestId("reactions").Locator("li")).ToContainTextAsync("🎉 Dee Guest");
        foreach (var person in call.Everyone)
        {
            await person.ExpectNothingWrongAsync();
        }
    }
}
