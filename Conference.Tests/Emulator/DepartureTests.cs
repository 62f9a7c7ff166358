using System.Diagnostics;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Conference.Tests.Emulator;

/// <summary>
/// Someone leaves without pressing Leave: how long the others keep their tile and what LiveKit reports.
/// <list type="bullet">
/// <item>A closed page: livekit-client (Room.onPageLeave, on <c>pagehide</c> and <c>beforeunload</c>, as long as
/// <c>disconnectOnPageLeave</c> stays at its default, true) sends a LeaveRequest, so LiveKit closes the participant at
/// once with CLIENT_INITIATED.</item>
/// <item>A killed browser (or one Playwright closes) sends nothing: its signal socket ends (the kernel closes it)
/// while its peer connection just goes silent. LiveKit keeps a participant whose ICE has connected when its signal closes
/// (ParticipantImpl.HandleSignalSourceClose), pion's ICE calls the connection disconnected after 10 s without a packet
/// and failed 5 s later (transport.go: iceDisconnectedTimeout, iceFailedTimeout), and the participant is closed 5 s
/// after that (ParticipantImpl.onAnyTransportFailed → setupDisconnectTimer: disconnectCleanupDuration) with
/// CONNECTION_TIMEOUT (ParticipantCloseReasonPeerConnectionDisconnected): 20–22 s after the browser died.</item>
/// </list>
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class DepartureTests(LiveKitEmulator emulator, CallBrowser browser, ITestOutputHelper output) : CallBrowserTest(browser)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_page_closed_without_pressing_leave_is_gone_for_the_others_at_once(bool runBeforeUnload)
    {
        var room = $"closed-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada");
        var bob = await Browser.JoinAsync(emulator, room, "bob");
        await ada.WaitForVideoAsync("bob");

        var clock = Stopwatch.StartNew();
        await bob.Page.CloseAsync(new PageCloseOptions { RunBeforeUnload = runBeforeUnload });
        var (seen, left) = await DepartureAsync(ada, bob, clock);

        Assert.Equal("CLIENT_INITIATED", left.Json["participant"]?["disconnectReason"]?.GetValue<string>());
        Assert.True(seen < TimeSpan.FromSeconds(5), $"ada still saw bob {seen} after his page closed");
        await ada.LeaveAsync();
        await ada.CloseAsync();
        await bob.CloseAsync();
    }

    /// <summary>
    /// A Chromium killed (SIGKILL) sends nothing. Nor does one closed by Playwright (<c>Browser.close()</c>, CDP
    /// Browser.close): it runs no pagehide or beforeunload, so livekit-client cannot say goodbye — unlike a person
    /// closing the window, which runs them. Its DTLS close_notify changes nothing either: LiveKit turns pion's
    /// close-by-DTLS off (transport.go: DisableCloseByDTLS), and werift's peer connection ignores it.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_browser_that_ends_without_pagehide_is_gone_for_the_others_within_LiveKits_ICE_and_cleanup_timeouts(bool killed)
    {
        var room = $"ended-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada");
        await using var own = await Browser.LaunchOwnAsync();
        var bob = await Browser.JoinWithTokenAsync(emulator, CallBrowser.Token(emulator, room, "bob"), "bob", inBrowser: own.Browser);
        await ada.WaitForVideoAsync("bob");

        var clock = Stopwatch.StartNew();
        if (killed)
        {
            own.Kill();
        }
        else
        {
            await own.Browser.CloseAsync();
        }
        var (seen, left) = await DepartureAsync(ada, bob, clock, TimeSpan.FromSeconds(60));

        Assert.Equal("CONNECTION_TIMEOUT", left.Json["participant"]?["disconnectReason"]?.GetValue<string>());
        // LiveKit: 15 s of silence until ICE fails, then 5 s of disconnect cleanup; nothing removes him sooner (as far
        // as the server can tell his media may come back), and only scheduling delays make it later.
        Assert.InRange(seen, TimeSpan.FromSeconds(19), TimeSpan.FromSeconds(27));
        Assert.Contains(emulator.Output.Split('\n'), line => line.Contains("ice failed: nothing received", StringComparison.Ordinal) && line.Contains(bob.Sid, StringComparison.Ordinal));
        await ada.LeaveAsync();
        await ada.CloseAsync();
    }

    /// <summary>Waits until <paramref name="observer"/> no longer has <paramref name="gone"/> in the room and LiveKit's participant_left for him arrived.</summary>
    async Task<(TimeSpan Seen, ReceivedWebhook Left)> DepartureAsync(CallPage observer, CallPage gone, Stopwatch clock, TimeSpan? within = null)
    {
        var timeout = within ?? TimeSpan.FromSeconds(30);
        await observer.Page.WaitForFunctionAsync("([id]) => !window.room.remoteParticipants.has(id)", new object[] { gone.Identity },
            new PageWaitForFunctionOptions { Timeout = (float)timeout.TotalMilliseconds, PollingInterval = 100 });
        var seen = clock.Elapsed;
        var left = await emulator.WaitForWebhookAsync(w => w.Event == "participant_left" && w.ParticipantSid == gone.Sid, timeout);
        output.WriteLine($"{gone.Identity}: gone from {observer.Identity}'s room after {seen.TotalSeconds:0.0} s, " +
            $"participant_left {left.Json["participant"]?["disconnectReason"]} after {clock.Elapsed.TotalSeconds:0.0} s");
        return (seen, left);
    }
}
