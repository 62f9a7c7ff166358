using Conference.Tests.Infrastructure;

namespace Conference.Tests.Emulator;

/// <summary>
/// People in one call through the LiveKit emulator, judged by LiveKit's own client (livekit-client in Chromium):
/// they see each other's video, hear each other's audio, exchange data, and a later joiner sees everyone.
/// </summary>
public sealed class CallTests(LiveKitEmulator emulator, CallBrowser browser)
    : IClassFixture<LiveKitEmulator>, IClassFixture<CallBrowser>
{
    [Fact]
    public async Task Two_people_see_and_hear_each_other_exchange_data_and_a_third_sees_both()
    {
        var room = $"call-{Guid.NewGuid():N}";
        var ada = await browser.JoinAsync(emulator, room, "ada");
        var bob = await browser.JoinAsync(emulator, room, "bob");

        var (width, height) = await bob.WaitForVideoAsync("ada");
        Assert.True(width >= 160 && height >= 90, $"ada's video at bob is {width}x{height}");
        await ada.WaitForVideoAsync("bob");
        Assert.True(await bob.WaitForAudioAsync("ada") > 0.01);
        Assert.True(await ada.WaitForAudioAsync("bob") > 0.01);

        await ada.SendDataAsync("hello bob", reliable: true, topic: "chat");
        var received = await bob.WaitForDataAsync("hello bob");
        Assert.Equal("ada", received.From);
        Assert.Equal("chat", received.Topic);
        await bob.SendDataAsync("hello ada", reliable: false);
        Assert.Equal("bob", (await ada.WaitForDataAsync("hello ada")).From);

        var cyd = await browser.JoinAsync(emulator, room, "cyd");
        Assert.Equal(["ada", "bob"], await cyd.RemoteIdentitiesAsync());
        await cyd.WaitForVideoAsync("ada");
        await cyd.WaitForVideoAsync("bob");
        await ada.WaitForVideoAsync("cyd");
        Assert.True(await cyd.WaitForAudioAsync("bob") > 0.01);

        foreach (var person in new[] { ada, bob, cyd })
        {
            await person.LeaveAsync();
            await person.CloseAsync();
        }
    }
}
