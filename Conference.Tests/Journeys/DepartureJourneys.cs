using System.Diagnostics;
using Conference.Tests.AppHost;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Conference.Tests.Journeys;

/// <summary>
/// Someone's browser dies mid-call (a crash, the OOM killer): nothing says goodbye, so the others keep the tile until
/// LiveKit gives up on the connection — its ICE fails after 15 s of silence and the participant is closed 5 s later
/// with CONNECTION_TIMEOUT (see Emulator/DepartureTests for LiveKit's sources). The tile must go then, not linger.
/// A tab or window a person closes goes at once instead: livekit-client sends a LeaveRequest on pagehide.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class DepartureJourneys(JourneyFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    readonly SiteApi api = new(fixture.Site);

    [Fact]
    public async Task A_guest_whose_browser_is_killed_leaves_the_others_call_within_LiveKits_connection_timeout()
    {
        var host = await fixture.NewPageAsync();
        var hostEmail = await Journey.SignUpAsync(host, "Ida Host");
        var code = await Journey.StartMeetingAsync(host, "Flaky laptop");
        await Journey.JoinFromPreJoinAsync(host, "Ida Host");
        await Journey.ExpectConnectedAsync(host);

        await using var own = await SiteBrowser.LaunchOwnAsync(fixture.Site);
        var cal = await own.NewPageAsync();
        await Journey.OpenAndJoinAsync(cal, code, "Cal Guest");
        await Journey.ExpectConnectedAsync(cal);
        await Journey.ExpectVideoFramesFromAsync(host, "Cal Guest");
        var hostIdentity = await SiteApi.IdentityOnTileAsync(host, "Ida Host");

        var clock = Stopwatch.StartNew();
        own.Kill();
        await Assertions.Expect(Journey.Tile(host, "Cal Guest")).ToHaveCountAsync(0, new() { Timeout = 60_000 });
        var gone = clock.Elapsed;
        output.WriteLine($"Cal's tile left Ida's page {gone.TotalSeconds:0.0} s after his browser was killed");
        // LiveKit's window is 20–22 s (Emulator/DepartureTests holds the emulator to it): nothing may remove him
        // sooner. Above it this only bounds the page's own part — the participant_disconnected event and a render,
        // 0.5–3 s in the helper's runs as the machine got busier — far under the ~2 minutes a newcomer reported.
        Assert.InRange(gone, TimeSpan.FromSeconds(19), TimeSpan.FromSeconds(40));
        await Assertions.Expect(host.Page.Locator("[data-testid=tile]:not(.screen)")).ToHaveCountAsync(1);

        // The api's list of people in the call (LiveKit's ListParticipants) has only the host left.
        Assert.Equal([hostIdentity], await api.IdentitiesInCallAsync(code, hostEmail));
    }

    [Fact]
    public async Task A_guest_who_closes_the_tab_without_pressing_leave_is_gone_from_the_others_call_at_once()
    {
        var call = await Journey.MeetAsync(fixture, "Closing time", "Kim Host", "Lou Guest");
        var (host, lou) = (call.Host, call.Guests[0]);

        // The call module keeps livekit-client's disconnectOnPageLeave (default true): on pagehide it sends LiveKit a
        // LeaveRequest, so nobody waits for LiveKit's 20 s connection timeout.
        var clock = Stopwatch.StartNew();
        await lou.Page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });
        await Assertions.Expect(Journey.Tile(host, "Lou Guest")).ToHaveCountAsync(0, new() { Timeout = 60_000 });
        var gone = clock.Elapsed;
        output.WriteLine($"Lou's tile left Kim's page {gone.TotalSeconds:0.0} s after his tab was closed");
        Assert.True(gone < TimeSpan.FromSeconds(10), $"Lou's tile stayed {gone.TotalSeconds:0.0} s: as long as a browser that never said goodbye");
    }

    public override async Task DisposeAsync()
    {
        api.Dispose();
        await base.DisposeAsync();
    }
}
