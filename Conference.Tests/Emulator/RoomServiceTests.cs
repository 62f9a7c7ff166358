using System.Text.Json.Nodes;
using Conference.Tests.Infrastructure;
using static Conference.Tests.Emulator.EmulatorSdk;

namespace Conference.Tests.Emulator;

/// <summary>
/// The emulator's Twirp RoomService, called with LiveKit's own RoomServiceClient (Node SDK), with people in the
/// room through livekit-client in Chromium so that each call's effect is seen where LiveKit's clients see it.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class RoomServiceTests(LiveKitEmulator emulator, CallBrowser browser) : CallBrowserTest(browser)
{
    [Fact]
    public async Task CreateRoom_ListRooms_and_DeleteRoom_work_as_with_LiveKit()
    {
        var room = $"svc-{Guid.NewGuid():N}";
        var created = Ok(await EmulatorSdk.RoomServiceAsync(emulator, "createRoom", new { name = room, emptyTimeout = 60, metadata = "topic" }));
        Assert.Equal(room, created["name"]!.GetValue<string>());
        Assert.StartsWith("RM_", created["sid"]!.GetValue<string>());
        Assert.Equal("topic", created["metadata"]!.GetValue<string>());

        var listed = (JsonArray)Ok(await EmulatorSdk.RoomServiceAsync(emulator, "listRooms", (object)new[] { room }));
        Assert.Equal(created["sid"]!.GetValue<string>(), Assert.Single(listed)!["sid"]!.GetValue<string>());

        Ok(await EmulatorSdk.RoomServiceAsync(emulator, "deleteRoom", room));
        Assert.Empty((JsonArray)Ok(await EmulatorSdk.RoomServiceAsync(emulator, "listRooms", (object)new[] { room })));
        await emulator.WaitForWebhookAsync(w => w.Event == "room_finished" && w.RoomSid == created["sid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Errors_have_LiveKits_twirp_codes()
    {
        var missing = await EmulatorSdk.RoomServiceAsync(emulator, "listParticipants", "no-such-room");
        Assert.False(missing["ok"]!.GetValue<bool>());
        Assert.Equal(404, missing["status"]!.GetValue<int>());
        Assert.Equal("not_found", missing["code"]!.GetValue<string>());

        var forged = await EmulatorSdk.CallAsync(emulator, "room", "listRooms", [], secret: "not-the-secret-at-all-not-the-secret");
        Assert.Equal(401, forged["status"]!.GetValue<int>());
        Assert.Equal("unauthenticated", forged["code"]!.GetValue<string>());

        var token = new Conference.LiveKit.AccessToken(emulator.ApiKey, emulator.ApiSecret)
            .WithGrants(new Conference.LiveKit.VideoGrants { RoomList = true }).ToJwt();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        foreach (var (content, type) in new[] { ("{\"names\": 42}", "application/json"), ("\u0007\u00ff\u00ff", "application/protobuf") })
        {
            using var malformed = await http.PostAsync(new Uri(emulator.HttpUrl, "/twirp/livekit.RoomService/ListRooms"),
                new StringContent(content, System.Text.Encoding.UTF8, type));
            Assert.Equal(400, (int)malformed.StatusCode);
            var body = JsonNode.Parse(await malformed.Content.ReadAsStringAsync())!;
            Assert.Equal("malformed", body["code"]!.GetValue<string>());
        }
        using var unknown = await http.PostAsync(new Uri(emulator.HttpUrl, "/twirp/livekit.RoomService/NoSuchMethod"),
            new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(404, (int)unknown.StatusCode);
        Assert.Equal("bad_route", JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Participant_calls_reach_the_people_in_the_room()
    {
        var room = $"svc-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada", grants: g => g with { CanUpdateOwnMetadata = true });
        var bob = await Browser.JoinAsync(emulator, room, "bob", publish: false);
        await bob.WaitForVideoAsync("ada");

        var participants = (JsonArray)Ok(await EmulatorSdk.RoomServiceAsync(emulator, "listParticipants", room));
        Assert.Equal(["ada", "bob"], participants.Select(p => p!["identity"]!.GetValue<string>()).Order());
        var adaInfo = Ok(await EmulatorSdk.RoomServiceAsync(emulator, "getParticipant", room, "ada"));
        var tracks = adaInfo["tracks"]!.AsArray();
        Assert.Equal(2, tracks.Count);
        var microphone = tracks.First(t => t!["source"]!.GetValue<string>() == "MICROPHONE")!;

        var muted = Ok(await EmulatorSdk.RoomServiceAsync(emulator, "mutePublishedTrack", room, "ada", microphone["sid"]!.GetValue<string>(), true));
        Assert.True(muted["muted"]!.GetValue<bool>());
        await bob.WaitForEventAsync("e.event === 'trackMuted' && e.identity === 'ada' && e.source === 'microphone'");
        await ada.WaitForEventAsync("e.event === 'trackMuted' && e.identity === 'ada'");

        Ok(await EmulatorSdk.RoomServiceAsync(emulator, "updateParticipant", room, "bob",
            new { metadata = "{\"role\":\"host\"}", permission = new { canSubscribe = true, canPublish = false, canPublishData = false } }));
        await bob.WaitForEventAsync("e.event === 'permissionsChanged'");
        Assert.False(await bob.Page.EvaluateAsync<bool>("() => window.room.localParticipant.permissions.canPublishData"));
        Assert.Equal("{\"role\":\"host\"}", await ada.Page.EvaluateAsync<string>("() => window.room.remoteParticipants.get('bob').metadata"));

        Ok(await EmulatorSdk.RoomServiceAsync(emulator, "updateRoomMetadata", room, "agenda"));
        await ada.WaitForEventAsync("e.event === 'roomMetadataChanged' && e.metadata === 'agenda'");
        await bob.WaitForEventAsync("e.event === 'roomMetadataChanged' && e.metadata === 'agenda'");

        var payload = Convert.ToBase64String("from the server"u8);
        Ok(await EmulatorSdk.RoomServiceAsync(emulator, "sendData", room, new { __bytes = payload }, 0, new { destinationIdentities = new[] { "bob" }, topic = "notice" }));
        var received = await bob.WaitForDataAsync("from the server");
        Assert.Equal("notice", received.Topic);

        Ok(await EmulatorSdk.RoomServiceAsync(emulator, "updateSubscriptions", room, "bob", (object)new[] { microphone["sid"]!.GetValue<string>() }, false));
        await bob.Page.WaitForFunctionAsync("() => !window.room.remoteParticipants.get('ada').getTrackPublication('microphone')?.isSubscribed");

        await ada.LeaveAsync();
        await bob.LeaveAsync();
    }

}
