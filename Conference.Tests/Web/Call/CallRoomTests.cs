using System.Net;
using Bunit;
using Conference.Web.Api;
using Conference.Web.Components.Call;
using Conference.Web.Meetings;
using RecordingAvailability = Conference.Contracts.RecordingAvailability;
using RecordingStatus = Conference.Contracts.RecordingStatus;

namespace Conference.Tests.Web.Call;

public class CallRoomTests : CallTestBase
{
    const string Slug = "abc-defg-hij";

    CallSession session = null!;

    IRenderedComponent<CallRoom> Call(JoinDetails? details = null, bool encrypted = false, Action? rejoin = null)
    {
        session = NewSession(details, encrypted);
        session.RequestRejoin = () =>
        {
            rejoin?.Invoke();
            return Task.CompletedTask;
        };
        return Render<CallRoom>(p => p.Add(x => x.Session, session));
    }

    /// <summary>Find and click in one dispatch: a pushed change may re-render in between otherwise.</summary>
    static Task Click(IRenderedComponent<CallRoom> cut, string selector) => cut.InvokeAsync(() => cut.Find(selector).Click());

    /// <summary>Plays what the browser's call module reports, on the renderer's dispatcher as Blazor would.</summary>
    Task Play(IRenderedComponent<CallRoom> cut, Func<ICallEvents, Task> play) => cut.InvokeAsync(() => play(session));

