using Conference.Tests.Infrastructure;

namespace Conference.Tests.Emulator;

/// <summary>
/// Simulcast layer choice per subscriber, judged by LiveKit's own client: livekit-client's adaptive stream asks for
/// each remote video at the size of its element and for none while it is hidden (UpdateTrackSettings), and
/// setVideoQuality asks for a quality; the emulator forwards each subscriber the layer LiveKit would (the smallest
/// published layer at least 90 % of the height asked for, never above the quality asked for) and pauses a disabled
/// one. What a viewer decodes is compared with what the publisher's Chromium says each of its layers sends. Both
/// signalling paths: v1 (one peer connection) and v0 (a subscriber peer connection of its own).
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class AdaptiveStreamTests(LiveKitEmulator emulator, CallBrowser browser) : CallBrowserTest(browser)
{
    static readonly string[] Rids = ["q", "h", "f"];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Each_viewer_gets_the_layer_its_video_element_needs_and_none_while_it_is_hidden(bool singlePeerConnection)
    {
        var room = $"adaptive-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada", singlePeerConnection: singlePeerConnection);
        // bob shows ada in a 160x90 tile with adaptive stream; cyd asks for no size, so she gets the highest layer.
        var bob = await Browser.JoinAsync(emulator, room, "bob", publish: false, singlePeerConnection: singlePeerConnection, adaptiveStream: true);
        var cyd = await Browser.JoinAsync(emulator, room, "cyd", publish: false, singlePeerConnection: singlePeerConnection);
        await bob.WaitForVideoAsync("ada");
        await cyd.WaitForVideoAsync("ada");

        await WaitForLayerAsync(bob, ada, "q");
        await WaitForLayerAsync(cyd, ada, "f");
        await bob.SetVideoSizeAsync("ada", 1280, 720);
        await WaitForLayerAsync(bob, ada, "f");
        await bob.SetVideoSizeAsync("ada", 640, 360);
        await WaitForLayerAsync(bob, ada, "h");

        // Hidden, bob's page asks for nothing and gets nothing, while cyd goes on receiving: the pause is bob's alone.
        await bob.HideVideoAsync("ada", true);
        await WaitForPausedAsync(bob, cyd, "ada");
        // Shown again, it resumes (from a keyframe asked for) at the layer its size needs.
        await bob.HideVideoAsync("ada", false);
        await WaitForLayerAsync(bob, ada, "h");

        // livekit-client's own quality cap, without adaptive stream.
        await cyd.SetVideoQualityAsync("ada", "LOW");
        await WaitForLayerAsync(cyd, ada, "q");

        Assert.All(new[] { ada, bob, cyd }, person => Assert.Empty(person.Problems));
        foreach (var person in new[] { ada, bob, cyd })
        {
            await person.LeaveAsync();
            await person.CloseAsync();
        }
    }

    /// <summary>
    /// Waits until <paramref name="viewer"/> decodes <paramref name="publisher"/>'s camera at the size of the layer
    /// LiveKit would forward for <paramref name="wanted"/>: that layer if the publisher is sending it, else the
    /// highest one below it that it sends (Chromium stops a layer its bandwidth estimate or CPU cannot carry).
    /// </summary>
    static async Task WaitForLayerAsync(CallPage viewer, CallPage publisher, string wanted)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var seen = "";
        var previous = await publisher.PublishedVideoAsync();
        var previousFrames = (await viewer.ReceivedVideoAsync(publisher.Identity)).FramesDecoded;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            var layers = await publisher.PublishedVideoAsync();
            var received = await viewer.ReceivedVideoAsync(publisher.Identity);
            // The layers that sent frames since the last look, lowest first.
            var sending = layers.Where(l => previous.FirstOrDefault(p => p.Rid == l.Rid) is { } p && l.FramesSent > p.FramesSent && l.Width > 0)
                .OrderBy(l => Array.IndexOf(Rids, l.Rid)).ToList();
            var expected = sending.LastOrDefault(l => Array.IndexOf(Rids, l.Rid) <= Array.IndexOf(Rids, wanted)) ?? sending.FirstOrDefault();
            seen = $"{viewer.Identity} decodes {received.Width}x{received.Height} ({received.FramesDecoded} frames); " +
                $"{publisher.Identity} sends {string.Join(", ", sending.Select(l => $"{l.Rid} {l.Width}x{l.Height}"))}";
            if (expected is not null && received.Width == expected.Width && received.Height == expected.Height && received.FramesDecoded > previousFrames)
            {
                return;
            }
            previous = layers;
            previousFrames = received.FramesDecoded;
        }
        throw new TimeoutException($"{viewer.Identity} never received {publisher.Identity}'s layer {wanted}: {seen}");
    }

    /// <summary>Waits until <paramref name="paused"/> receives no packets of <paramref name="from"/>'s camera for 2 s while <paramref name="other"/> decodes frames of it.</summary>
    static async Task WaitForPausedAsync(CallPage paused, CallPage other, string from)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var seen = "";
        var before = (await paused.ReceivedVideoAsync(from), await other.ReceivedVideoAsync(from));
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(2000);
            var after = (await paused.ReceivedVideoAsync(from), await other.ReceivedVideoAsync(from));
            seen = $"in 2 s {paused.Identity} received {after.Item1.PacketsReceived - before.Item1.PacketsReceived} packets; " +
                $"{other.Identity} decoded {after.Item2.FramesDecoded - before.Item2.FramesDecoded} frames";
            if (after.Item1.PacketsReceived == before.Item1.PacketsReceived && after.Item2.FramesDecoded > before.Item2.FramesDecoded)
            {
                return;
            }
            before = after;
        }
        throw new TimeoutException($"{from}'s camera never paused for {paused.Identity} alone: {seen}");
    }
}
