using Conference.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Conference.Tests.Emulator;

/// <summary>
/// Video through a lossy network between publisher and server: the emulator asks the publisher again for each
/// simulcast layer's missing packets (Generic NACK, RFC 4585, one queue per SSRC as LiveKit's receive buffer), so a
/// viewer's picture goes on. Before, a packet lost on the way in was lost to every viewer; a keyframe missing one
/// could not be decoded, and the picture froze while PLIs went round (ci38's journeys under load).
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class MediaLossTests(LiveKitEmulator emulator, CallBrowser browser, ITestOutputHelper output) : CallBrowserTest(browser)
{
    /// <summary>Share of packets lost on the way in: enough that nearly every keyframe loses one.</summary>
    const int LossPercent = 5;

    [Fact]
    public async Task A_viewer_keeps_decoding_video_while_the_publishers_packets_are_lost_on_the_way_in()
    {
        var room = $"loss-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada");
        var bob = await Browser.JoinAsync(emulator, room, "bob", publish: false);
        await bob.WaitForVideoAsync("ada");

        // Frames bob decodes without loss, then with it; the same machine and moment, so a loaded machine slows both.
        var clean = await WatchAsync(bob, "ada", TimeSpan.FromSeconds(5));
        Assert.True(await emulator.SetMediaLossAsync(room, LossPercent) >= 2, "ada's camera and microphone should be in the room");
        var lossy = await WatchAsync(bob, "ada", TimeSpan.FromSeconds(15));
        var story = await LiveKitEmulator.MediaStoriesAsync(emulator.TestControlPort, room);
        // What ada's Chromium says of each layer: NACKs received, packets sent again, why its quality is limited.
        var sent = await ada.Page.EvaluateAsync<string>("""
            async () => {
              const track = window.room.localParticipant.getTrackPublication('camera').track;
              const out = [];
              (await track.sender.getStats()).forEach(s => { if (s.type === 'outbound-rtp') out.push({ rid: s.rid, packetsSent: s.packetsSent,
                nackCount: s.nackCount, retransmittedPacketsSent: s.retransmittedPacketsSent, limitedBy: s.qualityLimitationReason }); });
              return JSON.stringify(out);
            }
            """);
        var seen = $"Without loss: {clean}. With {LossPercent} % loss: {lossy}. What ada's Chromium sent: {sent}. What the relay did: {story}";
        output.WriteLine(seen);
        // Before per-layer NACKs, a viewer decoded about 1 frame a second of the 20 it decoded without loss (stills of 6 s).
        Assert.True(lossy.FramesPerSecond >= 0.6 * clean.FramesPerSecond, $"bob's picture of ada nearly stopped. {seen}");
        Assert.Matches("\"recovered\":\\s*[1-9]", story);

        Assert.All(new[] { ada, bob }, person => Assert.Empty(person.Problems));
        foreach (var person in new[] { ada, bob })
        {
            await person.LeaveAsync();
            await person.CloseAsync();
        }
    }

    [Fact]
    public async Task After_packets_lost_for_good_the_relay_asks_the_publisher_for_a_keyframe_and_the_picture_comes_back()
    {
        var room = $"burst-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada");
        var bob = await Browser.JoinAsync(emulator, room, "bob", publish: false);
        await bob.WaitForVideoAsync("ada");

        // Everything ada sends is lost for 1.5 s: longer than the relay asks again for a packet (nack.ts), and for the
        // high layers more packets than it asks for at all. Every viewer's picture is broken until a keyframe.
        Assert.True(await emulator.SetMediaLossAsync(room, 100) >= 2, "ada's camera and microphone should be in the room");
        await Task.Delay(1500);
        await emulator.SetMediaLossAsync(room, 0);
        var after = await WatchAsync(bob, "ada", TimeSpan.FromSeconds(6));
        var story = await LiveKitEmulator.MediaStoriesAsync(emulator.TestControlPort, room);
        var seen = $"After the burst: {after}. What the relay did: {story}";
        output.WriteLine(seen);

        // The relay asked for the keyframe itself (Chromium's viewer had not, for 33 s, in the web-restart journey).
        Assert.Matches("\"lossPlis\":\\s*[1-9]", story);
        Assert.True(after.FramesPerSecond > 5, $"bob's picture of ada did not come back. {seen}");

        foreach (var person in new[] { ada, bob })
        {
            await person.LeaveAsync();
            await person.CloseAsync();
        }
    }

    /// <summary>Frames decoded per second over <paramref name="span"/>, the longest stretch with no new frame, and the frames per 250 ms.</summary>
    static async Task<Watched> WatchAsync(CallPage viewer, string from, TimeSpan span)
    {
        var first = (await viewer.ReceivedVideoAsync(from)).FramesDecoded;
        var lastFrames = first;
        var started = DateTime.UtcNow;
        var lastNewFrameAt = started;
        var longestStill = TimeSpan.Zero;
        var timeline = new List<string>();
        while (DateTime.UtcNow - started < span)
        {
            await Task.Delay(250);
            var received = await viewer.ReceivedVideoAsync(from);
            var now = DateTime.UtcNow;
            timeline.Add($"{received.FramesDecoded - lastFrames}@{received.Height}");
            if (received.FramesDecoded > lastFrames)
            {
                lastFrames = received.FramesDecoded;
                lastNewFrameAt = now;
            }
            if (now - lastNewFrameAt > longestStill) longestStill = now - lastNewFrameAt;
        }
        return new((lastFrames - first) / (DateTime.UtcNow - started).TotalSeconds, longestStill, string.Join(" ", timeline));
    }

    sealed record Watched(double FramesPerSecond, TimeSpan LongestStill, string Timeline)
    {
        public override string ToString() =>
            $"{FramesPerSecond:0.0} frames/s, longest still {LongestStill.TotalSeconds:0.0} s, new frames (at height) every 250 ms: {Timeline}";
    }
}
