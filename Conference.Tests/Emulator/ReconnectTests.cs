using Conference.Tests.Infrastructure;

namespace Conference.Tests.Emulator;

/// <summary>
/// What livekit-client does when its signalling socket drops, as LiveKit answers it (reference §1): first a resume —
/// the same sid, its tracks and subscriptions kept, no webhook, nobody sees anyone leave — and, when the server no
/// longer has the participant or the client asks for it, a full reconnect: a new sid, the old one reported left and
/// the new one joined. The socket is cut by the emulator's test control, as a lost network would cut it.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class ReconnectTests(LiveKitEmulator emulator, CallBrowser browser) : CallBrowserTest(browser)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_dropped_signalling_socket_is_resumed_with_the_same_sid_and_nobody_sees_anyone_leave(bool singlePeerConnection)
    {
        var room = $"resume-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada", singlePeerConnection: singlePeerConnection);
        var bob = await Browser.JoinAsync(emulator, room, "bob", singlePeerConnection: singlePeerConnection);
        await bob.WaitForVideoAsync("ada");
        await ada.WaitForVideoAsync("bob");

        // The network drops for a second: ada's socket is cut and her first attempts to reconnect fail.
        Assert.Equal(ada.Sid, await emulator.DropSignalAsync(room, "ada", offline: TimeSpan.FromSeconds(1)));
        await ada.WaitForEventAsync("e.event === 'signalReconnecting'");
        await ada.WaitForEventAsync("e.event === 'reconnected'");
        Assert.Equal(ada.Sid, await ada.Page.EvaluateAsync<string>("() => window.room.localParticipant.sid"));
        Assert.Contains("participant resumed", emulator.Output);

        // The new socket carries signalling (a mute reaches bob), and the peer connection works both ways after the
        // ICE restart: data is the proof (a <video> fed by a stream keeps its clock running even without frames).
        await bob.WaitForVideoAsync("ada");
        await ada.WaitForVideoAsync("bob");
        await ada.Page.EvaluateAsync("() => window.room.localParticipant.setMicrophoneEnabled(false)");
        await bob.WaitForEventAsync("e.event === 'trackMuted' && e.identity === 'ada' && e.source === 'microphone'");
        await ada.SendDataAsync("still here");
        Assert.Equal("ada", (await bob.WaitForDataAsync("still here")).From);
        await bob.SendDataAsync("welcome back");
        Assert.Equal("bob", (await ada.WaitForDataAsync("welcome back")).From);

        Assert.Equal(["bob"], await ada.RemoteIdentitiesAsync());
        Assert.Equal(["ada"], await bob.RemoteIdentitiesAsync());
        Assert.False(await bob.Page.EvaluateAsync<bool>("() => window.events.some(e => e.event === 'participantDisconnected')"));

        // The only participant_left of ada is her leaving at the end: the resume sent no webhook.
        await ada.LeaveAsync();
        var left = await emulator.WaitForWebhookAsync(w => w.Event == "participant_left" && w.ParticipantSid == ada.Sid);
        Assert.Equal("CLIENT_INITIATED", left.Json["participant"]?["disconnectReason"]?.GetValue<string>());
        var adaHooks = emulator.Webhooks.Where(w => w.RoomName == room && w.Identity == "ada" && w.Event.StartsWith("participant_", StringComparison.Ordinal)).ToList();
        Assert.Equal(["participant_joined", "participant_left"], adaHooks.Select(w => w.Event).Order());
        Assert.All(adaHooks, w => Assert.Equal(ada.Sid, w.ParticipantSid));
        await bob.LeaveAsync();
        await ada.CloseAsync();
        await bob.CloseAsync();
    }

    [Fact]
    public async Task When_the_server_has_lost_the_participant_the_resume_is_refused_and_the_client_reconnects_in_full()
    {
        var room = $"refused-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada");
        var bob = await Browser.JoinAsync(emulator, room, "bob");
        await bob.WaitForVideoAsync("ada");

        await emulator.DropSignalAsync(room, "ada", forget: true);
        await ada.WaitForEventAsync("e.event === 'reconnected'");
        var newSid = await ada.Page.EvaluateAsync<string>("() => window.room.localParticipant.sid");
        Assert.NotEqual(ada.Sid, newSid);

        var left = await emulator.WaitForWebhookAsync(w => w.Event == "participant_left" && w.ParticipantSid == ada.Sid);
        Assert.Equal("SIGNAL_CLOSE", left.Json["participant"]?["disconnectReason"]?.GetValue<string>());
        var joined = await emulator.WaitForWebhookAsync(w => w.Event == "participant_joined" && w.ParticipantSid == newSid);
        Assert.Equal(left.RoomSid, joined.RoomSid);
        Assert.Contains("resume refused", emulator.Output);

        // bob saw ada go and come back as a new connection of the same person, and sees her again.
        await bob.WaitForEventAsync("e.event === 'participantDisconnected' && e.identity === 'ada'");
        await bob.WaitForVideoAsync("ada");
        Assert.Equal(["ada"], await bob.RemoteIdentitiesAsync());
        await ada.LeaveAsync();
        await bob.LeaveAsync();
        await ada.CloseAsync();
        await bob.CloseAsync();
    }

    [Fact]
    public async Task What_UpdateParticipant_changed_survives_a_full_reconnect_through_the_refreshed_token()
    {
        // LiveKit sends a fresh token whenever a participant's claims change (RoomManager: OnClaimsChanged →
        // refresh_token); livekit-client joins with it on a full reconnect, so a role the server gave stays given.
        var room = $"claims-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada");
        var bob = await Browser.JoinAsync(emulator, room, "bob", publish: false);
        await bob.WaitForVideoAsync("ada");

        EmulatorSdk.Ok(await EmulatorSdk.RoomServiceAsync(emulator, "updateParticipant", room, "ada",
            new { metadata = "{\"role\":\"CoHost\"}", permission = new { canSubscribe = true, canPublish = true, canPublishData = false } }));
        await ada.WaitForEventAsync("e.event === 'permissionsChanged'");

        await emulator.DropSignalAsync(room, "ada", forget: true);
        await ada.WaitForEventAsync("e.event === 'reconnected'");
        Assert.NotEqual(ada.Sid, await ada.Page.EvaluateAsync<string>("() => window.room.localParticipant.sid"));
        Assert.Equal("{\"role\":\"CoHost\"}", await ada.Page.EvaluateAsync<string>("() => window.room.localParticipant.metadata"));
        Assert.False(await ada.Page.EvaluateAsync<bool>("() => window.room.localParticipant.permissions.canPublishData"));
        await bob.Page.WaitForFunctionAsync("() => window.room.remoteParticipants.get('ada')?.metadata === '{\"role\":\"CoHost\"}'");
        await ada.LeaveAsync();
        await bob.LeaveAsync();
        await ada.CloseAsync();
        await bob.CloseAsync();
    }

    [Fact]
    public async Task A_full_reconnect_the_client_chooses_reports_the_old_sid_left_and_the_new_one_joined()
    {
        var room = $"full-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada");
        var bob = await Browser.JoinAsync(emulator, room, "bob");
        await bob.WaitForVideoAsync("ada");

        // livekit-client's own switch for "reconnect in full next time", then its socket closes.
        await ada.Page.EvaluateAsync("() => window.room.simulateScenario('full-reconnect')");
        await ada.WaitForEventAsync("e.event === 'reconnected'");
        var newSid = await ada.Page.EvaluateAsync<string>("() => window.room.localParticipant.sid");
        Assert.NotEqual(ada.Sid, newSid);

        // LiveKit keeps the old connection until its ICE has failed (15 s without a packet) and 5 s more, so the new
        // join usually replaces it as a duplicate identity; a join slower than that finds it closed for lost media.
        var left = await emulator.WaitForWebhookAsync(w => w.Event == "participant_left" && w.ParticipantSid == ada.Sid);
        Assert.Contains(left.Json["participant"]?["disconnectReason"]?.GetValue<string>(), new[] { "DUPLICATE_IDENTITY", "CONNECTION_TIMEOUT" });
        await emulator.WaitForWebhookAsync(w => w.Event == "participant_joined" && w.ParticipantSid == newSid);
        await bob.WaitForVideoAsync("ada");
        Assert.Equal(["ada"], await bob.RemoteIdentitiesAsync());
        await ada.LeaveAsync();
        await bob.LeaveAsync();
        await ada.CloseAsync();
        await bob.CloseAsync();
    }
}
