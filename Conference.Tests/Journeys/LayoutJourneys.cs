using System.Text.RegularExpressions;
using Conference.Tests.AppHost;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>The stage of a three-person call: grid and speaker layouts, pin, a screen share, who is speaking.</summary>
[Collection(JourneyCollection.Name)]
public sealed class LayoutJourneys(JourneyFixture fixture) : BrowserTest(fixture)
{
    static readonly Regex Grid = new(@"\bgrid\b");
    static readonly Regex Focus = new(@"\bfocus\b");
    static readonly Regex Speaking = new(@"\bspeaking\b");

    /// <summary>
    /// At desktop width every grid tile keeps the cameras' 16:9 and lies within the stage (it had stretched over whole
    /// rows: two people side by side were tall tiles cropping their 16:9 video).
    /// </summary>
    static async Task ExpectGridTilesAt16By9Async(WatchedPage viewer)
    {
        var stage = await viewer.Page.Locator("section.stage").BoundingBoxAsync();
        Assert.NotNull(stage);
        var tiles = viewer.Page.Locator("section.stage [data-testid=tile]");
        Assert.Equal(3, await tiles.CountAsync());
        foreach (var tile in await tiles.AllAsync())
        {
            var box = await tile.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.InRange(box.Width / box.Height, 16.0 / 9 - 0.05, 16.0 / 9 + 0.05);
            Assert.InRange(box.Y, stage.Y - 1, stage.Y + stage.Height);
            Assert.InRange(box.Y + box.Height, stage.Y, stage.Y + stage.Height + 1);
        }
    }

    [Fact]
    public async Task Layouts_pin_a_screen_share_on_stage_speaking_and_connection_quality_follow_the_call()
    {
        var call = await Journey.MeetAsync(fixture, "Stage check", "Sol Host", "Lia Guest", "Kai Guest");
        var (host, lia, kai) = (call.Host, call.Guests[0], call.Guests[1]);
        var stage = host.Page.Locator("section.stage");
        await Assertions.Expect(stage).ToHaveClassAsync(Grid);

        // Connection quality shows on every tile (the emulator always reports excellent).
        await Assertions.Expect(Journey.Tile(host, "Lia Guest").Locator(".quality")).ToHaveAttributeAsync("aria-label", "Connection excellent");

        // Everyone's microphone is on as the host sees it. Joining publishes the microphone after the call connects,
        // so it may come later than the tile; a failed publish shows as a notice on that person's page, said here.
        await ExpectMicrophonesOnAsync(host, call);

        // Speaking follows who talks (Chromium's fake microphones beep): Kai mutes, so Kai's tile stops showing
        // speech while Lia's still does.
        await Assertions.Expect(Journey.Tile(host, "Lia Guest")).ToHaveClassAsync(Speaking);
        await kai.Page.GetByTestId("toggle-microphone").ClickAsync();
        await Assertions.Expect(kai.Page.GetByTestId("toggle-microphone")).ToHaveAttributeAsync("aria-pressed", "false");
        await Assertions.Expect(Journey.Tile(host, "Kai Guest").GetByTestId("tile-muted")).ToBeVisibleAsync();
        await Assertions.Expect(Journey.Tile(host, "Kai Guest")).Not.ToHaveClassAsync(Speaking);
        await Assertions.Expect(Journey.Tile(host, "Lia Guest")).ToHaveClassAsync(Speaking);

        // Speaker layout: one tile on stage, the others in the strip.
        await host.Page.GetByTestId("toggle-layout").ClickAsync();
        await Assertions.Expect(stage).ToHaveClassAsync(Focus);
        await Assertions.Expect(host.Page.Locator(".stage-focus [data-testid=tile]")).ToHaveCountAsync(1);
        await Assertions.Expect(host.Page.Locator(".stage-strip [data-testid=tile]")).ToHaveCountAsync(2);

        // Pin: Kai (muted, not speaking) takes the stage and keeps it.
        await Journey.Tile(host, "Kai Guest").GetByRole(AriaRole.Button, new() { Name = "Pin Kai Guest" }).ClickAsync();
        await Assertions.Expect(host.Page.Locator(".stage-focus .tile-name")).ToHaveTextAsync("Kai Guest");
        await Journey.ExpectVideoFramesFromAsync(host, "Kai Guest");
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Unpin Kai Guest" }).ClickAsync();

        // Back to the grid; then Lia shares her screen and it takes everyone's stage.
        await host.Page.GetByTestId("toggle-layout").ClickAsync();
        await Assertions.Expect(stage).ToHaveClassAsync(Grid);
        await ExpectGridTilesAt16By9Async(host);
        await lia.Page.GetByTestId("toggle-screen").ClickAsync();
        await Assertions.Expect(lia.Page.GetByTestId("toggle-screen")).ToHaveAttributeAsync("aria-pressed", "true", new() { Timeout = Journey.MediaStart });
        foreach (var viewer in new[] { host, kai })
        {
            await Assertions.Expect(viewer.Page.Locator(".stage-focus [data-testid=tile].screen")).ToBeVisibleAsync();
            await Journey.EventuallyAsync(viewer, "Lia's screen on stage decoding frames", """
                async () => {
                    const v = document.querySelector('.stage-focus [data-video-source=screen_share] video');
                    if (!v || v.readyState < 2 || v.videoWidth === 0) return false;
                    const before = v.getVideoPlaybackQuality().totalVideoFrames;
                    await new Promise(r => setTimeout(r, 300));
                    return v.getVideoPlaybackQuality().totalVideoFrames > before;
                }
                """);
        }
        await Journey.SendChatAsync(host, "Can everyone see Lia's screen?");
        await Assertions.Expect(host.Page.GetByTestId("chat-log")).ToContainTextAsync("Can everyone see Lia's screen?");
        await JourneyFixture.ScreenshotAsync(host.Page, "call-screen-share-chat-desktop");

        // Lia stops sharing: the stage goes back to the grid.
        await lia.Page.GetByTestId("toggle-screen").ClickAsync();
        await Assertions.Expect(host.Page.Locator("[data-testid=tile].screen")).ToHaveCountAsync(0);
        await Assertions.Expect(stage).ToHaveClassAsync(Grid);
        foreach (var person in call.Everyone)
        {
            await person.ExpectNothingWrongAsync();
        }
    }

    /// <summary>
    /// <paramref name="viewer"/> shows every microphone in the call on; if one is not, the failure says what each
    /// page shows (its microphone button, its notice), which tells a failed publish from a slow one.
    /// </summary>
    static async Task ExpectMicrophonesOnAsync(WatchedPage viewer, Call call)
    {
        try
        {
            await Assertions.Expect(viewer.Page.GetByTestId("tile-muted")).ToHaveCountAsync(0, new() { Timeout = Journey.MediaStart });
        }
        catch (PlaywrightException muted)
        {
            var pages = new List<string>();
            foreach (var person in call.Everyone)
            {
                pages.Add(await person.Page.EvaluateAsync<string>("""
                    () => `${[...document.querySelectorAll('[data-testid=tile]')].map(t => t.getAttribute('aria-label') + (t.querySelector('[data-testid=tile-muted]') ? ' (microphone off)' : '')).join(', ')}; `
                        + `microphone button pressed: ${document.querySelector('[data-testid=toggle-microphone]')?.getAttribute('aria-pressed')}; `
                        + `notice: ${document.querySelector('[data-testid=call-notice]')?.innerText ?? 'none'}`
                    """));
            }
            throw new PlaywrightException($"{muted.Message}\nThe pages:\n{string.Join("\n", pages)}", muted);
        }
    }
}
