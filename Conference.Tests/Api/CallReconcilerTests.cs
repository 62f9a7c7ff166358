using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Api.Webhooks;
using Conference.LiveKit;
using Conference.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Conference.Tests.Api;

/// <summary>
/// LiveKit stopped mid-call (it keeps rooms in memory): no room_finished ever comes, and with nobody joining again the
/// meeting read "In progress" for good. <see cref="CallReconciler"/> asks LiveKit which rooms are live and ends the
/// calls whose room is gone. Each test runs a pass itself (the fixture's timer waits an hour); a pass covers every
/// open call of the shared database, so each test looks only at its own meetings.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class CallReconcilerTests(ApiFixture fixture)
{
    CallReconciler Reconciler => fixture.Api.Services.GetRequiredService<CallReconciler>();

    [Fact]
    public async Task A_call_whose_room_LiveKit_no_longer_has_ends_when_found_gone_and_so_do_its_connections()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var roomSid = await OpenCallAsync(slug, DateTimeOffset.UtcNow.AddMinutes(-30), "crashed"); // the emulator never had it
        Assert.Equal("InProgress", await StatusAsync(slug));

        var before = DateTimeOffset.UtcNow;
        Assert.True(await Reconciler.RunOnceAsync(CancellationToken.None) >= 1);
        var after = DateTimeOffset.UtcNow;

        var meeting = await fixture.Api.CreateClient().GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}");
        Assert.Equal("Idle", meeting.GetProperty("status").GetString());
        // Ended when found gone: LiveKit's death is not known, and this is the latest it can have been.
        Assert.InRange(meeting.GetProperty("lastCallEndedAt").GetDateTimeOffset(), before.AddMilliseconds(-1), after);
        var session = Assert.Single(await QueryAsync($"""SELECT "LeftAt" = c."EndedAt", "DisconnectReason" FROM participant_sessions s JOIN meeting_calls c ON c."RoomSid" = s."RoomSid" WHERE s."RoomSid" = '{roomSid}'"""));
        Assert.Equal([true, "ROOM_CLOSED"], session);
    }

    [Fact]
    public async Task A_call_whose_room_is_live_stays_open_and_one_whose_room_has_another_life_now_ends()
    {
        using var host = await fixture.SignedInHostAsync();
        var (running, restarted) = (await MeetingsApiTests.CreateAsync(host), await MeetingsApiTests.CreateAsync(host));
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var rooms = fixture.LiveKit.RoomService();
        var live = await rooms.CreateRoomAsync(new CreateRoomRequest { Name = running, EmptyTimeout = 300 });
        await rooms.CreateRoomAsync(new CreateRoomRequest { Name = restarted, EmptyTimeout = 300 });
        try
        {
            await OpenCallAsync(running, start, roomSid: live.Sid);
            // LiveKit died and was started again; someone's client is in the new room, whose room_started is not here yet.
            await OpenCallAsync(restarted, start, "before-the-restart");

            await Reconciler.RunOnceAsync(CancellationToken.None);

            Assert.Equal("InProgress", await StatusAsync(running));
            Assert.Equal("Idle", await StatusAsync(restarted));
        }
        finally
        {
            await rooms.DeleteRoomAsync(new DeleteRoomRequest { Room = running });
            await rooms.DeleteRoomAsync(new DeleteRoomRequest { Room = restarted });
        }
    }

    [Fact]
    public async Task A_call_younger_than_the_grace_is_left_open_though_its_room_is_missing()
    {
        using var host = await fixture.SignedInHostAsync();
        var (young, old) = (await MeetingsApiTests.CreateAsync(host), await MeetingsApiTests.CreateAsync(host));
        await OpenCallAsync(young, DateTimeOffset.UtcNow, "young");
        await OpenCallAsync(old, DateTimeOffset.UtcNow - CallReconciler.Grace - TimeSpan.FromMinutes(1), "old");

        await Reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal("InProgress", await StatusAsync(young));
        Assert.Equal("Idle", await StatusAsync(old));
    }

    [Fact]
    public async Task While_LiveKit_does_not_answer_nothing_is_ended_and_one_warning_says_why()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        await OpenCallAsync(slug, DateTimeOffset.UtcNow.AddMinutes(-30), "unasked");
        var log = new LogCapture();
        // An api instance whose LiveKit is not there (nobody listens on that port): the same database, no answers.
        var cutOff = fixture.CreateApi(new Dictionary<string, string?> { ["LiveKit:Url"] = $"http://127.0.0.1:{LocalMachine.FreePort()}" }, log.AddTo);
        var reconciler = cutOff.Services.GetRequiredService<CallReconciler>();

        Assert.Equal(0, await reconciler.RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, await reconciler.RunOnceAsync(CancellationToken.None));

        Assert.Equal("InProgress", await StatusAsync(slug));
        var warning = Assert.Single(log.Entries, e => e.Category == typeof(CallReconciler).FullName && e.Level >= LogLevel.Warning);
        Assert.Contains("LiveKit did not answer", warning.Message);
        // The instance that reaches LiveKit ends it: the call was endable, only unasked.
        await Reconciler.RunOnceAsync(CancellationToken.None);
        Assert.Equal("Idle", await StatusAsync(slug));
    }

    [Fact]
    public async Task A_room_finished_arriving_after_the_call_was_ended_as_gone_answers_200_and_keeps_the_earlier_end()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var roomSid = await OpenCallAsync(slug, DateTimeOffset.UtcNow.AddMinutes(-30), "late-finish");
        await Reconciler.RunOnceAsync(CancellationToken.None);
        Assert.Equal("Idle", await StatusAsync(slug));
        var ended = await EndsAsync(roomSid);

        var late = await fixture.PostWebhookAsync(fixture.Api.CreateClient(), WebhookJson.RoomFinished(slug, DateTimeOffset.UtcNow.AddMinutes(1), roomSid: roomSid));

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal(ended, await EndsAsync(roomSid));
        Assert.Equal("Idle", await StatusAsync(slug));
    }

    /// <summary>room_started (at <paramref name="start"/>) and a participant_joined; returns the call's room sid.</summary>
    async Task<string> OpenCallAsync(string slug, DateTimeOffset start, string? life = null, string? roomSid = null)
    {
        roomSid ??= $"RM_{slug}_{life}"; // room sids are unique across meetings
        var livekit = fixture.Api.CreateClient();
        foreach (var body in new[]
        {
            WebhookJson.RoomStarted(slug, start, roomSid: roomSid),
            WebhookJson.Participant("participant_joined", slug, "ada-aaaaaa", "Ada", start, start, roomSid: roomSid, sid: $"PA_{roomSid}"),
        })
        {
            var response = await fixture.PostWebhookAsync(livekit, body);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
        return roomSid;
    }

    async Task<string?> StatusAsync(string slug) =>
        (await fixture.Api.CreateClient().GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}")).GetProperty("status").GetString();

    /// <summary>The call's end and its session's, as stored.</summary>
    async Task<string> EndsAsync(string roomSid) =>
        string.Join(' ', Assert.Single(await QueryAsync($"""SELECT c."EndedAt"::text, s."LeftAt"::text, s."DisconnectReason" FROM meeting_calls c JOIN participant_sessions s ON s."RoomSid" = c."RoomSid" WHERE c."RoomSid" = '{roomSid}'""")));

    Task<List<object?[]>> QueryAsync(string sql) => new WebhooksApiTests(fixture).QueryAsync(sql);
}
