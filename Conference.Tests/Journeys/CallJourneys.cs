using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// Real calls through the front door: people sign up, start a meeting, pass the pre-join page and meet — each in
/// their own Chromium profile with a fake camera and microphone, through Caddy, with media through the emulator.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class CallJourneys(JourneyFixture fixture)
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
    public async Task Layouts_pin_a_screen_share_on_stage_speaking_and_connection_quality_follow_the_call()
    {
        var call = await Journey.MeetAsync(fixture, "Stage check", "Sol Host", "Lia Guest", "Kai Guest");
        var (host, lia, kai) = (call.Host, call.Guests[0], call.Guests[1]);
        var stage = host.Page.Locator("section.stage");
        await Assertions.Expect(stage).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bgrid\b"));

        // Connection quality shows on every tile (the emulator always reports excellent).
        await Assertions.Expect(Journey.Tile(host, "Lia Guest").Locator(".quality")).ToHaveAttributeAsync("aria-label", "Connection excellent");

        // Speaking follows who talks: Kai mutes, so Kai's tile stops showing speech while Lia's still does.
        await kai.Page.GetByTestId("toggle-microphone").ClickAsync();
        await Assertions.Expect(kai.Page.GetByTestId("toggle-microphone")).ToHaveAttributeAsync("aria-pressed", "false");
        await Assertions.Expect(Journey.Tile(host, "Kai Guest").GetByTestId("tile-muted")).ToBeVisibleAsync();
        await Assertions.Expect(Journey.Tile(host, "Kai Guest")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bspeaking\b"));
        await Assertions.Expect(Journey.Tile(host, "Lia Guest")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bspeaking\b"));

        // Speaker layout: one tile on stage, the others in the strip.
        await host.Page.GetByTestId("toggle-layout").ClickAsync();
        await Assertions.Expect(stage).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bfocus\b"));
        await Assertions.Expect(host.Page.Locator(".stage-focus [data-testid=tile]")).ToHaveCountAsync(1);
        await Assertions.Expect(host.Page.Locator(".stage-strip [data-testid=tile]")).ToHaveCountAsync(2);

        // Pin: Kai (muted, not speaking) takes the stage and keeps it.
        await Journey.Tile(host, "Kai Guest").GetByRole(AriaRole.Button, new() { Name = "Pin Kai Guest" }).ClickAsync();
        await Assertions.Expect(host.Page.Locator(".stage-focus .tile-name")).ToHaveTextAsync("Kai Guest");
        await Journey.ExpectVideoFramesFromAsync(host, "Kai Guest");
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Unpin Kai Guest" }).ClickAsync();

        // Back to the grid; then Lia shares her screen and it takes everyone's stage.
        await host.Page.GetByTestId("toggle-layout").ClickAsync();
        await Assertions.Expect(stage).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bgrid\b"));
        await lia.Page.GetByTestId("toggle-screen").ClickAsync();
        await Assertions.Expect(lia.Page.GetByTestId("toggle-screen")).ToHaveAttributeAsync("aria-pressed", "true", new() { Timeout = Journey.MediaStart });
        foreach (var viewer in new[] { host, kai })
        {
            await Assertions.Expect(viewer.Page.Locator(".stage-focus [data-testid=tile].screen")).ToBeVisibleAsync();
            await viewer.Page.WaitForFunctionAsync("""
                async () => {
                    const v = document.querySelector('.stage-focus [data-video-source=screen_share] video');
                    if (!v || v.readyState < 2 || v.videoWidth === 0) return false;
                    const before = v.getVideoPlaybackQuality().totalVideoFrames;
                    await new Promise(r => setTimeout(r, 300));
                    return v.getVideoPlaybackQuality().totalVideoFrames > before;
                }
                """, null, new() { PollingInterval = 250 });
        }
        await Journey.SendChatAsync(host, "Can everyone see Lia's screen?");
        await Assertions.Expect(host.Page.GetByTestId("chat-log")).ToContainTextAsync("Can everyone see Lia's screen?");
        await JourneyFixture.ScreenshotAsync(host.Page, "call-screen-share-chat-desktop");

        // Lia stops sharing: the stage goes back to the grid.
        await lia.Page.GetByTestId("toggle-screen").ClickAsync();
        await Assertions.Expect(host.Page.Locator("[data-testid=tile].screen")).ToHaveCountAsync(0);
        await Assertions.Expect(stage).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bgrid\b"));
        foreach (var person in call.Everyone)
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
