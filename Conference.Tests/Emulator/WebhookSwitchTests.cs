using Conference.Tests.Infrastructure;

namespace Conference.Tests.Emulator;

/// <summary>The emulator started with <c>--webhook-shuffle --webhook-duplicate</c>, for receivers' order and duplicate tests.</summary>
public sealed class ShufflingLiveKitEmulator() : LiveKitEmulator("livekit-emulator-shuffling")
{
    protected override IEnumerable<string> ExtraArguments => ["--webhook-shuffle", "--webhook-duplicate"];
}

[Collection(EmulatorCollection.Name)]
public sealed class WebhookSwitchTests(ShufflingLiveKitEmulator emulator, CallBrowser browser) : CallBrowserTest(browser),
    IClassFixture<ShufflingLiveKitEmulator>
{
    [Fact]
    public async Task With_the_duplicate_switch_every_event_arrives_twice_and_each_copy_is_valid()
    {
        var room = $"dupe-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada", publish: false);
        var bob = await Browser.JoinAsync(emulator, room, "bob", publish: false);
        await ada.LeaveAsync();
        await bob.LeaveAsync();
        await emulator.WaitForWebhookAsync(w => w.Event == "room_finished" && w.RoomName == room);
        await Task.Delay(500); // the second copy of the last event

        var hooks = emulator.Webhooks.Where(w => w.RoomName == room).ToList();
        Assert.All(hooks.GroupBy(h => h.Id), copies => Assert.Equal(2, copies.Count()));
        Assert.Equal(
            ["participant_joined", "participant_joined", "participant_left", "participant_left", "room_finished", "room_started"],
            hooks.GroupBy(h => h.Id).Select(g => g.First().Event).Order());
        var verified = await EmulatorSdk.VerifyWebhooksAsync(emulator, hooks);
        Assert.All(verified, v => Assert.Null(v!["error"]));
    }
}