    [Fact]
    public async Task Connects_with_the_token_and_draws_a_tile_per_participant_with_name_mute_speaking_and_quality()
    {
        var cut = Call();
        cut.WaitForAssertion(() => Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state")));
        Assert.Equal(("wss://livekit.test", "token-1"), (Media.LastConnect!.Value.Url, Media.LastConnect.Value.Token));
        Assert.Equal(new MediaChoices(true, false, "mic-1", null), Media.LastConnect.Value.Choices);

        await Play(cut, e => e.OnParticipants(new RoomSnapshot(
            [Person("me-1", "Me", isLocal: true), Person("ada", "Ada Lovelace", microphone: false, speaking: true, quality: ConnectionQuality.Poor)], ["ada"])));

        var tiles = cut.FindAll("[data-testid=tile]");
        Assert.Equal(2, tiles.Count);
        var ada = cut.Find("[data-identity=ada]");
        Assert.Contains("speaking", ada.ClassList);
        Assert.NotNull(ada.QuerySelector("[data-testid=tile-muted]"));
        Assert.NotNull(ada.QuerySelector("[aria-label='Connection poor']"));
        Assert.Contains("Ada Lovelace", ada.TextContent);
        Assert.Contains("(you)", cut.Find("[data-identity=me-1]").TextContent);
        Assert.NotNull(ada.QuerySelector("[data-video-identity=ada][data-video-source=camera]"));
        cut.WaitForAssertion(() => Assert.Contains("sync-video", Media.Calls));
    }

    [Fact]
    public async Task Shows_cannot_reach_the_media_server_with_a_retry_that_connects_again()
    {
        Media.ConnectResults.Enqueue(new ConnectResult(false, ConnectFailure.Unreachable, "could not establish signal connection: Failed to fetch"));
        var cut = Call();

        var unreachable = cut.WaitForElement("[data-testid=media-unreachable]");
        Assert.Equal("alert", unreachable.GetAttribute("role"));
        // Plain words lead; LiveKit's own words are kept, folded away under "Technical details" (a newcomer saw them raw).
        Assert.Equal("Cannot connect to the call", unreachable.QuerySelector("h1")!.TextContent);
        Assert.Contains("could not reach the server that carries the meeting's sound and video", unreachable.QuerySelector("p")!.TextContent);
        var detail = unreachable.QuerySelector("details[data-testid=failure-detail]");
        Assert.NotNull(detail);
        Assert.False(detail.HasAttribute("open"));
        Assert.Equal("Technical details", detail.QuerySelector("summary")!.TextContent);
        Assert.Equal("could not establish signal connection: Failed to fetch", detail.QuerySelector("p")!.TextContent);
        Assert.DoesNotContain("signal connection", string.Concat(unreachable.Children.Where(c => c != detail).Select(c => c.TextContent)));
        var retry = cut.Find("[data-testid=media-retry]");
        Assert.Equal("Retry", retry.TextContent.Trim());
        // Focus moves to the way out, so keyboard and screen-reader users land on it.
        cut.WaitForAssertion(() => JSInterop.VerifyFocusAsyncInvoke().Arguments[0].ShouldBeElementReferenceTo(retry));

        await cut.InvokeAsync(() => retry.Click());
        cut.WaitForAssertion(() => Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state")));
        Assert.Equal(2, Media.Calls.Count(c => c == "connect"));
    }

    [Fact]
    public async Task When_the_api_cannot_reach_the_media_server_either_it_says_the_media_server_is_not_answering_not_to_check_the_connection()
    {
        // LiveKit was down and the page told the person to check that they were online: it was our server.
        Api.Answer("GET /api/health", HttpStatusCode.OK, new { status = "Degraded", checks = new Dictionary<string, string> { ["postgres"] = "Healthy", ["livekit"] = "Degraded" } });
        Media.ConnectResults.Enqueue(new ConnectResult(false, ConnectFailure.Unreachable, "could not establish signal connection: Failed to fetch"));
        var cut = Call();

        var unreachable = cut.WaitForElement("[data-testid=media-unreachable]");
        Assert.Equal("down", unreachable.GetAttribute("data-media-server"));
        Assert.Equal("The media server is not answering", unreachable.QuerySelector("h1")!.TextContent);
        Assert.Contains("on our side, not your connection", unreachable.QuerySelector("p")!.TextContent);
        Assert.DoesNotContain("online", unreachable.TextContent);
        Assert.Equal("could not establish signal connection: Failed to fetch", unreachable.QuerySelector("details[data-testid=failure-detail] p")!.TextContent);
        var retry = cut.Find("[data-testid=media-retry]");
        Assert.Equal("Try again", retry.TextContent.Trim());

        // It is back: trying again connects.
        Api.Answer("GET /api/health", HttpStatusCode.OK, new { status = "Healthy", checks = new Dictionary<string, string> { ["livekit"] = "Healthy" } });
        await cut.InvokeAsync(() => retry.Click());
        cut.WaitForAssertion(() => Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state")));
        Assert.Single(Api.Routes, r => r == "GET /api/health"); // asked only when connecting failed
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, "Healthy")]
    [InlineData(HttpStatusCode.OK, "NotConfigured")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "Degraded")] // the api itself Unhealthy: it cannot say
    public void When_the_api_reaches_the_media_server_or_cannot_say_the_page_asks_the_person_to_check_their_connection(HttpStatusCode status, string livekit)
    {
        Api.Answer("GET /api/health", status, new { status = status == HttpStatusCode.OK ? "Healthy" : "Unhealthy", checks = new Dictionary<string, string> { ["livekit"] = livekit } });
        Media.ConnectResults.Enqueue(new ConnectResult(false, ConnectFailure.Unreachable, "timeout"));
        var cut = Call();

        var unreachable = cut.WaitForElement("[data-testid=media-unreachable]");
        Assert.Equal("Cannot connect to the call", unreachable.QuerySelector("h1")!.TextContent);
        Assert.Contains("Check that you are online", unreachable.TextContent);
        Assert.Null(unreachable.GetAttribute("data-media-server"));
        Assert.Contains("GET /api/health", Api.Routes);
    }

    [Fact]
    public async Task A_call_lost_because_the_media_server_stopped_says_so_not_to_check_the_connection()
    {
        // A newcomer stopped LiveKit mid-call: after livekit-client's reconnect attempts the page said "Check your
        // connection". The api could not reach LiveKit either; the fault was ours.
        Api.Answer("GET /api/health", HttpStatusCode.OK, new { status = "Degraded", checks = new Dictionary<string, string> { ["livekit"] = "Degraded" } });
        var rejoined = false;
        var cut = Call(rejoin: () => rejoined = true);
        cut.WaitForAssertion(() => Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state")));
        Assert.DoesNotContain("GET /api/health", Api.Routes);

        await Play(cut, e => e.OnConnectionState(MediaConnectionState.Reconnecting, null));
        await Play(cut, e => e.OnConnectionState(MediaConnectionState.Disconnected, DisconnectReason.SignalClose));

        var ended = cut.WaitForElement("[data-testid=call-ended]");
        Assert.Equal("down", ended.GetAttribute("data-media-server"));
        Assert.Equal("The media server stopped answering.", ended.QuerySelector("h1")!.TextContent);
        Assert.Contains("on our side, not your connection", ended.QuerySelector("p")!.TextContent);
        Assert.DoesNotContain("Check your connection", ended.TextContent);
        await cut.InvokeAsync(() => cut.Find("[data-testid=rejoin]").Click());
        Assert.True(rejoined);
    }

    [Fact]
    public async Task Retry_with_an_expired_token_asks_for_a_new_one()
    {
        Media.ConnectResults.Enqueue(new ConnectResult(false, ConnectFailure.Unreachable, "timeout"));
        var rejoined = false;
        var cut = Call(Details(expiresAt: Time.GetUtcNow().AddSeconds(5)), rejoin: () => rejoined = true);
        var retry = cut.WaitForElement("[data-testid=media-retry]");
        await cut.InvokeAsync(() => retry.Click());
        Assert.True(rejoined);
        Assert.Equal(1, Media.Calls.Count(c => c == "connect"));
    }

    [Fact]
    public void Says_the_token_was_refused()
    {
        Media.ConnectResults.Enqueue(new ConnectResult(false, ConnectFailure.Refused, "invalid token"));
        var cut = Call();
        Assert.Contains("refused", cut.WaitForElement("[data-testid=token-refused]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=media-retry]"));
    }

    [Fact]
    public async Task Tells_screen_readers_who_joined_and_left()
    {
        var cut = Call();
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada")], [])));
        Assert.Equal("", cut.Find("[data-testid=announcement]").TextContent);

        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("bob", "Bob")], [])));
        Assert.Equal("Bob joined. Ada left.", cut.Find("[data-testid=announcement]").TextContent);
        Assert.Equal("polite", cut.Find("[data-testid=announcement]").GetAttribute("aria-live"));
    }

    [Fact]
    public async Task Someone_this_host_removed_is_announced_as_removed_and_the_question_says_what_removal_keeps_out()
    {
        Api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK, Array.Empty<LobbyEntry>());
        Api.Answer($"DELETE /api/meetings/{Slug}/participants/g-ada", HttpStatusCode.NoContent);
        var cut = Call(Details(role: "Host"));
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true, role: "Host"), Person("g-ada", "Ada"), Person("u-7", "Bob")], [])));
        await Click(cut, "[data-testid=toggle-people]");
        await Click(cut, "button[aria-label='Remove Ada']");
        // A guest in a new browser is a new guest (a newcomer came straight back so): the question must not promise more.
        Assert.Contains("cannot come back from this browser; from another one, only the lobby stops them", cut.Find("[role=alertdialog]").TextContent);
        await Click(cut, "[data-testid=confirm-remove]");
        await Click(cut, "button[aria-label='Remove Bob']");
        Assert.Contains("cannot come back with their account", cut.Find("[role=alertdialog]").TextContent);
        await cut.InvokeAsync(() => cut.FindAll("[role=alertdialog] button").Single(b => b.TextContent == "Cancel").Click());

        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true)], [])));
        Assert.Equal("Ada was removed. Bob left.", cut.Find("[data-testid=announcement]").TextContent);
    }

    [Fact]
    public async Task When_this_page_s_call_ends_the_others_are_not_announced_as_having_left()
    {
        // livekit-client drops every remote participant when its own connection ends; a newcomer's guest page said
        // "Admin left." when the guest was taken over by a second tab, removed, or the meeting ended.
        var cut = Call();
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada")], [])));

        await Play(cut, e => e.OnConnectionState(MediaConnectionState.Disconnected, DisconnectReason.DuplicateIdentity));
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true)], [])));

        Assert.DoesNotContain("Ada left", cut.Markup);
    }

    [Fact]
    public async Task Shows_reconnecting_and_the_end_of_the_meeting()
    {
        var cut = Call();
        cut.WaitForAssertion(() => Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state")));

        // Reconnecting is the page's banner, shown by the call module without the circuit (ReconnectModal.razor,
        // NetworkDropJourneys); the call room follows the state.
        await Play(cut, e => e.OnConnectionState(MediaConnectionState.Reconnecting, null));
        Assert.Equal("Reconnecting", cut.Find("[data-testid=call-room]").GetAttribute("data-state"));
        await Play(cut, e => e.OnConnectionState(MediaConnectionState.Connected, null));
        Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state"));

        await Play(cut, e => e.OnConnectionState(MediaConnectionState.Disconnected, DisconnectReason.RoomDeleted));
        Assert.Contains("The meeting has ended.", cut.Find("[data-testid=call-ended]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=rejoin]")); // ended for everyone: nothing to rejoin
    }

    [Theory]
    [InlineData(DisconnectReason.DuplicateIdentity, "You joined from another tab or device.", "Use this tab instead")]
    [InlineData(DisconnectReason.ParticipantRemoved, "A host removed you from the meeting.", null)]
    [InlineData(DisconnectReason.ServerShutdown, "The media server is restarting.", "Rejoin")]
    [InlineData(DisconnectReason.SignalClose, "The connection to the meeting was lost.", "Rejoin")]
    [InlineData((DisconnectReason)99, "The connection to the meeting was lost.", "Rejoin")]
    public async Task Says_why_the_call_ended_and_whether_rejoining_makes_sense(DisconnectReason reason, string title, string? action)
    {
        var rejoined = false;
        var cut = Call(rejoin: () => rejoined = true);
        cut.WaitForAssertion(() => Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state")));

        await Play(cut, e => e.OnConnectionState(MediaConnectionState.Disconnected, reason));

        var ended = cut.Find("[data-testid=call-ended]");
        Assert.Equal(title, ended.QuerySelector("h1")!.TextContent);
        var rejoin = cut.FindAll("[data-testid=rejoin]");
        if (action is null)
        {
            Assert.Empty(rejoin);
            return;
        }
        Assert.Equal(action, rejoin.Single().TextContent);
        // Focus lands on what the person can do now.
        cut.WaitForAssertion(() => JSInterop.VerifyFocusAsyncInvoke().Arguments[0].ShouldBeElementReferenceTo(rejoin.Single()));
        await cut.InvokeAsync(() => rejoin.Single().Click());
        Assert.True(rejoined);
    }

    [Fact]
    public async Task A_screen_share_is_focused_and_a_pin_takes_over()
    {
        var cut = Call();
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada", screen: true), Person("bob", "Bob")], [])));

        Assert.NotNull(cut.Find(".stage.focus .stage-focus [data-video-source=screen_share][data-video-identity=ada]"));
        await Click(cut, "[data-identity=bob] .tile-pin");
        Assert.Equal("bob", cut.Find(".stage-focus [data-testid=tile]").GetAttribute("data-identity"));
        Assert.Equal("true", cut.Find(".stage-focus .tile-pin").GetAttribute("aria-pressed"));
    }

    [Fact]
    public async Task Chat_counts_unread_messages_until_opened_and_sends()
    {
        var cut = Call();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=toggle-chat]")));
        await Play(cut, e => e.OnChat(new ChatMessage("1", "ada", "Ada", "hello", false)));
        await Play(cut, e => e.OnChat(new ChatMessage("2", "ada", "Ada", "anyone?", false)));
        Assert.Equal("2", cut.Find("[data-testid=chat-unread]").TextContent);
        Assert.Equal("Chat, 2 unread", cut.Find("[data-testid=toggle-chat]").GetAttribute("aria-label"));

        await Click(cut, "[data-testid=toggle-chat]");
        Assert.Empty(cut.FindAll("[data-testid=chat-unread]"));
        Assert.Equal(2, cut.FindAll("[data-testid=chat-log] li").Count);

        await Play(cut, e => e.OnChat(new ChatMessage("3", "ada", "Ada", "see https://example.org/agenda. <b>javascript:alert(1)</b> https:// data:text/html,x", false)));
        var link = cut.Find("[data-testid=chat-log] li:last-child a");
        Assert.Equal("https://example.org/agenda", link.GetAttribute("href"));
        Assert.Equal("noopener noreferrer nofollow", link.GetAttribute("rel"));
        Assert.Equal("_blank", link.GetAttribute("target"));
        Assert.Single(cut.FindAll("[data-testid=chat-log] a"));
        Assert.Contains("&lt;b&gt;javascript:alert(1)&lt;/b&gt;", cut.Find("[data-testid=chat-log] li:last-child p").InnerHtml);

        await cut.InvokeAsync(() => cut.Find("#chat-input").Input("hi Ada"));
        await cut.InvokeAsync(() => cut.Find(".chat-form").Submit());
        cut.WaitForAssertion(() => Assert.Contains("chat:hi Ada", Media.Calls));
    }

    [Fact]
    public async Task Past_the_rate_limit_a_message_is_not_shown_as_sent_and_the_sender_is_told_to_slow_down()
    {
        var cut = Call();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=toggle-chat]")));
        await Click(cut, "[data-testid=toggle-chat]");

        // The module answers "too fast" (the others would drop it): the draft stays, and the chat says why.
        Media.SendOutcome = SendOutcome.TooFast;
        await cut.InvokeAsync(() => cut.Find("#chat-input").Input("one more"));
        await cut.InvokeAsync(() => cut.Find(".chat-form").Submit());
        cut.WaitForAssertion(() => Assert.Contains("Slow down", cut.Find("[data-testid=chat-too-fast]").TextContent));
        Assert.Equal("one more", cut.Find("#chat-input").GetAttribute("value"));
        Assert.Empty(cut.FindAll("[data-testid=chat-log] li"));

        // A moment later it goes, and the warning goes with it.
        Media.SendOutcome = SendOutcome.Sent;
        await cut.InvokeAsync(() => cut.Find(".chat-form").Submit());
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=chat-too-fast]")));
        Assert.Equal("", cut.Find("#chat-input").GetAttribute("value"));

        // Reactions too.
        Media.SendOutcome = SendOutcome.TooFast;
        await Click(cut, "button[aria-label='React 🎉']");
        Assert.Contains("Slow down", cut.Find("[data-testid=call-notice]").TextContent);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_kept_and_said_to_be_too_long_instead_of_vanishing()
    {
        var cut = Call();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=toggle-chat]")));
        await Click(cut, "[data-testid=toggle-chat]");

        await cut.InvokeAsync(() => cut.Find("#chat-input").Input(new string('m', 3000)));
        Assert.Equal("Your message is 3000 characters long; it can be at most 2000. Shorten it by 1000.", cut.Find("#chat-length").TextContent);
        Assert.Null(cut.Find("#chat-input").GetAttribute("maxlength"));
        Assert.True(cut.Find(".chat-form button[type=submit]").HasAttribute("disabled"));
        await cut.InvokeAsync(() => cut.Find(".chat-form").Submit());
        Assert.DoesNotContain(Media.Calls, call => call.StartsWith("chat:", StringComparison.Ordinal));
        Assert.Equal(3000, cut.Find("#chat-input").GetAttribute("value")!.Length);

        // Shortened to the limit, it goes.
        await cut.InvokeAsync(() => cut.Find("#chat-input").Input(new string('m', 2000)));
        Assert.Equal("2000 of 2000 characters", cut.Find("#chat-length").TextContent);
        await cut.InvokeAsync(() => cut.Find(".chat-form").Submit());
        cut.WaitForAssertion(() => Assert.Contains("chat:" + new string('m', 2000), Media.Calls));
    }

    [Fact]
    public async Task Controls_toggle_media_hand_and_reactions()
    {
        var cut = Call();
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true, microphone: true, camera: false)], [])));
        await Click(cut, "[data-testid=toggle-microphone]");
        await Click(cut, "[data-testid=toggle-camera]");
        await Click(cut, "[data-testid=toggle-hand]");
        await Click(cut, "[data-testid=toggle-screen]");
        await Click(cut, "button[aria-label='React 🎉']");
        Assert.Equal(["microphone:False@mic-1", "camera:True", "hand:True", "screen:True", "reaction:🎉"], Media.Calls.Where(c => c.Contains(':')));
        Assert.Equal("true", cut.Find("[data-testid=toggle-microphone]").GetAttribute("aria-pressed"));

        await Play(cut, e => e.OnReaction(new Reaction("ada", "Ada", "👏")));
        Assert.Contains("👏", cut.Find(".reactions").TextContent);
    }

    [Fact]
    public async Task Device_menus_switch_microphone_camera_and_speaker()
    {
        var cut = Call();
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true)], [])));
        // The lists are read when a menu opens (labels need the permission the call already has).
        await cut.InvokeAsync(() => cut.Find("details.menu").TriggerEvent("ontoggle", EventArgs.Empty));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#call-camera option").Count));

        await cut.InvokeAsync(() => cut.Find("#call-microphone").Change("mic-2"));
        await cut.InvokeAsync(() => cut.Find("#call-camera").Change("cam-2"));
        await cut.InvokeAsync(() => cut.Find("#call-speaker").Change("spk-2"));
        Assert.Equal(["microphone:True@mic-2", "camera:True@cam-2", "speaker:spk-2"], Media.Calls.Where(c => c.Contains(':')));
        Assert.Equal("Speaker", cut.Find("label[for=call-speaker]").TextContent);
    }

    [Fact]
    public async Task Everyone_sees_the_recording_indicator_but_only_hosts_have_host_controls()
    {
        var cut = Call();
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada")], [])));
        await Play(cut, e => e.OnRecording(true));
        Assert.Contains("being recorded", cut.Find("[data-testid=recording-indicator]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=toggle-recording]"));

        await Click(cut, "[data-testid=toggle-people]");
        Assert.Empty(cut.FindAll("button[aria-label='Remove Ada']"));
        Assert.Empty(cut.FindAll(".host-controls"));
    }

    [Fact]
    public async Task A_host_starts_and_stops_recording_with_their_participant_credential()
    {
        Api.Answer($"POST /api/meetings/{Slug}/recordings", HttpStatusCode.Created,
            new Recording(Guid.NewGuid(), Slug, "A meeting", RecordingStatus.Starting, "grid", false, null, null, null, null, null));
        Api.Answer($"POST /api/meetings/{Slug}/recordings/stop", HttpStatusCode.OK);
        var cut = Call(Details(role: "Host"));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=toggle-recording]")));

        await Click(cut, "[data-testid=toggle-recording]");
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=recording-indicator]")));
        var start = Api.Requests.Single(r => r.Route == $"POST /api/meetings/{Slug}/recordings");
        Assert.Equal("credential-1", start.Credential);
        Assert.Contains("\"layout\":\"grid\"", start.Body);

        await Click(cut, "[data-testid=toggle-recording]");
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=recording-indicator]")));
        Assert.Contains($"POST /api/meetings/{Slug}/recordings/stop", Api.Routes);
    }

    [Fact]
    public async Task Record_is_not_offered_where_the_api_says_this_server_cannot_record_and_comes_back_when_it_can()
    {
        Api.Answer($"GET /api/meetings/{Slug}/recordings/availability", HttpStatusCode.OK,
            new RecordingAvailability(false, "Object storage for recordings is not configured on this server."));
        Api.Answer($"POST /api/meetings/{Slug}/recordings", HttpStatusCode.Created,
            new Recording(Guid.NewGuid(), Slug, "A meeting", RecordingStatus.Starting, "grid", false, null, null, null, null, null));
        var cut = Call(Details(role: "Host"));
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-testid=toggle-recording]").GetAttribute("aria-disabled")));
        Assert.Contains("Object storage", cut.Find("[data-testid=toggle-recording]").GetAttribute("title"));
        Assert.Equal("credential-1", Api.Requests.Single(r => r.Route.EndsWith("/availability")).Credential);

        // A click asks again; still unavailable: it says why and starts nothing.
        await Click(cut, "[data-testid=toggle-recording]");
        cut.WaitForAssertion(() => Assert.Contains("Recording is not available: Object storage", cut.Find("[data-testid=call-notice]").TextContent));
        Assert.DoesNotContain($"POST /api/meetings/{Slug}/recordings", Api.Routes);

        // Storage came back: the next click records.
        Api.Answer($"GET /api/meetings/{Slug}/recordings/availability", HttpStatusCode.OK, new RecordingAvailability(true, null));
        await Click(cut, "[data-testid=toggle-recording]");
        cut.WaitForAssertion(() => Assert.Contains($"POST /api/meetings/{Slug}/recordings", Api.Routes));
        Assert.Equal("false", cut.Find("[data-testid=toggle-recording]").GetAttribute("aria-disabled"));
    }

    [Fact]
    public async Task Recording_is_refused_while_the_meeting_is_end_to_end_encrypted()
    {
        var cut = Call(Details(role: "Host"), encrypted: true);
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=toggle-recording]")));
        Assert.True(Media.LastConnect!.Value.Encrypted);
        Assert.NotEmpty(cut.FindAll("[data-testid=e2ee-badge]"));
        Assert.Equal("true", cut.Find("[data-testid=toggle-recording]").GetAttribute("aria-disabled"));

        await Click(cut, "[data-testid=toggle-recording]");
        Assert.Contains("end-to-end encrypted", cut.Find("[data-testid=call-notice]").TextContent);
        Assert.DoesNotContain(Api.Routes, r => r.Contains("/recordings"));
    }

    [Fact]
    public async Task A_co_host_moderates_but_is_not_offered_to_end_the_meeting_for_everyone()
    {
        Api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK, Array.Empty<LobbyEntry>());
        var cut = Call(Details(role: "CoHost"));
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true, role: "CoHost"), Person("ada", "Ada")], [])));
        await Click(cut, "[data-testid=toggle-people]");

        Assert.NotEmpty(cut.FindAll("button[aria-label='Make Ada a co-host']"));
        Assert.NotEmpty(cut.FindAll(".host-controls button")); // lock
        Assert.Empty(cut.FindAll(".host-controls .danger")); // the api lets only the host end it
    }

    [Fact]
    public async Task A_host_sees_the_lobby_admits_and_denies_and_moderates_participants()
    {
        Api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK, Array.Empty<LobbyEntry>());
        Api.Answer($"POST /api/meetings/{Slug}/lobby/req-1/admit", HttpStatusCode.NoContent);
        Api.Answer($"POST /api/meetings/{Slug}/lobby/req-2/deny", HttpStatusCode.NoContent);
        Api.Answer($"POST /api/meetings/{Slug}/participants/ada/mute", HttpStatusCode.NoContent);
        Api.Answer($"PUT /api/meetings/{Slug}/participants/ada/role", HttpStatusCode.NoContent);
        Api.Answer($"DELETE /api/meetings/{Slug}/participants/ada", HttpStatusCode.NoContent);
        Api.Answer($"PUT /api/meetings/{Slug}/lock", HttpStatusCode.NoContent);
        Api.Answer($"POST /api/meetings/{Slug}/end", HttpStatusCode.NoContent);
        var cut = Call(Details(role: "Host"));
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true, role: "Host"), Person("ada", "Ada")], [])));

        // Read once when the call connected; nobody waited yet. Then two people ask, and the api announces it.
        cut.WaitForAssertion(() => Assert.Single(Api.Routes, r => r == $"GET /api/meetings/{Slug}/lobby"));
        Assert.Equal("People", cut.Find("[data-testid=toggle-people]").GetAttribute("aria-label"));
        Api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK,
            new[] { new LobbyEntry("req-1", "Grace", DateTimeOffset.UtcNow), new LobbyEntry("req-2", "Mallory", DateTimeOffset.UtcNow) });
        await Notifications.NotifyAsync(new(Slug, MeetingChangeKind.Lobby));
        await Notifications.NotifyAsync(new("other-meet-ing", MeetingChangeKind.Lobby)); // not this meeting: nothing asked
        cut.WaitForAssertion(() => Assert.Equal("People, 2 waiting", cut.Find("[data-testid=toggle-people]").GetAttribute("aria-label")));
        Assert.Equal(2, Api.Routes.Count(r => r == $"GET /api/meetings/{Slug}/lobby"));
        await Click(cut, "[data-testid=toggle-people]");
        await Click(cut, "button[aria-label='Admit Grace']");
        await Click(cut, "button[aria-label='Deny Mallory']");
        await Click(cut, "button[aria-label='Mute Ada']");
        await Click(cut, "button[aria-label='Make Ada a co-host']");
        await Click(cut, "button[aria-label='Remove Ada']");
        Assert.DoesNotContain($"DELETE /api/meetings/{Slug}/participants/ada", Api.Routes); // asked first, as End is
        Assert.Contains("Remove Ada from the meeting?", cut.Find("[role=alertdialog]").TextContent);
        await Click(cut, "[data-testid=confirm-remove]");
        await Click(cut, ".host-controls button"); // lock
        await Click(cut, ".host-controls .danger");
        await Click(cut, "[data-testid=confirm-end]");

        var routes = Api.Requests.Where(r => !r.Route.StartsWith("GET")).ToList();
        Assert.Equal([
            $"POST /api/meetings/{Slug}/lobby/req-1/admit", $"POST /api/meetings/{Slug}/lobby/req-2/deny",
            $"POST /api/meetings/{Slug}/participants/ada/mute", $"PUT /api/meetings/{Slug}/participants/ada/role",
            $"DELETE /api/meetings/{Slug}/participants/ada", $"PUT /api/meetings/{Slug}/lock", $"POST /api/meetings/{Slug}/end",
        ], routes.Select(r => r.Route));
        Assert.All(routes, r => Assert.Equal("credential-1", r.Credential));
        Assert.Contains("TR_mic_ada", routes[2].Body);
        Assert.Contains("\"role\":\"CoHost\"", routes[3].Body);
        Assert.Contains("\"locked\":true", routes[5].Body);
    }

    [Fact]
    public async Task The_host_who_ended_the_meeting_for_everyone_reads_that_they_did_and_can_start_it_again()
    {
        Api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK, Array.Empty<LobbyEntry>());
        var rejoined = false;
        var cut = Call(Details(role: "Host"), rejoin: () => rejoined = true);
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true, role: "Host"), Person("ada", "Ada")], [])));
        // The api deletes the room before it answers: LiveKit's ROOM_DELETED reaches the page while End is still on its way.
        var answered = new TaskCompletionSource();
        Api.Answer($"POST /api/meetings/{Slug}/end", async _ =>
        {
            await Play(cut, e => e.OnConnectionState(MediaConnectionState.Disconnected, DisconnectReason.RoomDeleted));
            answered.SetResult();
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        });

        await Click(cut, "[data-testid=toggle-people]");
        await Click(cut, ".host-controls .danger");
        await Click(cut, "[data-testid=confirm-end]");
        await answered.Task;

        cut.WaitForAssertion(() => Assert.Equal("You ended the meeting for everyone.", cut.Find("[data-testid=call-ended] h1").TextContent));
        Assert.Equal("/", cut.Find("[data-testid=my-meetings]").GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=rejoin]"));
        await Click(cut, "[data-testid=restart-meeting]");
        Assert.True(rejoined); // a new token: a new call of the same meeting
    }

    void MeetingIs(string status, DateTimeOffset? inProgressSince) => Api.Answer($"GET /api/meetings/{Slug}", HttpStatusCode.OK,
        new Meeting(Slug, "Weekly sync", "Ada", Time.GetUtcNow().AddHours(-1), Time.GetUtcNow().AddHours(-1), status, inProgressSince,
            status == "Idle" ? Time.GetUtcNow() : null, new MeetingSettings(false, false, 50, false, RecordingAccess.HostOnly)));

    [Fact]
    public async Task After_ending_for_everyone_the_host_page_follows_a_call_started_again_and_offers_to_join_it()
    {
        // A newcomer's host page still said "Everyone has left the call … Start it again" after a guest had joined
        // again and the meeting showed "In progress".
        Api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK, Array.Empty<LobbyEntry>());
        Api.Answer($"POST /api/meetings/{Slug}/end", HttpStatusCode.NoContent);
        var rejoined = false;
        var cut = Call(Details(role: "Host"), rejoin: () => rejoined = true);
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true, role: "Host"), Person("ada", "Ada")], [])));
        await Click(cut, "[data-testid=toggle-people]");
        await Click(cut, ".host-controls .danger");
        await Click(cut, "[data-testid=confirm-end]");
        await Play(cut, e => e.OnConnectionState(MediaConnectionState.Disconnected, DisconnectReason.RoomDeleted));
        Assert.Equal("You ended the meeting for everyone.", cut.Find("[data-testid=call-ended] h1").TextContent);

        // The ended call's webhooks arrive late: the meeting still shows the call that ended, which began before the end.
        MeetingIs("InProgress", Time.GetUtcNow().AddMinutes(-30));
        await cut.InvokeAsync(() => Notifications.NotifyAsync(new(Slug, MeetingChangeKind.ParticipantJoined)));
        Assert.Equal("You ended the meeting for everyone.", cut.Find("[data-testid=call-ended] h1").TextContent);

        // A guest joins again: a new call of the meeting begins, and the page says so and offers to join it.
        Time.Advance(TimeSpan.FromSeconds(20));
        MeetingIs("InProgress", Time.GetUtcNow());
        await cut.InvokeAsync(() => Notifications.NotifyAsync(new(Slug, MeetingChangeKind.RoomStarted)));

        cut.WaitForAssertion(() => Assert.Equal("The meeting has started again.", cut.Find("[data-testid=call-ended] h1").TextContent));
        var ended = cut.Find("[data-testid=call-ended]");
        Assert.Contains("a new call is in progress", ended.TextContent);
        Assert.DoesNotContain("Everyone has left", ended.TextContent);
        Assert.Empty(cut.FindAll("[data-testid=restart-meeting]"));
        await Click(cut, "[data-testid=join-again]");
        Assert.True(rejoined);
    }

    [Fact]
    public async Task A_guest_whose_meeting_ended_is_offered_to_join_when_a_new_call_starts()
    {
        var rejoined = false;
        var cut = Call(rejoin: () => rejoined = true);
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada", role: "Host")], [])));
        await Play(cut, e => e.OnConnectionState(MediaConnectionState.Disconnected, DisconnectReason.RoomDeleted));
        Assert.Empty(cut.FindAll("[data-testid=join-again]"));

        Time.Advance(TimeSpan.FromMinutes(2));
        MeetingIs("InProgress", Time.GetUtcNow());
        await cut.InvokeAsync(() => Notifications.NotifyAsync(new(Slug, MeetingChangeKind.RoomStarted)));

        cut.WaitForAssertion(() => Assert.Equal("The meeting has started again.", cut.Find("[data-testid=call-ended] h1").TextContent));
        Assert.Contains("A host ended the call for everyone", cut.Find("[data-testid=call-ended]").TextContent);
        await Click(cut, "[data-testid=join-again]");
        Assert.True(rejoined);
    }

    [Fact]
    public async Task A_guest_s_end_screen_follows_a_new_call_whose_start_shows_only_once_the_ended_call_s_finish_is_applied()
    {
        // The ended call's room_finished can be applied after the new call's room_started: until then the meeting
        // reads as in the ended call, and the guest's screen went on offering only Home.
        var rejoined = false;
        var cut = Call(rejoin: () => rejoined = true);
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada", role: "Host")], [])));
        await Play(cut, e => e.OnConnectionState(MediaConnectionState.Disconnected, DisconnectReason.RoomDeleted));
        Time.Advance(TimeSpan.FromSeconds(3));

        MeetingIs("InProgress", Time.GetUtcNow().AddMinutes(-30));
        await cut.InvokeAsync(() => Notifications.NotifyAsync(new(Slug, MeetingChangeKind.RoomStarted)));
        Assert.Equal("The meeting has ended.", cut.Find("[data-testid=call-ended] h1").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=join-again]"));

        MeetingIs("InProgress", Time.GetUtcNow().AddSeconds(-1));
        await cut.InvokeAsync(() => Notifications.NotifyAsync(new(Slug, MeetingChangeKind.RoomFinished)));
        cut.WaitForAssertion(() => Assert.Equal("The meeting has started again.", cut.Find("[data-testid=call-ended] h1").TextContent));
        await Click(cut, "[data-testid=join-again]");
        Assert.True(rejoined);
    }

    [Fact]
    public async Task A_guest_whose_meeting_a_host_ended_is_offered_only_the_way_home()
    {
        var cut = Call();
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada", role: "Host")], [])));

        await Play(cut, e => e.OnConnectionState(MediaConnectionState.Disconnected, DisconnectReason.RoomDeleted));

        Assert.Equal("The meeting has ended.", cut.Find("[data-testid=call-ended] h1").TextContent);
        Assert.Contains("A host ended it for everyone.", cut.Find("[data-testid=call-ended]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=restart-meeting]"));
        Assert.Empty(cut.FindAll("[data-testid=rejoin]"));
    }

    [Fact]
    public async Task A_refused_end_for_everyone_leaves_the_call_going_and_not_marked_as_ended_here()
    {
        Api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK, Array.Empty<LobbyEntry>());
        Api.Answer($"POST /api/meetings/{Slug}/end", HttpStatusCode.ServiceUnavailable,
            new { title = "Media server unavailable", detail = "LiveKit did not answer.", status = 503 });
        var cut = Call(Details(role: "Host"));
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true, role: "Host")], [])));

        await Click(cut, "[data-testid=toggle-people]");
        await Click(cut, ".host-controls .danger");
        await Click(cut, "[data-testid=confirm-end]");

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=call-notice]")));
        Assert.False(session.EndedForEveryoneHere);
        Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state"));
    }

    [Fact]
    public async Task A_host_answers_the_lobby_from_a_banner_above_the_stage_without_opening_the_people_panel()
    {
        Api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK,
            new[] { new LobbyEntry("req-1", "Grace", DateTimeOffset.UtcNow), new LobbyEntry("req-2", "Mallory", DateTimeOffset.UtcNow, RemovedBefore: true) });
        Api.Answer($"POST /api/meetings/{Slug}/lobby/req-1/admit", HttpStatusCode.NoContent);
        var cut = Call(Details(role: "Host"));
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true, role: "Host")], [])));

        cut.WaitForAssertion(() => Assert.Equal("2 people are waiting to join", cut.Find("[data-testid=lobby-banner] h2").TextContent));
        Assert.Contains("removed before", cut.Find("[data-testid=lobby-banner] li:last-child").TextContent);
        // In the call's own flow, above the stage: not on the meeting page under the full-screen call.
        Assert.NotNull(cut.Find(".call-banners [data-testid=lobby-banner]"));
        await Click(cut, "[data-testid=lobby-banner] button[aria-label='Admit Grace']");
        cut.WaitForAssertion(() => Assert.Equal("1 person is waiting to join", cut.Find("[data-testid=lobby-banner] h2").TextContent));
        Assert.Contains($"POST /api/meetings/{Slug}/lobby/req-1/admit", Api.Routes);

        // The People panel lists them too; while it is open the banner steps aside (one Admit button per person).
        await Click(cut, "[data-testid=toggle-people]");
        Assert.Empty(cut.FindAll("[data-testid=lobby-banner]"));
        // Saying, as the banner did, that Mallory was removed before: the panel once left it out, and the buttons'
        // names never said it.
        var mallory = cut.Find("[data-testid=lobby-list] li");
        Assert.Equal("removed before", mallory.QuerySelector("[data-testid=removed-before]")?.TextContent);
        Assert.Equal(["Admit Mallory (removed from this meeting before)", "Deny Mallory (removed from this meeting before)"],
            mallory.QuerySelectorAll("button").Select(b => b.GetAttribute("aria-label")));
    }

    [Fact]
    public async Task A_guest_never_sees_the_lobby_banner()
    {
        Api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK, new[] { new LobbyEntry("req-1", "Grace", DateTimeOffset.UtcNow) });
        var cut = Call();
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true)], [])));
        await Notifications.NotifyAsync(new(Slug, MeetingChangeKind.Lobby));
        Assert.Empty(cut.FindAll("[data-testid=lobby-banner]"));
    }

    [Fact]
    public async Task A_muted_person_is_told_who_muted_them_and_nobody_else_is()
    {
        var cut = Call(); // identity me-1
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada")], [])));

        await Notifications.NotifyAsync(new(Slug, MeetingChangeKind.Muted, "ada", "Jo Host", "TR_mic_ada"));
        Assert.Empty(cut.FindAll("[data-testid=call-notice]"));

        await Notifications.NotifyAsync(new(Slug, MeetingChangeKind.Muted, "me-1", "Jo Host", "TR_mic_me-1"));
        cut.WaitForAssertion(() => Assert.StartsWith("Jo Host muted your microphone.", cut.Find("[data-testid=call-notice]").TextContent.Trim()));

        await Notifications.NotifyAsync(new(Slug, MeetingChangeKind.Muted, "me-1", null, "TR_cam_me-1"));
        cut.WaitForAssertion(() => Assert.StartsWith("A host muted your camera.", cut.Find("[data-testid=call-notice]").TextContent.Trim()));
    }

    [Fact]
    public async Task Notices_and_announcements_of_a_call_left_are_gone_on_its_end_screen_and_after_rejoining()
    {
        var cut = Call();
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada"), Person("alan", "Alan")], [])));
        await Notifications.NotifyAsync(new(Slug, MeetingChangeKind.Muted, "me-1", "Jo Host", "TR_mic_me-1"));
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada")], [])));
        cut.WaitForAssertion(() => Assert.StartsWith("Jo Host muted your microphone.", cut.Find("[data-testid=call-notice]").TextContent.Trim()));
        Assert.Equal("Alan left.", cut.Find("[data-testid=announcement]").TextContent);

        await Click(cut, "[data-testid=leave]");
        Assert.Equal("Left", cut.Find("[data-testid=call-ended]").GetAttribute("data-end"));
        Assert.Empty(cut.FindAll("[data-testid=call-notice]"));
        Assert.Equal("", cut.Find("[data-testid=announcement]").TextContent);

        // Back in: Bob came while Grace was away. Whoever is there on joining is not news (as on a first join).
        await cut.InvokeAsync(() => session.RejoinWithAsync(Details(token: "token-2")));
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada"), Person("bob", "Bob")], [])));
        cut.WaitForAssertion(() => Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state")));
        Assert.Empty(cut.FindAll("[data-testid=call-notice]"));
        Assert.Equal("", cut.Find("[data-testid=announcement]").TextContent);
    }

    [Fact]
    public async Task A_refused_moderation_call_is_shown_and_the_call_goes_on()
    {
        Api.Answer($"DELETE /api/meetings/{Slug}/participants/ada", HttpStatusCode.Forbidden,
            new { title = "Not allowed", detail = "Only the host and co-hosts can do this.", status = 403 });
        var cut = Call(Details(role: "Host"));
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true, role: "Host"), Person("ada", "Ada")], [])));
        await Click(cut, "[data-testid=toggle-people]");
        await Click(cut, "button[aria-label='Remove Ada']");
        await Click(cut, "[data-testid=confirm-remove]");
        cut.WaitForAssertion(() => Assert.Contains("Only the host and co-hosts", cut.Find("[data-testid=call-notice]").TextContent));
        Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state"));
    }

    [Fact]
    public async Task A_chat_message_with_an_out_of_range_sentAt_does_not_break_the_page()
    {
        // The message as another participant's browser could craft it, read as Blazor's interop reads the module's JSON.
        var crafted = System.Text.Json.JsonSerializer.Deserialize<ChatMessage>(
            """{"id":"m1","identity":"mallory","name":"Mallory","text":"boom","sentAt":9e15,"isLocal":false}""",
            new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        var cut = Call();
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("mallory", "Mallory")], [])));
        await Click(cut, "[data-testid=toggle-chat]");

        await Play(cut, e => e.OnChat(crafted));

        var line = cut.Find("[data-testid=chat-log] li");
        Assert.Contains("boom", line.TextContent);
        Assert.Equal(Time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture), line.QuerySelector("time")!.GetAttribute("datetime"));
        Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state"));
        Assert.Empty(cut.FindAll("[data-testid=piece-failed]"));
    }

    [Fact]
    public async Task The_reactions_menu_closes_after_a_pick_on_Escape_and_on_a_click_elsewhere()
    {
        // It was a <details> that stayed open over the call after a pick; Meet and Zoom close theirs.
        var cut = Call();
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada")], [])));
        var menu = () => cut.Find("#reactions-menu");
        Assert.True(menu().HasAttribute("hidden"));
        Assert.Equal("false", cut.Find("[data-testid=toggle-reactions]").GetAttribute("aria-expanded"));

        await Click(cut, "[data-testid=toggle-reactions]");
        Assert.False(menu().HasAttribute("hidden"));
        Assert.Equal("true", cut.Find("[data-testid=toggle-reactions]").GetAttribute("aria-expanded"));
        await Click(cut, "button[aria-label='React 🎉']");
        Assert.Contains("reaction:🎉", Media.Calls);
        Assert.True(menu().HasAttribute("hidden"));
        Assert.Equal("false", cut.Find("[data-testid=toggle-reactions]").GetAttribute("aria-expanded"));
        // Focus goes back to the menu's button (bUnit's markup here does not carry element references to compare with:
        // both closes focus the same element, the only one the control bar focuses).
        var button = ((Microsoft.AspNetCore.Components.ElementReference)JSInterop.VerifyFocusAsyncInvoke().Arguments[0]!).Id;
        Assert.False(string.IsNullOrEmpty(button));

        await Click(cut, "[data-testid=toggle-reactions]");
        Assert.False(menu().HasAttribute("hidden"));
        await cut.InvokeAsync(() => cut.Find(".reactions-menu").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Escape" }));
        Assert.True(menu().HasAttribute("hidden"));
        Assert.All(JSInterop.VerifyFocusAsyncInvoke(calledTimes: 2), focus => Assert.Equal(button, ((Microsoft.AspNetCore.Components.ElementReference)focus.Arguments[0]!).Id));

        // A click anywhere else (on the backdrop the open menu lays over the page) closes it without a reaction.
        Assert.Empty(cut.FindAll("[data-testid=reactions-backdrop]"));
        await Click(cut, "[data-testid=toggle-reactions]");
        await Click(cut, "[data-testid=reactions-backdrop]");
        Assert.True(menu().HasAttribute("hidden"));
        Assert.Empty(cut.FindAll("[data-testid=reactions-backdrop]"));
        Assert.Single(Media.Calls, call => call.StartsWith("reaction:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_piece_that_throws_is_replaced_by_a_notice_and_the_call_goes_on()
    {
        var cut = Call();
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada")], [])));
        Media.FailNext = new Microsoft.JSInterop.JSException("the call module failed");

        await Click(cut, "button[aria-label='React 🎉']");

        var failed = cut.Find("[data-testid=piece-failed]");
        Assert.Contains("The call controls stopped working. The call goes on.", failed.TextContent);
        Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state"));
        Assert.Equal(2, cut.FindAll("[data-testid=tile]").Count);
        Assert.False(Media.Disposed);
        Assert.DoesNotContain("leave", Media.Calls);

        // The stage keeps following the call, and the controls come back on request.
        await Play(cut, e => e.OnParticipants(new RoomSnapshot([Person("me-1", "Me", isLocal: true), Person("ada", "Ada"), Person("bob", "Bob")], [])));
        Assert.Equal(3, cut.FindAll("[data-testid=tile]").Count);
        await cut.InvokeAsync(() => failed.QuerySelector("button")!.Click());
        Assert.Empty(cut.FindAll("[data-testid=piece-failed]"));
        await Click(cut, "[data-testid=toggle-hand]");
        Assert.Contains("hand:True", Media.Calls);
    }

    [Fact]
    public async Task A_flood_of_chat_keeps_only_the_latest_messages_on_the_page()
    {
        var cut = Call();
        await Click(cut, "[data-testid=toggle-chat]");
        for (var i = 0; i < CallSession.MaxChatMessages + 100; i++)
        {
            await Play(cut, e => e.OnChat(new ChatMessage($"m{i}", "mallory", "Mallory", $"spam {i}", false)));
        }
        var lines = cut.FindAll("[data-testid=chat-log] li");
        Assert.Equal(CallSession.MaxChatMessages, lines.Count);
        Assert.Contains($"spam {CallSession.MaxChatMessages + 99}", lines[^1].TextContent);
    }
}
