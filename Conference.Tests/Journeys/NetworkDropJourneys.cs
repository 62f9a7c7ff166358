using System.Text.RegularExpressions;
using Conference.Tests.AppHost;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// A person's network drops for a while in a call (a train tunnel, a phone between networks). The page's connection
/// to the web server (its Blazor circuit) drops with it, so what the page says must not wait for the circuit: the call
/// module marks the page itself (<c>data-call-media</c>) and the banner shows from that. Newcomer 21 went offline for
/// 20 s and the page said nothing at all, while livekit-client's log said it was reconnecting. And what happened in
/// the call while the circuit was away must show once it is back: the call module's every word to it was lost.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed partial class NetworkDropJourneys(JourneyFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task A_network_drop_says_the_call_is_reconnecting_and_the_call_comes_back_by_itself()
    {
        var call = await Journey.MeetAsync(fixture, "Train tunnel", "Tia Host", "Uma Guest");
        var (host, uma) = (call.Host, call.Guests[0]);
        var banner = uma.Page.GetByTestId("reconnecting");
        await Assertions.Expect(banner).ToBeHiddenAsync();

        await uma.Page.Context.SetOfflineAsync(true);
        // livekit-client notices when its pings go unanswered: the emulator's ping timeout is LiveKit's default, 15 s.
        await Assertions.Expect(banner).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(banner).ToHaveTextAsync("Connection lost — reconnecting the call…");

        await uma.Page.Context.SetOfflineAsync(false);
        await Assertions.Expect(banner).ToBeHiddenAsync(new() { Timeout = 45_000 });
        await ExpectVideoAfterTheDropAsync(call.Code, uma, "Tia Host");
        await ExpectVideoAfterTheDropAsync(call.Code, host, "Uma Guest");
        await host.ExpectNothingWrongAsync();
    }

    [Fact]
    public async Task A_page_cut_off_from_the_web_server_for_a_moment_shows_what_happened_in_the_call_meanwhile()
    {
        var call = await Journey.MeetAsync(fixture, "Lift shaft", "Wes Host", "Xia Guest", "Yan Guest");
        var (host, xia, yan) = (call.Host, call.Guests[0], call.Guests[1]);
        await Journey.SendChatAsync(host, "Before the blip");
        await Assertions.Expect(xia.Page.GetByTestId("chat-unread")).ToHaveTextAsync("1");

        // A blip on the way from Xia's page to the web server: the page's connection drops, and its reconnect is held
        // for a moment, while the call goes on in the browser. Blazor keeps the circuit meanwhile (3 minutes by
        // default; JourneyFixture.CircuitRetention here), so the page comes back to that same circuit.
        var holdReconnect = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await xia.Page.RouteAsync("**/_blazor/negotiate**", async route =>
        {
            await holdReconnect.Task;
            await route.ContinueAsync();
        });
        await xia.Page.EvaluateAsync("() => Blazor._internal.forceCloseConnection()");
        var circuitLost = xia.Page.Locator("#components-reconnect-modal");
        await Assertions.Expect(circuitLost).ToBeVisibleAsync();

        // Meanwhile the host raises a hand and writes, and Yan closes his tab. Xia's browser hears it all (Yan's sound
        // goes); her circuit nothing, since every word the call module says to it needs the connection that is down.
        await host.Page.GetByTestId("toggle-hand").ClickAsync();
        await host.Page.GetByLabel("Message", new() { Exact = true }).FillAsync("During the blip");
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await yan.Page.CloseAsync();
        await Journey.EventuallyAsync(xia, "Yan's microphone gone from the page", """
            async () => [...document.querySelectorAll('audio')].filter(a => a.srcObject && a.srcObject.getAudioTracks().length > 0).length === 1
            """);

        // The page is back on its circuit: it shows the call as it is now, not as it was before the blip.
        holdReconnect.SetResult();
        await Assertions.Expect(circuitLost).ToBeHiddenAsync();
        await Journey.ExplainedAsync(async () =>
        {
            await Assertions.Expect(xia.Page.Locator("[data-testid=tile]:not(.screen)")).ToHaveCountAsync(2);
            await Assertions.Expect(Journey.Tile(xia, "Wes Host").GetByRole(AriaRole.Img, new() { Name = "Hand raised" })).ToBeVisibleAsync();
            await Assertions.Expect(xia.Page.GetByTestId("chat-unread")).ToHaveTextAsync("2");
        }, xia);
        await Journey.OpenPanelAsync(xia, "toggle-chat");
        await Assertions.Expect(xia.Page.Locator("[data-testid=chat-log] li p")).ToHaveTextAsync(["Before the blip", "During the blip"]);
        await Journey.ExpectVideoFramesFromAsync(xia, "Wes Host");
        await host.ExpectNothingWrongAsync();
        // What Xia's page logged while it had no connection: Blazor's own words for the drop, and each thing the call
        // module said to the circuit meanwhile, refused by SignalR (the resync says it again).
        await xia.ExpectNothingWrongAsync(CircuitDown());
    }

    /// <summary>As <see cref="Journey.ExpectVideoFramesFromAsync"/>; a failure also says what the emulator's relay did (2 December: no frames after an ICE restart).</summary>
    async Task ExpectVideoAfterTheDropAsync(string code, WatchedPage viewer, string name)
    {
        try
        {
            await Journey.ExpectVideoFramesFromAsync(viewer, name);
        }
        catch (Xunit.Sdk.FailException stalled)
        {
            throw new Xunit.Sdk.XunitException($"{stalled.Message}{Environment.NewLine}The emulator's relay: {await fixture.MediaStoriesAsync(code)}", stalled);
        }
    }

    [GeneratedRegex(@"Connection disconnected with error|Cannot send data if the connection is not in the 'Connected' State")]
    private static partial Regex CircuitDown();
}
