using System.Net;
using System.Text.Json;
using Conference.Web.Api;
using Conference.Web.Components.Call;
using Conference.Web.Meetings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Conference.Tests.Web.Call;

/// <summary>
/// The call's state and commands without a renderer: what arrives from the browser (including what another
/// participant crafted), what the page is told, and how LiveKit's reasons become status screens.
/// </summary>
public sealed class CallSessionTests : IAsyncDisposable
{
    const string Slug = "abc-defg-hij";

    /// <summary>Blazor's JS interop reads the module's JSON as the web defaults do (camelCase, case-insensitive).</summary>
    static readonly JsonSerializerOptions Interop = new(JsonSerializerDefaults.Web);

    readonly FakeCallMedia media = new();
    readonly ApiStub api = new();
    readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 29, 15, 0, 0, TimeSpan.Zero));
    readonly MeetingChangeNotifications notifications = new(NullLogger<MeetingChangeNotifications>.Instance);
    readonly List<CallSession> sessions = [];
    int changes;

    CallSession Session(string role = "Guest", bool encrypted = false, DateTimeOffset? expiresAt = null)
    {
        var credentials = new ApiCredentials(new AnonymousAuthentication(), new ApiTokenRenewals(new ServiceCollection().BuildServiceProvider(), time), time);
        HttpClient Http() => new(api, disposeHandler: false) { BaseAddress = new Uri("http://api/") };
        var details = new JoinDetails("wss://livekit.test", Slug, "me-1", "token-1", expiresAt ?? time.GetUtcNow().AddMinutes(10), role, "credential-1");
        var session = new CallSession(new CallJoin(Slug, details, new MediaChoices(true, true, null, null), encrypted, Locked: false), media,
            new ModerationClient(Http(), credentials), new RecordingsClient(Http(), credentials), new MeetingsClient(Http(), credentials),
            new JoinClient(Http(), credentials), time, notifications);
        session.Changed += () => changes++;
        sessions.Add(session);
        return session;
    }

    static T FromModule<T>(string json) => JsonSerializer.Deserialize<T>(json, Interop)!;

    [Fact]
    public async Task A_chat_message_with_an_out_of_range_sentAt_is_shown_with_the_time_it_arrived()
    {
        // Before: sentAt 9e15 from one guest threw in DateTimeOffset.FromUnixTimeMilliseconds while rendering, and
        // the circuit of every other participant died. The module drops the field now; even if it came, .NET ignores it.
        var session = Session();
        await session.ConnectAsync();
        var message = FromModule<ChatMessage>("""{"id":"m1","identity":"mallory","name":"Mallory","text":"boom","sentAt":9e15,"isLocal":false}""");

        await session.OnChat(message);

        var line = Assert.Single(session.Chat);
        Assert.Equal(("boom", time.GetUtcNow()), (line.Text, line.ReceivedAt));
        Assert.True(changes > 0, "The page is told to render the new message.");
    }

    [Fact]
    public async Task A_page_back_on_its_own_circuit_asks_the_browser_for_what_it_missed_after_the_last_message()
    {
        // A network drop cuts the page from its circuit while the call goes on in the browser: what the module told
        // meanwhile never arrived, so the session asks again once the page is back (PreJoinAndCall, on connection up).
        var session = Session();
        await session.OnPageReconnectedAsync();
        Assert.DoesNotContain(media.Calls, call => call.StartsWith("resync", StringComparison.Ordinal)); // not in a call yet

        await session.ConnectAsync();
        await session.OnPageReconnectedAsync();
        Assert.Equal("resync:", media.Calls[^1]); // no chat yet: everything the tab has

        await session.OnChat(new ChatMessage("m1", "ada", "Ada", "hello", false));
        await session.OnPageReconnectedAsync();
        Assert.Equal("resync:m1", media.Calls[^1]);

        // Down again before the browser answered: the next reconnect asks again; the call goes on meanwhile.
        media.FailNext = new Microsoft.JSInterop.JSDisconnectedException("gone again");
        await session.OnPageReconnectedAsync();
        Assert.Equal(CallStatus.Connected, session.Status);
    }

    [Fact]
    public async Task Chat_keeps_the_order_of_arrival_and_the_last_messages_only()
    {
        var session = Session();
        await session.ConnectAsync();
        for (var i = 0; i < CallSession.MaxChatMessages + 50; i++)
        {
            await session.OnChat(new ChatMessage($"m{i}", "ada", "Ada", $"message {i}", false));
            time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(CallSession.MaxChatMessages, session.Chat.Count);
        Assert.Equal("message 50", session.Chat[0].Text);
        Assert.Equal($"message {CallSession.MaxChatMessages + 49}", session.Chat[^1].Text);
        Assert.True(session.Chat.Zip(session.Chat.Skip(1)).All(pair => pair.First.ReceivedAt < pair.Second.ReceivedAt));
        Assert.Equal(CallSession.MaxChatMessages + 50, session.Unread);

        session.TogglePanel(CallPanel.Chat);
        Assert.Equal(0, session.Unread);
    }

    [Fact]
    public async Task Drops_chat_that_is_empty_oversized_or_half_missing_and_bounds_names()
    {
        var session = Session();
        await session.ConnectAsync();
        await session.OnChat(FromModule<ChatMessage>("""{"id":"m1","identity":"x","name":"X","text":null,"isLocal":false}"""));
        await session.OnChat(FromModule<ChatMessage>("""{"identity":"x","name":"X","text":"no id","isLocal":false}"""));
        await session.OnChat(new ChatMessage("m2", "x", "X", "   ", false));
        await session.OnChat(new ChatMessage("m3", "x", "X", new string('a', CallSession.MaxChatLength + 1), false));
        Assert.Empty(session.Chat);

        await session.OnChat(new ChatMessage("m4", "x", new string('n', 10_000), "hi", false));
        Assert.Equal(CallSession.MaxNameLength, Assert.Single(session.Chat).Name.Length);
    }

    [Fact]
    public async Task Reactions_are_only_the_offered_ones_bounded_on_screen_and_gone_after_a_few_seconds()
    {
        var session = Session();
        await session.ConnectAsync();
        await session.OnReaction(new Reaction("ada", "Ada", "<script>"));
        await session.OnReaction(FromModule<Reaction>("""{"identity":"ada","name":"Ada","emoji":null}"""));
        Assert.Empty(session.Reactions);

        for (var i = 0; i < 100; i++)
        {
            await session.OnReaction(new Reaction("ada", "Ada", "🎉"));
        }
        Assert.Equal(CallSession.MaxReactions, session.Reactions.Count);

        time.Advance(CallSession.ReactionLifetime);
        // The removals run as continuations of the timers that just fired.
        for (var waited = 0; session.Reactions.Count > 0 && waited < 200; waited++)
        {
            await Task.Delay(10);
        }
        Assert.Empty(session.Reactions);
    }

    [Theory]
    [InlineData(DisconnectReason.ClientInitiated, CallEnd.Left)]
    [InlineData(DisconnectReason.RoomDeleted, CallEnd.MeetingEnded)]
    [InlineData(DisconnectReason.RoomClosed, CallEnd.MeetingEnded)]
    [InlineData(DisconnectReason.ParticipantRemoved, CallEnd.Removed)]
    [InlineData(DisconnectReason.DuplicateIdentity, CallEnd.JoinedElsewhere)]
    [InlineData(DisconnectReason.ServerShutdown, CallEnd.ServerShutdown)]
    [InlineData(DisconnectReason.SignalClose, CallEnd.ConnectionLost)]
    [InlineData(DisconnectReason.UnknownReason, CallEnd.ConnectionLost)]
    [InlineData(null, CallEnd.ConnectionLost)]
    public async Task LiveKit_s_reason_for_a_disconnect_becomes_the_end_the_page_explains(DisconnectReason? reason, CallEnd end)
    {
        var session = Session();
        await session.ConnectAsync();
        await session.OnRecording(true);

        await session.OnConnectionState(MediaConnectionState.Disconnected, reason);

        Assert.Equal((CallStatus.Ended, end), (session.Status, session.End));
        Assert.False(session.Recording);
    }

    [Fact]
    public void The_module_s_words_arrive_as_enums()
    {
        Assert.Equal(new ConnectResult(false, ConnectFailure.E2eeUnsupported, "no"),
            FromModule<ConnectResult>("""{"ok":false,"failure":"e2ee-unsupported","message":"no"}"""));
        Assert.Equal(ConnectFailure.PassphraseMissing, FromModule<ConnectResult>("""{"ok":false,"failure":"passphrase-missing","message":""}""").Failure);
        Assert.Equal(MediaFailure.NoDevice, FromModule<PreviewResult>("""{"ok":false,"failure":"no-device","message":""}""").Failure);
        Assert.Equal(MediaFailure.InUse, FromModule<MediaFailure>("\"in-use\""));
        Assert.Equal(MediaErrorKind.E2ee, FromModule<MediaErrorKind>("\"e2ee\""));
        Assert.Equal(MediaConnectionState.Reconnecting, FromModule<MediaConnectionState>("\"reconnecting\""));
        // LiveKit's DisconnectReason travels as its protobuf number; one this build does not know still arrives.
        Assert.Equal(DisconnectReason.DuplicateIdentity, FromModule<DisconnectReason?>("2"));
        Assert.Equal((DisconnectReason)42, FromModule<DisconnectReason?>("42"));
        Assert.Equal(ConnectionQuality.Excellent, FromModule<ParticipantState>(
            """{"identity":"a","name":"A","isLocal":false,"role":"Guest","isSpeaking":false,"connectionQuality":"excellent","microphoneEnabled":true,"cameraEnabled":true,"screenSharing":false,"handRaised":false}""").ConnectionQuality);
    }

    [Theory]
    [InlineData(ConnectFailure.Unreachable, CallStatus.Unreachable, null)]
    [InlineData(ConnectFailure.Refused, CallStatus.Refused, null)]
    [InlineData(ConnectFailure.E2eeUnsupported, CallStatus.Ended, CallEnd.E2eeUnsupported)]
    [InlineData(ConnectFailure.PassphraseMissing, CallStatus.Ended, CallEnd.PassphraseMissing)]
    public async Task A_failed_connect_shows_the_screen_for_its_failure(ConnectFailure failure, CallStatus status, CallEnd? end)
    {
        media.ConnectResults.Enqueue(new ConnectResult(false, failure, "LiveKit's words"));
        var session = Session(encrypted: true);

        await session.ConnectAsync();

        Assert.Equal((status, end), (session.Status, session.End));
        Assert.Equal("LiveKit's words", session.FailureDetail);
        Assert.True(media.LastConnect!.Value.Encrypted);
    }

    [Fact]
    public async Task A_call_module_that_throws_while_connecting_shows_unreachable_with_retry()
    {
        media.FailNext = new Microsoft.JSInterop.JSException("Failed to fetch dynamically imported module");
        var session = Session();

        await session.ConnectAsync();
        Assert.Equal(CallStatus.Unreachable, session.Status);
        Assert.Contains("Failed to fetch", session.FailureDetail);

        await session.RetryAsync();
        Assert.Equal(CallStatus.Connected, session.Status);
    }

    [Fact]
    public async Task Retry_with_a_token_about_to_expire_asks_for_a_new_one_instead()
    {
        media.ConnectResults.Enqueue(new ConnectResult(false, ConnectFailure.Unreachable, "timeout"));
        var session = Session(expiresAt: time.GetUtcNow().AddMinutes(1));
        var rejoins = 0;
        session.RequestRejoin = () =>
        {
            rejoins++;
            return Task.CompletedTask;
        };
        await session.ConnectAsync();

        await session.RetryAsync();
        Assert.Equal((1, 0), (media.Calls.Count(c => c == "connect") - 1, rejoins));

        time.Advance(TimeSpan.FromSeconds(45));
        await session.RetryAsync();
        Assert.Equal(1, rejoins);

        await session.RejoinWithAsync(session.Details with { Token = "token-2", ExpiresAt = time.GetUtcNow().AddMinutes(10) });
        Assert.Equal(("token-2", CallStatus.Connected), (media.LastConnect!.Value.Token, session.Status));
    }

    [Fact]
    public async Task A_host_s_lobby_is_read_when_the_call_connects_and_again_at_each_lobby_change_a_guest_never_asks()
    {
        api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK, new[] { new LobbyEntry("req-1", "Grace", time.GetUtcNow()) });
        var guest = Session();
        var host = Session(role: "Host");
        await guest.ConnectAsync();
        await host.ConnectAsync();
        Assert.Equal("Grace", Assert.Single(host.Lobby).DisplayName);
        Assert.Empty(guest.Lobby);

        api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK, Array.Empty<LobbyEntry>());
        await notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.ParticipantJoined)); // not about the lobby
        Assert.Single(host.Lobby);
        await notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.Lobby));
        Assert.Empty(host.Lobby);
        Assert.All(api.Requests, r => Assert.Equal("credential-1", r.Credential));
        Assert.Equal(2, api.Requests.Count(r => r.Route.EndsWith("/lobby")));
        // The host also asked, once, whether this server can record; the guest asked nothing.
        Assert.Single(api.Requests, r => r.Route.EndsWith("/recordings/availability"));
        Assert.Equal(3, api.Requests.Count);
    }

    [Fact]
    public async Task An_answer_a_co_host_gave_first_drops_the_request_and_the_notice_says_why()
    {
        api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK, new[] { new LobbyEntry("req-1", "Grace", time.GetUtcNow()) });
        api.Answer($"POST /api/meetings/{Slug}/lobby/req-1/deny", HttpStatusCode.Conflict,
            new { title = "Already answered", status = 409, detail = "Grace was let in already, by you or a co-host; that answer stands." });
        var host = Session(role: "Host");
        await host.ConnectAsync();
        var grace = Assert.Single(host.Lobby);

        await host.DenyAsync(grace);

        Assert.Empty(host.Lobby);
        Assert.Contains("Grace was let in already", host.Notice);
    }

    [Fact]
    public async Task A_guest_promoted_during_the_call_reads_the_lobby_then()
    {
        api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK, new[] { new LobbyEntry("req-1", "Grace", time.GetUtcNow()) });
        var session = Session();
        await session.ConnectAsync();
        await session.OnParticipants(new RoomSnapshot([Me("Guest")], []));
        Assert.Empty(api.Requests);

        await session.OnParticipants(new RoomSnapshot([Me("CoHost")], []));
        Assert.Single(session.Lobby);
    }

    [Fact]
    public async Task A_remote_entry_with_one_s_own_identity_is_never_a_tile_and_one_identity_is_one_tile()
    {
        var session = Session();
        await session.ConnectAsync();
        static ParticipantState Remote(string identity, string name, string? camera) =>
            new(identity, name, false, "Guest", false, ConnectionQuality.Good, true, camera is not null, false, false, null, camera, null, null);

        // The old connection of this same person (their browser died; LiveKit has not dropped it yet), and Ada twice
        // (her new connection listed after her old one).
        await session.OnParticipants(new RoomSnapshot(
            [Me("Guest"), Remote("me-1", "Me", "TR_old_me"), Remote("ada", "Ada", "TR_old"), Remote("ada", "Ada", "TR_new")], []));

        Assert.Equal([("me-1", true), ("ada", false)], session.Snapshot.Participants.Select(p => (p.Identity, p.IsLocal)));
        Assert.Equal("TR_new", session.Snapshot.Participants[1].CameraTrackSid);
        Assert.Equal(["me-1", "ada"], session.Arrangement.Others.Select(t => t.Key));
    }

    [Fact]
    public async Task Namesakes_are_told_apart_by_the_order_they_joined_on_tiles_and_chat()
    {
        var session = Session();
        await session.ConnectAsync();
        static ParticipantState Remote(string identity, string name, long? joinedAt) =>
            new(identity, name, false, "Guest", false, ConnectionQuality.Good, true, false, false, false, null, null, null, joinedAt);

        // Two Anas (the later one typed " ana "), and Bo alone; the list is not in joining order.
        await session.OnParticipants(new RoomSnapshot([Me("Guest"), Remote("g-2", " ana ", 200), Remote("g-1", "Ana", 100), Remote("g-3", "Bo", 150)], []));
        Assert.Equal(["Me", "ana (2)", "Ana", "Bo"], session.Snapshot.Participants.Select(p => p.Name));
        Assert.Equal(["Ana", "Bo", "Me", "ana (2)"], CallLayout.Tiles(session.Snapshot).Select(t => t.Label).Order(StringComparer.Ordinal));
        await session.OnChat(new ChatMessage("m-1", "g-2", " ana ", "Hello", false));
        Assert.Equal("ana (2)", session.Chat.Single().Name);

        // The first Ana leaves: the other is the only Ana now, and the announcement says who left.
        await session.OnParticipants(new RoomSnapshot([Me("Guest"), Remote("g-2", " ana ", 200), Remote("g-3", "Bo", 150)], []));
        Assert.Equal(["Me", " ana ", "Bo"], session.Snapshot.Participants.Select(p => p.Name));
        Assert.Equal("Ana left.", session.Announcement);
    }

    [Fact]
    public async Task Leaving_and_disposing_stop_the_media_and_the_notifications()
    {
        var session = Session(role: "Host");
        await session.ConnectAsync();
        Assert.Equal(1, notifications.Count);
        await session.LeaveAsync();
        Assert.Equal((CallStatus.Ended, CallEnd.Left), (session.Status, session.End));

        await session.DisposeAsync();
        sessions.Remove(session);
        Assert.True(media.Disposed);
        Assert.Equal(0, notifications.Count);
    }

    static ParticipantState Me(string role) =>
        new("me-1", "Me", true, role, false, ConnectionQuality.Good, true, true, false, false, null, null, null, null);

    public async ValueTask DisposeAsync()
    {
        foreach (var session in sessions)
        {
            await session.DisposeAsync();
        }
    }
}
