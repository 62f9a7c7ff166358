using Conference.Tests.Infrastructure;

namespace Conference.Tests.Emulator;

/// <summary>
/// Room lifecycle, duplicate identities and removal (reconnects: <see cref="ReconnectTests"/>), as livekit-client in Chromium
/// experiences them and as the emulator's webhooks report them (checked by LiveKit's own WebhookReceiver).
/// Room timeouts are the fixture's shortened <see cref="LiveKitEmulator.RoomTimeout"/>.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class RoomLifecycleTests(LiveKitEmulator emulator, CallBrowser browser) : CallBrowserTest(browser)
{
    [Fact]
    public async Task A_room_starts_on_first_join_finishes_after_the_departure_timeout_and_a_later_join_starts_it_again()
    {
        var room = $"life-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada", publish: false);
        var started = await emulator.WaitForWebhookAsync(w => w.Event == "room_started" && w.RoomName == room);
        var joined = await emulator.WaitForWebhookAsync(w => w.Event == "participant_joined" && w.RoomName == room);
        Assert.Equal(ada.Sid, joined.ParticipantSid);
        Assert.Equal(started.RoomSid, joined.RoomSid);

        await ada.LeaveAsync();
        var left = await emulator.WaitForWebhookAsync(w => w.Event == "participant_left" && w.ParticipantSid == ada.Sid);
        Assert.Equal("CLIENT_INITIATED", left.Json["participant"]?["disconnectReason"]?.GetValue<string>());
        var finished = await emulator.WaitForWebhookAsync(w => w.Event == "room_finished" && w.RoomSid == started.RoomSid);
        Assert.True(finished.ReceivedAt - left.ReceivedAt >= emulator.RoomTimeout - TimeSpan.FromMilliseconds(300),
            $"room_finished came {(finished.ReceivedAt - left.ReceivedAt).TotalMilliseconds:0} ms after the last one left");

        var again = await Browser.JoinAsync(emulator, room, "ada", publish: false);
        var restarted = await emulator.WaitForWebhookAsync(w => w.Event == "room_started" && w.RoomName == room && w.RoomSid != started.RoomSid);
        Assert.NotEqual(ada.Sid, again.Sid);
        await again.LeaveAsync();

        var hooks = emulator.Webhooks.Where(w => w.RoomName == room).ToList();
        var verified = await EmulatorSdk.VerifyWebhooksAsync(emulator, hooks);
        Assert.All(verified, v => Assert.Null(v!["error"]));
        Assert.Equal(hooks.Select(h => h.Event), verified.Select(v => v!["event"]!.GetValue<string>()));
        Assert.All(hooks, h => Assert.Equal("application/webhook+json", h.ContentType));
        Assert.Equal(hooks.Count, hooks.Select(h => h.Id).Distinct().Count());
        _ = restarted;
    }

    [Fact]
    public async Task Joining_again_with_the_same_identity_disconnects_the_older_connection_as_duplicate_identity()
    {
        var room = $"dup-{Guid.NewGuid():N}";
        var first = await Browser.JoinAsync(emulator, room, "ada", publish: false);
        var second = await Browser.JoinAsync(emulator, room, "ada", publish: false);

        await first.WaitForEventAsync("e.event === 'disconnected' && e.reason === 2"); // DisconnectReason.DUPLICATE_IDENTITY
        var left = await emulator.WaitForWebhookAsync(w => w.Event == "participant_left" && w.ParticipantSid == first.Sid);
        Assert.Equal("DUPLICATE_IDENTITY", left.Json["participant"]?["disconnectReason"]?.GetValue<string>());
        Assert.NotEqual(first.Sid, second.Sid);
        await second.LeaveAsync();
    }

    [Fact]
    public async Task RemoveParticipant_disconnects_that_connection_and_the_same_token_may_join_again()
    {
        var room = $"rm-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada", publish: false);

        var removed = await EmulatorSdk.RoomServiceAsync(emulator, "removeParticipant", room, "ada");
        Assert.True(removed["ok"]!.GetValue<bool>(), removed.ToJsonString());
        await ada.WaitForEventAsync("e.event === 'disconnected' && e.reason === 4"); // DisconnectReason.PARTICIPANT_REMOVED
        var left = await emulator.WaitForWebhookAsync(w => w.Event == "participant_left" && w.ParticipantSid == ada.Sid);
        Assert.Equal("PARTICIPANT_REMOVED", left.Json["participant"]?["disconnectReason"]?.GetValue<string>());

        var again = await Browser.JoinAsync(emulator, room, "ada", publish: false);
        Assert.NotEqual(ada.Sid, again.Sid);
        await again.LeaveAsync();
    }

    [Fact]
    public async Task A_refused_token_is_reported_to_the_client_with_livekits_status_and_message()
    {
        var page = await Browser.OpenAsync();
        var forged = CallBrowser.Token(emulator, "r", "eve") + "x";
        var message = await page.EvaluateAsync<string>(
            "async ([url, token]) => { try { await window.join(url, token, false); return 'joined'; } catch (e) { return `${e.status} ${e.message}`; } }",
            new object[] { emulator.Url.ToString(), forged });
        Assert.StartsWith("401 ", message);
        Assert.Contains("invalid token", message);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_full_room_refuses_one_more_person_with_livekits_message()
    {
        var room = $"full-{Guid.NewGuid():N}";
        // emptyTimeout: the fixture shortens rooms nobody joined to 2 s, less than a join may take on a busy machine.
        var created = await EmulatorSdk.RoomServiceAsync(emulator, "createRoom", new { name = room, maxParticipants = 1, emptyTimeout = 60 });
        Assert.True(created["ok"]!.GetValue<bool>(), created.ToJsonString());
        var ada = await Browser.JoinAsync(emulator, room, "ada", publish: false);

        var page = await Browser.OpenAsync();
        var message = await page.EvaluateAsync<string>(
            "async ([url, token]) => { try { await window.join(url, token, false); return 'joined'; } catch (e) { return `${e.status} ${e.message}`; } }",
            new object[] { emulator.Url.ToString(), CallBrowser.Token(emulator, room, "bob") });
        Assert.StartsWith("403 ", message);
        Assert.Contains("room is full", message);
        await page.Context.CloseAsync();
        await ada.LeaveAsync();
    }
}
