using Conference.Tests.AppHost;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// A person's network drops for a while in a call (a train tunnel, a phone between networks). The page's connection
/// to the web server (its Blazor circuit) drops with it, so what the page says must not wait for the circuit: the call
/// module marks the page itself (<c>data-call-media</c>) and the banner shows from that. Newcomer 21 went offline for
/// 20 s and the page said nothing at all, while livekit-client's log said it was reconnecting.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class NetworkDropJourneys(JourneyFixture fixture) : BrowserTest(fixture)
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
        await Journey.ExpectVideoFramesFromAsync(uma, "Tia Host");
        await Journey.ExpectVideoFramesFromAsync(host, "Uma Guest");
        await host.ExpectNothingWrongAsync();
    }
}
