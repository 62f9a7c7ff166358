using System.Net;
using Bunit;
using Microsoft.AspNetCore.Components;
using Conference.Web.Api;
using Conference.Web.Components.Call;
using Conference.Web.Meetings;
using Microsoft.Extensions.DependencyInjection;

namespace Conference.Tests.Web.Call;

public class PreJoinAndCallTests : CallTestBase
{
    const string Slug = "abc-defg-hij";

    readonly Bunit.TestDoubles.BunitPersistentComponentState pageState;

    public PreJoinAndCallTests()
    {
        Services.AddHttpContextAccessor();
        pageState = AddBunitPersistentComponentState();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    IRenderedComponent<PreJoinAndCall> Page() =>
        Render<PreJoinAndCall>(p => p.Add(x => x.Slug, Slug));

    void MeetingExists(bool locked = false) => Api.Answer($"GET /api/meetings/{Slug}", HttpStatusCode.OK, new Meeting(Slug, "Weekly sync", "Ada", DateTimeOffset.UtcNow,
        null, "NotStarted", null, null, new MeetingSettings(true, locked, 50, false, RecordingAccess.HostOnly)));

    [Fact]
    public async Task The_pre_join_says_a_meeting_is_locked_before_the_join_click_and_follows_the_host_unlocking_it()
    {
        MeetingExists(locked: true);
        var cut = Page();
        cut.WaitForAssertion(() => Assert.StartsWith("The host has locked this meeting", cut.Find("[data-testid=meeting-locked]").TextContent));

        // The host unlocks it while this person sets up their camera: pushed, the notice goes.
        MeetingExists(locked: false);
        await Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.Lock));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=meeting-locked]")));
    }

    [Fact]
    public async Task A_removed_person_is_told_before_setting_up_and_may_ask_again_once_the_lobby_is_on()
    {
        // The api says "removed" only to the key it removed, which the page sends with its GET (newcomer 20 reloaded
        // after being removed and set up camera and name before Join told them).
        var lobby = false;
        Api.Answer($"GET /api/meetings/{Slug}", request => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = System.Net.Http.Json.JsonContent.Create(new Meeting(Slug, "Weekly sync", "Ada", DateTimeOffset.UtcNow, null, "NotStarted", null, null,
                new MeetingSettings(lobby, false, 50, false, RecordingAccess.HostOnly),
                CallerWasRemoved: request.Headers.TryGetValues(ApiClient.ParticipantKeyHeader, out var keys) && keys.Single() == "kept-key"),
                options: ApiClient.Json),
        }));
        pageState.Persist("participant-key", "kept-key");
        var cut = Page();
        cut.WaitForAssertion(() => Assert.Equal("You were removed from this meeting", cut.Find("[data-testid=meeting-removed] h1").TextContent));
        Assert.Empty(cut.FindAll("#display-name"));

        // The host turns the lobby on (pushed): the pre-join comes back, saying they may ask again.
        lobby = true;
        await Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.Settings));
        cut.WaitForAssertion(() => Assert.StartsWith("You were removed from this meeting. You can ask to join again",
            cut.Find("[data-testid=meeting-removed-ask-again]").TextContent));
        Assert.Single(cut.FindAll("#display-name"));
        Assert.Empty(cut.FindAll("[data-testid=meeting-removed]"));
    }

    static void Join(IRenderedComponent<PreJoinAndCall> cut)
    {
        // Pre-join has started its preview and listed the devices: its first-render work is done.
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#camera-select option").Count));
        cut.Find("#display-name").Input("Grace");
        cut.Find("form").Submit();
    }

    [Fact]
    public void Pre_join_then_an_encrypted_call_with_the_api_s_token_the_passphrase_staying_in_the_browser()
    {
        MeetingExists();
        Preview.Encrypted = true;
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.OK, new JoinResult("joined", Details(token: "api-token"), null));
        var cut = Page();
        cut.WaitForAssertion(() => Assert.Contains("end-to-end encrypted", cut.Markup));

        Join(cut);

        cut.WaitForAssertion(() => Assert.Equal("Call", cut.Find("[data-testid=meeting]").GetAttribute("data-step")));
        cut.WaitForAssertion(() => Assert.Equal("api-token", Media.LastConnect?.Token));
        Assert.True(Media.LastConnect!.Value.Encrypted);
        Assert.Contains("\"displayName\":\"Grace\"", Api.Requests.Single(r => r.Route.EndsWith("/join")).Body);
    }

    [Fact]
    public async Task The_tab_holds_a_call_from_joining_until_the_page_lets_go_of_it()
    {
        // What keeps a call alive when the person's sign-in ends mid-call (MainLayout, SignInEndedComponentTests).
        MeetingExists();
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.OK, new JoinResult("joined", Details(token: "api-token"), null));
        var call = Services.GetRequiredService<CallOnThisTab>();
        var over = 0;
        call.Over += () => over++;
        var cut = Page();
        Assert.False(call.IsOn);

        Join(cut);
        cut.WaitForAssertion(() => Assert.Equal("Call", cut.Find("[data-testid=meeting]").GetAttribute("data-step")));
        Assert.True(call.IsOn);

        await cut.InvokeAsync(() => cut.Instance.DisposeAsync().AsTask()); // the person goes to another page
        Assert.False(call.IsOn);
        Assert.Equal(1, over);
    }

    [Fact]
    public async Task The_call_is_over_for_the_tab_once_its_end_screen_shows_and_a_rejoin_holds_it_again()
    {
        // A call page whose sign-in ended stayed "in the call" on "You left the meeting", so it was not sent to sign
        // in: its Rejoin came back as a new guest, and host actions were refused with an error.
        MeetingExists();
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.OK, new JoinResult("joined", Details(token: "api-token"), null));
        var call = Services.GetRequiredService<CallOnThisTab>();
        var over = 0;
        call.Over += () => over++;
        var cut = Page();
        Join(cut);
        cut.WaitForAssertion(() => Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state")));
        Assert.True(call.IsOn);

        await cut.InvokeAsync(() => cut.Find("[data-testid=leave]").Click());
        cut.WaitForAssertion(() => Assert.Equal("Left", cut.Find("[data-testid=call-ended]").GetAttribute("data-end")));
        Assert.False(call.IsOn);
        Assert.Equal(1, over);

        await cut.InvokeAsync(() => cut.Find("[data-testid=rejoin]").Click());
        cut.WaitForAssertion(() => Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state")));
        Assert.True(call.IsOn);

        // Every end screen, not only "You left": here a host ends the meeting for everyone.
        await cut.InvokeAsync(() => Media.Events!.OnConnectionState(MediaConnectionState.Disconnected, DisconnectReason.RoomDeleted));
        cut.WaitForAssertion(() => Assert.Equal("MeetingEnded", cut.Find("[data-testid=call-ended]").GetAttribute("data-end")));
        Assert.False(call.IsOn);
        Assert.Equal(2, over);

        await cut.InvokeAsync(() => cut.Instance.DisposeAsync().AsTask());
        Assert.Equal(2, over); // over once per call
    }

    [Fact]
    public async Task A_guest_whose_meeting_ended_joins_the_call_started_again_through_the_lobby()
    {
        MeetingExists();
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.OK, new JoinResult("joined", Details(token: "first-token"), null));
        var cut = Page();
        Join(cut);
        cut.WaitForAssertion(() => Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state")));
        await cut.InvokeAsync(() => Media.Events!.OnConnectionState(MediaConnectionState.Disconnected, DisconnectReason.RoomDeleted));
        cut.WaitForAssertion(() => Assert.Equal("The meeting has ended.", cut.Find("[data-testid=call-ended] h1").TextContent));

        // The host starts it again: the same push the host's own end screen follows.
        Time.Advance(TimeSpan.FromMinutes(1));
        Api.Answer($"GET /api/meetings/{Slug}", HttpStatusCode.OK, new Meeting(Slug, "Weekly sync", "Ada", DateTimeOffset.UtcNow, Time.GetUtcNow(),
            "InProgress", Time.GetUtcNow(), null, new MeetingSettings(true, false, 50, false, RecordingAccess.HostOnly)));
        await cut.InvokeAsync(() => Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.RoomStarted)));
        cut.WaitForAssertion(() => Assert.Equal("The meeting has started again.", cut.Find("[data-testid=call-ended] h1").TextContent));

        // Join asks the api as a join does: this meeting has a lobby, so the guest waits there, then joins when let in.
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.Accepted, new JoinResult("waiting", null, "req-2", "ticket-2"));
        Api.Answer($"POST /api/meetings/{Slug}/lobby/req-2", HttpStatusCode.OK, new JoinResult("waiting", null, "req-2"));
        await cut.InvokeAsync(() => cut.Find("[data-testid=join-again]").Click());
        cut.WaitForAssertion(() => Assert.Equal("Lobby", cut.Find("[data-testid=meeting]").GetAttribute("data-step")));
        cut.WaitForAssertion(() => Assert.Contains($"POST /api/meetings/{Slug}/lobby/req-2", Api.Routes));

        Api.Answer($"POST /api/meetings/{Slug}/lobby/req-2", HttpStatusCode.OK, new JoinResult("joined", Details(token: "second-token"), null));
        await cut.InvokeAsync(() => Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.Lobby)));
        cut.WaitForAssertion(() => Assert.Equal("second-token", Media.LastConnect?.Token));
        cut.WaitForAssertion(() => Assert.Equal("Connected", cut.Find("[data-testid=call-room]").GetAttribute("data-state")));
    }

    [Fact]
    public void A_guest_in_a_lobby_meeting_waits_and_joins_when_admitted()
    {
        MeetingExists();
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.Accepted, new JoinResult("waiting", null, "req-9", "ticket-9", "key-9"));
        Api.Answer($"POST /api/meetings/{Slug}/lobby/req-9", HttpStatusCode.OK, new JoinResult("waiting", null, "req-9"));
        var cut = Page();
        Join(cut);

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=lobby-waiting]")));
        cut.WaitForAssertion(() => Assert.Single(Api.Routes, r => r == $"POST /api/meetings/{Slug}/lobby/req-9"));
        Assert.Empty(Media.Calls);
        // The ticket only this join got goes with every poll; the key goes to the browser's HttpOnly cookie.
        cut.WaitForAssertion(() => Assert.Contains("\"ticket\":\"ticket-9\"", Api.Requests.Last(r => r.Route.EndsWith("/lobby/req-9")).Body));
        Assert.Contains(JSInterop.Invocations, i => i.Identifier == "fetch" && (string?)i.Arguments[0] == $"/m/{Slug}/participant-key");

        // The host admits: the api publishes the lobby change, and the page asks once more.
        Api.Answer($"POST /api/meetings/{Slug}/lobby/req-9", HttpStatusCode.OK, new JoinResult("joined", Details(token: "admitted-token"), null));
        cut.InvokeAsync(() => Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.Lobby)));
        cut.WaitForAssertion(() => Assert.Equal("admitted-token", Media.LastConnect?.Token));
    }

    [Fact]
    public void The_participant_key_the_page_was_rendered_with_goes_with_the_join()
    {
        MeetingExists();
        pageState.Persist("participant-key", "kept-key");
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.OK, new JoinResult("joined", Details(token: "api-token"), null));
        var cut = Page();
        Join(cut);
        cut.WaitForAssertion(() => Assert.Contains("\"participantKey\":\"kept-key\"", Api.Requests.Single(r => r.Route.EndsWith("/join")).Body));
    }

    /// <summary>The meeting's page, joined, with its call controls rendered.</summary>
    IRenderedComponent<PreJoinAndCall> JoinedPage()
    {
        MeetingExists();
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.OK, new JoinResult("joined", Details(), null));
        var page = Page();
        Join(page);
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=toggle-chat]")));
        return page;
    }

    [Fact]
    public async Task A_new_circuit_takes_the_call_over_with_the_panel_that_was_open_and_the_chat_read_as_far_as_it_was()
    {
        var first = JoinedPage();
        var hello = new ChatMessage("m1", "ada", "Ada", "hello", false);
        var agenda = new ChatMessage("m2", "ada", "Ada", "the agenda", false);
        var later = new ChatMessage("m3", "ada", "Ada", "while you were away", false);
        // Grace reads Ada's first two messages (the chat open), closes the chat and opens the list of people.
        await first.InvokeAsync(() => Media.Events!.OnChat(hello));
        await first.InvokeAsync(() => first.Find("[data-testid=toggle-chat]").Click());
        await first.InvokeAsync(() => Media.Events!.OnChat(agenda));
        await first.InvokeAsync(() => first.Find("[data-testid=toggle-people]").Click());

        // The circuit goes (Blazor persists its state); the tab's call module kept the call and its chat, with one
        // message more that arrived while no circuit was there. A new circuit renders the page with that state.
        pageState.TriggerOnPersisting();
        Media.LiveCall = async events =>
        {
            await events.OnConnectionState(MediaConnectionState.Connected, null);
            await events.OnParticipants(new RoomSnapshot([Person("me-1", "Grace", isLocal: true), Person("ada", "Ada")], []));
            foreach (var message in new[] { hello, agenda, later })
            {
                await events.OnChat(message);
            }
        };
        var second = Page();

        second.WaitForAssertion(() => Assert.Equal("true", second.Find("[data-testid=call-room]").GetAttribute("data-resumed")));
        Assert.Equal(1, Media.Calls.Count(c => c == "connect")); // taken over, not joined again
        Assert.Equal("true", second.Find("[data-testid=toggle-people]").GetAttribute("aria-pressed"));
        Assert.Equal("1", second.Find("[data-testid=chat-unread]").TextContent);
        Assert.Equal("Chat, 1 unread", second.Find("[data-testid=toggle-chat]").GetAttribute("aria-label"));
    }

    [Fact]
    public async Task A_call_taken_over_with_the_chat_open_has_nothing_unread()
    {
        var first = JoinedPage();
        var hello = new ChatMessage("m1", "ada", "Ada", "hello", false);
        await first.InvokeAsync(() => first.Find("[data-testid=toggle-chat]").Click());
        await first.InvokeAsync(() => Media.Events!.OnChat(hello));

        pageState.TriggerOnPersisting();
        Media.LiveCall = async events =>
        {
            await events.OnConnectionState(MediaConnectionState.Connected, null);
            await events.OnChat(hello);
            await events.OnChat(new ChatMessage("m2", "ada", "Ada", "while you were away", false));
        };
        var second = Page();

        second.WaitForAssertion(() => Assert.Equal("true", second.Find("[data-testid=call-room]").GetAttribute("data-resumed")));
        Assert.Equal("true", second.Find("[data-testid=toggle-chat]").GetAttribute("aria-pressed"));
        Assert.Equal(["hello", "while you were away"], second.FindAll("[data-testid=chat-log] li p").Select(p => p.TextContent));
        Assert.Empty(second.FindAll("[data-testid=chat-unread]"));
    }

    /// <summary>
    /// Grace, in a call with Ada and Alan, chooses the speaker layout and pins <paramref name="pinned"/>; her circuit
    /// goes and a new one takes the call over with <paramref name="handedOver"/> in it.
    /// </summary>
    async Task<IRenderedComponent<PreJoinAndCall>> TakenOverAfterPinning(string pinned, params ParticipantState[] handedOver)
    {
        var first = JoinedPage();
        await first.InvokeAsync(() => Media.Events!.OnParticipants(new RoomSnapshot(
            [Person("me-1", "Grace", isLocal: true), Person("ada", "Ada"), Person("alan", "Alan")], [])));
        await first.InvokeAsync(() => first.Find("[data-testid=toggle-layout]").Click());
        await first.InvokeAsync(() => first.Find($"[data-testid=tile][data-identity={pinned}] .tile-pin").Click());
        first.WaitForAssertion(() => Assert.Equal("true", first.Find($"[data-testid=tile][data-identity={pinned}] .tile-pin").GetAttribute("aria-pressed")));

        pageState.TriggerOnPersisting();
        Media.LiveCall = async events =>
        {
            await events.OnConnectionState(MediaConnectionState.Connected, null);
            await events.OnParticipants(new RoomSnapshot(handedOver, []));
        };
        var second = Page();
        second.WaitForAssertion(() => Assert.Equal("true", second.Find("[data-testid=call-room]").GetAttribute("data-resumed")));
        second.WaitForAssertion(() => Assert.Equal(handedOver.Length, second.FindAll("[data-testid=tile]").Count));
        return second;
    }

    [Fact]
    public async Task A_new_circuit_takes_the_call_over_with_the_layout_and_the_pin_it_had()
    {
        var second = await TakenOverAfterPinning("alan", Person("me-1", "Grace", isLocal: true), Person("ada", "Ada"), Person("alan", "Alan"));

        Assert.Equal("Switch to grid layout", second.Find("[data-testid=toggle-layout]").GetAttribute("aria-label"));
        // Alan is on the stage and pinned, though Ada is the one whose voice the speaker layout would otherwise follow.
        Assert.Equal("alan", second.Find(".stage-focus [data-testid=tile]").GetAttribute("data-identity"));
        Assert.Equal("true", second.Find(".stage-focus .tile-pin").GetAttribute("aria-pressed"));
    }

    [Fact]
    public async Task A_new_circuit_shows_the_stage_it_was_left_with_while_the_tab_hands_the_call_over()
    {
        var first = JoinedPage();
        await first.InvokeAsync(() => Media.Events!.OnParticipants(new RoomSnapshot(
            [Person("me-1", "Grace", isLocal: true), Person("ada", "Ada"), Person("alan", "Alan")], [])));
        pageState.TriggerOnPersisting();

        // The tab takes its time handing the call over (a round trip to the browser on a loaded server).
        var handOver = new TaskCompletionSource();
        Media.LiveCall = async events =>
        {
            await handOver.Task;
            await events.OnConnectionState(MediaConnectionState.Connected, null);
            await events.OnParticipants(new RoomSnapshot([Person("me-1", "Grace", isLocal: true), Person("ada", "Ada")], []));
        };
        var second = Page();

        // Meanwhile: the three tiles the lost circuit showed, not "Connecting to the meeting…" over the whole call.
        second.WaitForAssertion(() => Assert.Equal(["ada", "alan", "me-1"], second.FindAll("[data-testid=tile]").Select(t => t.GetAttribute("data-identity")).Order()));
        Assert.Empty(second.FindAll("[data-testid=call-connecting]"));
        Assert.Null(second.Find("[data-testid=call-room]").GetAttribute("data-resumed"));

        handOver.SetResult();
        second.WaitForAssertion(() => Assert.Equal("true", second.Find("[data-testid=call-room]").GetAttribute("data-resumed")));
        second.WaitForAssertion(() => Assert.Equal(["ada", "me-1"], second.FindAll("[data-testid=tile]").Select(t => t.GetAttribute("data-identity")).Order()));
        Assert.Equal(1, Media.Calls.Count(c => c == "connect")); // taken over, not joined again
        // Alan left while no circuit was there: that is news, and said as such.
        Assert.Equal("Alan left.", second.FindComponent<CallRoom>().Instance.Session.Announcement);
    }

    [Fact]
    public async Task A_pinned_person_who_left_while_the_circuit_was_away_is_no_longer_pinned()
    {
        var second = await TakenOverAfterPinning("alan", Person("me-1", "Grace", isLocal: true), Person("ada", "Ada"));

        // The layout stays; the stage falls back to what the speaker layout shows without a pin (the remote person).
        Assert.Equal("Switch to grid layout", second.Find("[data-testid=toggle-layout]").GetAttribute("aria-label"));
        Assert.Equal("ada", second.Find(".stage-focus [data-testid=tile]").GetAttribute("data-identity"));
        Assert.All(second.FindAll(".tile-pin"), pin => Assert.Equal("false", pin.GetAttribute("aria-pressed")));
        Assert.Null(second.FindComponent<CallRoom>().Instance.Session.Pinned);
    }

    /// <summary>The accessible names of the page's buttons that answer <paramref name="name"/>'s lobby request, hidden or not.</summary>
    static List<string> LobbyButtons(IRenderedComponent<PreJoinAndCall> page, string name) =>
        page.FindAll("button").Select(b => b.GetAttribute("aria-label") ?? b.TextContent.Trim())
            .Where(label => label is var l && (l == $"Admit {name}" || l == $"Deny {name}" || l == "Deny"))
            .ToList();

    [Fact]
    public async Task A_host_in_the_call_has_one_Admit_and_one_Deny_for_a_waiting_person_the_page_s_waiting_room_card_gone()
    {
        // The meeting page puts its waiting-room card outside the call. Once it sat on under the full-screen call,
        // hidden by a style only: a second Admit and Deny per person that a test (or a screen reader's list of
        // buttons) could reach.
        MeetingExists();
        Api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK, new[] { new LobbyEntry("req-1", "Sam", DateTimeOffset.UtcNow) });
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.OK, new JoinResult("joined", Details(role: "Host"), null));
        var page = Render<PreJoinAndCall>(p => p
            .Add(x => x.Slug, Slug)
            .Add<Conference.Web.Components.Meetings.WaitingRoom>(x => x.OutsideCall, room => room.Add(r => r.Slug, Slug)));
        // Before joining, the host answers the lobby from the page's card.
        page.WaitForAssertion(() => Assert.Equal(["Admit Sam", "Deny Sam"], LobbyButtons(page, "Sam")));

        Join(page);
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=toggle-people]")));
        await page.InvokeAsync(() => Media.Events!.OnParticipants(new RoomSnapshot([Person("me-1", "Grace", isLocal: true, role: "Host")], [])));

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=lobby-banner]")));
        Assert.Empty(page.FindAll(".waiting-room"));
        Assert.Equal(["Admit Sam", "Deny Sam"], LobbyButtons(page, "Sam"));
        // With the People panel open the banner steps aside: still one of each.
        await page.InvokeAsync(() => page.Find("[data-testid=toggle-people]").Click());
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=lobby-banner]")));
        Assert.Equal(["Admit Sam", "Deny Sam"], LobbyButtons(page, "Sam"));
    }

    [Fact]
    public async Task Two_waiting_with_the_same_name_are_told_apart_by_when_they_asked()
    {
        // A guest whose browser died was still listed when they asked again: two identical "Admit Gus Guest" buttons.
        MeetingExists();
        var now = Time.GetUtcNow();
        Api.Answer($"GET /api/meetings/{Slug}/lobby", HttpStatusCode.OK, new[]
        {
            new LobbyEntry("req-1", "Gus Guest", now.AddMinutes(-4)), new LobbyEntry("req-2", "Gus Guest", now.AddSeconds(-3)),
            new LobbyEntry("req-3", "Sam", now.AddMinutes(-2)),
        });
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.OK, new JoinResult("joined", Details(role: "Host"), null));
        var page = Render<PreJoinAndCall>(p => p
            .Add(x => x.Slug, Slug)
            .Add<Conference.Web.Components.Meetings.WaitingRoom>(x => x.OutsideCall, room => room.Add(r => r.Slug, Slug)));

        List<string> Labels(string verb) => page.FindAll("button").Select(b => b.GetAttribute("aria-label") ?? b.TextContent.Trim())
            .Where(label => label.StartsWith(verb + " ", StringComparison.Ordinal)).ToList();
        // What a sighted host reads of each entry: after a minute two "Gus Guest · asked 1 min ago" looked the same, so
        // the order of asking shows beside the time, as the buttons' names say it.
        List<string> Seen() => page.FindAll("li:has([data-testid=lobby-asked])")
            .Select(li => string.Join(" ", li.QuerySelectorAll(".lobby-name, [data-testid=lobby-asked], [data-testid=lobby-place]").Select(e => e.TextContent.Trim()))).ToList();

        page.WaitForAssertion(() => Assert.Equal(["Admit Gus Guest, 1st of 2 to ask", "Admit Gus Guest, 2nd of 2 to ask", "Admit Sam"], Labels("Admit")));
        Assert.Equal(["asked 4 min ago", "asked just now", "asked 2 min ago"], page.FindAll("[data-testid=lobby-asked]").Select(e => e.TextContent).ToList());
        Assert.Equal(now.AddMinutes(-4).ToString("O"), page.Find("[data-testid=lobby-asked] time").GetAttribute("datetime"));
        // The waiting-room card is a live region: its ticking times must not be read aloud each second.
        Assert.All(page.FindAll("[data-testid=lobby-asked]"), asked => Assert.Equal("off", asked.GetAttribute("aria-live")));
        // The words keep up while the list is open (a newcomer saw "asked just now" for minutes): seconds in the first
        // minute, then minutes; the labels keep the order of asking.
        Time.Advance(TimeSpan.FromSeconds(17));
        page.WaitForAssertion(() => Assert.Equal(["asked 4 min ago", "asked 20 s ago", "asked 2 min ago"], page.FindAll("[data-testid=lobby-asked]").Select(e => e.TextContent).ToList()));
        Time.Advance(TimeSpan.FromSeconds(43));
        page.WaitForAssertion(() => Assert.Equal(["asked 5 min ago", "asked 1 min ago", "asked 3 min ago"], page.FindAll("[data-testid=lobby-asked]").Select(e => e.TextContent).ToList()));
        Assert.Equal(["Admit Gus Guest, 1st of 2 to ask", "Admit Gus Guest, 2nd of 2 to ask", "Admit Sam"], Labels("Admit"));
        Assert.Equal(["Gus Guest asked 5 min ago · 1st of 2 to ask", "Gus Guest asked 1 min ago · 2nd of 2 to ask", "Sam asked 3 min ago"], Seen());

        // In the call, the banner and the People panel say the same.
        Join(page);
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=toggle-people]")));
        await page.InvokeAsync(() => Media.Events!.OnParticipants(new RoomSnapshot([Person("me-1", "Grace", isLocal: true, role: "Host")], [])));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=lobby-banner]")));
        Assert.Equal(["Deny Gus Guest, 1st of 2 to ask", "Deny Gus Guest, 2nd of 2 to ask", "Deny Sam"], Labels("Deny"));
        Assert.Equal(["Gus Guest asked 5 min ago · 1st of 2 to ask", "Gus Guest asked 1 min ago · 2nd of 2 to ask", "Sam asked 3 min ago"], Seen());
        await page.InvokeAsync(() => page.Find("[data-testid=toggle-people]").Click());
        page.WaitForAssertion(() => Assert.Equal(["Admit Gus Guest, 1st of 2 to ask", "Admit Gus Guest, 2nd of 2 to ask", "Admit Sam"], Labels("Admit")));
        Assert.Equal(["Gus Guest asked 5 min ago · 1st of 2 to ask", "Gus Guest asked 1 min ago · 2nd of 2 to ask", "Sam asked 3 min ago"], Seen());
    }

    [Fact]
    public void A_refused_join_stays_on_pre_join_with_the_api_s_reason()
    {
        MeetingExists();
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.Forbidden,
            new { title = "Meeting locked", detail = "The host has locked this meeting; nobody new can join.", status = 403 });
        var cut = Page();
        Join(cut);
        cut.WaitForAssertion(() => Assert.Contains("locked this meeting", cut.Find("[data-testid=join-error]").TextContent));
        Assert.Equal("PreJoin", cut.Find("[data-testid=meeting]").GetAttribute("data-step"));
    }

    [Fact]
    public async Task A_locked_refusal_under_Join_goes_when_the_host_unlocks()
    {
        // The banner above went live while "The host has locked this meeting" stayed under Join (and Join then worked).
        MeetingExists(locked: true);
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.Forbidden,
            new { title = "Meeting locked", detail = "The host has locked this meeting; nobody new can join.", status = 403 });
        var cut = Page();
        Join(cut);
        cut.WaitForAssertion(() => Assert.Contains("locked this meeting", cut.Find("[data-testid=join-error]").TextContent));

        MeetingExists(locked: false);
        await Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.Lock));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=meeting-locked]")));
        Assert.Empty(cut.FindAll("[data-testid=join-error]"));
    }

    /// <summary>The api's answer while Redis is down (DependencyUnavailableExceptionHandler): 503, Retry-After, its own words.</summary>
    static HttpResponseMessage RedisDown(int retryAfterSeconds)
    {
        var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
        {
            Content = new StringContent("""{"title":"Service unavailable","status":503,"detail":"Redis (waiting rooms and live updates) is unavailable; try again in a few seconds."}""",
                System.Text.Encoding.UTF8, "application/problem+json"),
        };
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(retryAfterSeconds));
        return response;
    }

    int JoinsAsked => Api.Routes.Count(r => r == $"POST /api/meetings/{Slug}/join");

    [Fact]
    public void A_join_while_redis_is_down_says_so_plainly_and_joins_by_itself_when_the_api_said_to()
    {
        // A guest saw "Redis (waiting rooms and live updates) is unavailable; try again in a few seconds." and the page
        // never asked again.
        MeetingExists();
        Api.Answer($"POST /api/meetings/{Slug}/join", _ => Task.FromResult(RedisDown(7)));
        var cut = Page();
        Join(cut);

        cut.WaitForAssertion(() => Assert.Equal("Joining is paused for a moment on our side. Trying again…",
            cut.Find("[data-testid=join-error]").TextContent.Trim()));
        Assert.DoesNotContain("Redis", cut.Find("[data-testid=join-error]").TextContent);
        Assert.Contains("Redis (waiting rooms and live updates) is unavailable", cut.Find("[data-testid=failure-detail]").TextContent);
        Assert.Equal("Try now", cut.Find("button[type=submit]").TextContent.Trim());
        Assert.Equal(1, JoinsAsked);

        // Not before the api's Retry-After…
        Time.Advance(TimeSpan.FromSeconds(6));
        cut.WaitForAssertion(() => Assert.Equal("Try now", cut.Find("button[type=submit]").TextContent.Trim()));
        Assert.Equal(1, JoinsAsked);

        // …and then by itself, with the same name: Redis is back.
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.OK, new JoinResult("joined", Details(token: "api-token"), null));
        Time.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Assert.Equal("Call", cut.Find("[data-testid=meeting]").GetAttribute("data-step")));
        Assert.Equal(2, JoinsAsked);
        Assert.Contains("\"displayName\":\"Grace\"", Api.Requests.Last(r => r.Route.EndsWith("/join")).Body);
    }

    [Fact]
    public void Try_now_joins_at_once_while_the_page_waits_to_ask_again()
    {
        MeetingExists();
        Api.Answer($"POST /api/meetings/{Slug}/join", _ => Task.FromResult(RedisDown(30)));
        var cut = Page();
        Join(cut);
        cut.WaitForAssertion(() => Assert.Equal("Try now", cut.Find("button[type=submit]").TextContent.Trim()));

        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.OK, new JoinResult("joined", Details(token: "api-token"), null));
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Equal("Call", cut.Find("[data-testid=meeting]").GetAttribute("data-step")));
        Assert.Equal(2, JoinsAsked);
    }

    [Fact]
    public void A_name_the_api_refuses_is_explained_in_the_page_s_words_not_the_api_s()
    {
        MeetingExists();
        Api.Answer($"POST /api/meetings/{Slug}/join", HttpStatusCode.BadRequest, new
        {
            title = "One or more validation errors occurred.",
            status = 400,
            errors = new Dictionary<string, string[]> { ["displayName"] = ["The displayName must not contain control characters."] },
        });
        var cut = Page();
        Join(cut);
        cut.WaitForAssertion(() => Assert.Equal("Your name must not contain control characters.", cut.Find("[data-testid=join-error]").TextContent.Trim()));
        Assert.DoesNotContain("displayName", cut.Find("[data-testid=join-error]").TextContent);
    }

    [Fact]
    public void An_unknown_meeting_says_so_instead_of_offering_to_join()
    {
        var cut = Page();
        cut.WaitForAssertion(() => Assert.Contains("no meeting at this address", cut.Find("[data-testid=meeting-unavailable]").TextContent));
        Assert.Empty(cut.FindAll("#display-name"));
    }
}
