using Conference.Tests.Infrastructure;

namespace Conference.Tests.Emulator;

/// <summary>
/// People in one call through the LiveKit emulator, judged by LiveKit's own client (livekit-client in Chromium):
/// they see each other's video, hear each other's audio, exchange data, and a later joiner sees everyone.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class CallTests(LiveKitEmulator emulator, CallBrowser browser) : CallBrowserTest(browser)
{
    [Fact]
    public async Task Two_people_see_and_hear_each_other_exchange_data_and_a_third_sees_both()
    {
        var room = $"call-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada");
        var bob = await Browser.JoinAsync(emulator, room, "bob");

        var (width, height) = await bob.WaitForVideoAsync("ada");
        Assert.True(width >= 160 && height >= 90, $"ada's video at bob is {width}x{height}");
        await ada.WaitForVideoAsync("bob");
        Assert.True(await bob.WaitForAudioAsync("ada") > 0.01);
        Assert.True(await ada.WaitForAudioAsync("bob") > 0.01);

        // SpeakersChanged comes from the audio level of what the emulator receives (the fake microphone beeps).
        await ada.WaitForEventAsync("e.event === 'activeSpeakers' && e.identities.includes('bob')");

        await ada.SendDataAsync("hello bob", reliable: true, topic: "chat");
        var received = await bob.WaitForDataAsync("hello bob");
        Assert.Equal("ada", received.From);
        Assert.Equal("chat", received.Topic);
        // Lossy is LiveKit's unreliable channel (no retransmission): one packet may be lost on a loaded machine, as
        // on any network (ci39 lost one). A lossy sender repeats what matters, so bob sends until ada has it.
        Assert.Equal("bob", (await bob.SendLossyUntilReceivedAsync(ada, "hello ada")).From);

        var cyd = await Browser.JoinAsync(emulator, room, "cyd");
        Assert.Equal(["ada", "bob"], await cyd.RemoteIdentitiesAsync());
        await cyd.WaitForVideoAsync("ada");
        await cyd.WaitForVideoAsync("bob");
        await ada.WaitForVideoAsync("cyd");
        Assert.True(await cyd.WaitForAudioAsync("bob") > 0.01);

        // The single-peer-connection path (/rtc/v1) worked: no fallback to /rtc and no error on any console.
        Assert.Contains("\"signalling\":\"v1\"", emulator.Output);
        Assert.All(new[] { ada, bob, cyd }, person => Assert.Empty(person.Problems));

        foreach (var person in new[] { ada, bob, cyd })
        {
            await person.LeaveAsync();
            await person.CloseAsync();
        }
    }

    [Fact]
    public async Task The_two_peer_connection_path_still_carries_video_audio_and_data()
    {
        var room = $"v0-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada", singlePeerConnection: false);
        var bob = await Browser.JoinAsync(emulator, room, "bob", singlePeerConnection: false);

        await bob.WaitForVideoAsync("ada");
        await ada.WaitForVideoAsync("bob");
        Assert.True(await bob.WaitForAudioAsync("ada") > 0.01);
        await ada.SendDataAsync("over v0");
        Assert.Equal("ada", (await bob.WaitForDataAsync("over v0")).From);
        Assert.Contains("\"signalling\":\"v0\"", emulator.Output);

        await ada.LeaveAsync();
        await bob.LeaveAsync();
    }
}
