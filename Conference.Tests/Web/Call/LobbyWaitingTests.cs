using System.Net;
using Bunit;
using Conference.Web.Api;
using Conference.Web.Components.Call;
using Conference.Web.Meetings;
using Microsoft.Extensions.DependencyInjection;

namespace Conference.Tests.Web.Call;

public class LobbyWaitingTests : CallTestBase
{
    const string Slug = "abc-defg-hij";
    const string StatusRoute = $"POST /api/meetings/{Slug}/lobby/req-1";

    const string WithdrawRoute = $"POST /api/meetings/{Slug}/lobby/req-1/withdraw";

    IRenderedComponent<LobbyWaiting> Wait(Action<JoinDetails>? admitted = null, Action? cancelled = null) =>
        Render<LobbyWaiting>(p => p
            .Add(x => x.Slug, Slug)
            .Add(x => x.RequestId, "req-1")
            .Add(x => x.Ticket, "ticket-1")
            .Add(x => x.DisplayName, "Ada")
            .Add(x => x.OnAdmitted, (JoinDetails d) => admitted?.Invoke(d))
            .Add(x => x.OnCancel, () => cancelled?.Invoke()));

    int Withdrawn => Api.Requests.Count(r => r.Route == WithdrawRoute && r.Body == """{"ticket":"ticket-1"}""");

    [Fact]
    public async Task Leave_the_lobby_withdraws_the_request_before_going_back()
    {
        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("waiting", null, "req-1"));
        Api.Answer(WithdrawRoute, HttpStatusCode.NoContent);
        var withdrawnWhenCancelled = -1;
        var cut = Wait(cancelled: () => withdrawnWhenCancelled = Withdrawn);
        cut.WaitForAssertion(() => Assert.Equal(1, Asked));

        await cut.InvokeAsync(() => cut.Find("[data-testid=leave-lobby]").Click());

        cut.WaitForAssertion(() => Assert.Equal(1, withdrawnWhenCancelled));
        // No longer waiting: a lobby change asks nothing, and the page going later withdraws nothing more.
        await Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.Lobby));
        await DisposeComponentsAsync();
        Assert.Equal(1, Asked);
        Assert.Equal(1, Withdrawn);
    }

    [Fact]
    public async Task A_waiting_page_whose_circuit_ends_withdraws_the_request()
    {
        // A closed tab whose beacon did not arrive: the circuit's end is the fallback (a newcomer's host still saw
        // "Closer" waiting 40 s after the tab was closed, with nothing withdrawn).
        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("waiting", null, "req-1"));
        Api.Answer(WithdrawRoute, HttpStatusCode.NoContent);
        var cut = Wait();
        cut.WaitForAssertion(() => Assert.Equal(1, Asked));
        Assert.Equal(0, Withdrawn);

        await DisposeComponentsAsync();

        await WaitUntilAsync(() => Withdrawn == 1);
    }

    [Fact]
    public async Task A_waiting_page_whose_connection_stays_down_past_the_grace_withdraws_the_request()
    {
        // A browser killed while waiting sends no beacon, and Blazor keeps its circuit for minutes: the hosts saw the
        // ghost that long, and a second ask by the same name showed two identical "Admit" buttons.
        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("waiting", null, "req-1"));
        Api.Answer(WithdrawRoute, HttpStatusCode.NoContent);
        var connection = Services.GetRequiredService<Conference.Web.Circuits.CircuitConnection>();
        var cut = Wait();
        cut.WaitForAssertion(() => Assert.Equal(1, Asked));

        // A blip shorter than the grace changes nothing.
        await cut.InvokeAsync(connection.Down);
        Time.Advance(LobbyWaiting.ConnectionGrace - TimeSpan.FromSeconds(1));
        await cut.InvokeAsync(connection.Up);
        Time.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(200); // a withdrawal would be on its way by now (it is sent without waiting)
        Assert.Equal(0, Withdrawn);
        Assert.Contains("Waiting to be let in", cut.Markup);

        // Down for the whole grace: the request goes, while the circuit still lives.
        await cut.InvokeAsync(connection.Down);
        Time.Advance(LobbyWaiting.ConnectionGrace);
        await WaitUntilAsync(() => Withdrawn == 1);
        // Should the page come back after all, it says what happened and offers to go back and ask again.
        await cut.InvokeAsync(connection.Up);
        cut.WaitForAssertion(() => Assert.Equal("You left the lobby", cut.Find("#lobby-title").TextContent));
        Assert.Contains("ask again", cut.Find("[data-testid=lobby-denied]").TextContent);

        await DisposeComponentsAsync();
        await Task.Delay(200);
        Assert.Equal(1, Withdrawn);
    }

    [Fact]
    public async Task A_page_let_in_or_refused_withdraws_nothing_when_it_goes()
    {
        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("joined", Details(), null));
        var admitted = new TaskCompletionSource<JoinDetails>();
        Wait(d => admitted.TrySetResult(d));
        await admitted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await DisposeComponentsAsync();
        await Task.Delay(200); // a withdrawal would be on its way by now (it is sent without waiting)
        Assert.Equal(0, Withdrawn);
    }

    [Fact]
    public void The_page_arms_a_pagehide_beacon_with_a_note_only_this_server_can_open()
    {
        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("waiting", null, "req-1"));
        var module = JSInterop.SetupModule("./js/call.js");
        var cut = Wait();

        cut.WaitForAssertion(() => Assert.Single(module.Invocations, i => i.Identifier == "leaveLobbyOnPageHide"));
        var invocation = module.Invocations.Single(i => i.Identifier == "leaveLobbyOnPageHide");
        Assert.Equal("/m/abc-defg-hij/lobby/leave", invocation.Arguments[0]);
        var note = (string)invocation.Arguments[1]!;
        Assert.DoesNotContain("ticket-1", note); // the page never holds the ticket itself
        var opened = Services.GetRequiredService<LobbyLeaveBeacon>().Open(note);
        Assert.Equal(new LobbyLeaveBeacon.Note(Slug, "req-1", "ticket-1"), opened);
        Assert.Null(Services.GetRequiredService<LobbyLeaveBeacon>().Open(note[..^4] + "AAAA"));
    }

    static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited += 20)
        {
            Assert.True(waited < 10_000, "not within 10 s");
            await Task.Delay(20);
        }
    }

    int Asked => Api.Routes.Count(r => r == StatusRoute);

    [Fact]
    public async Task Asks_once_then_again_only_when_the_lobby_changes_and_hands_over_the_token_when_let_in()
    {
        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("waiting", null, "req-1"));
        var admitted = new TaskCompletionSource<JoinDetails>();
        var cut = Wait(d => admitted.TrySetResult(d));

        cut.WaitForAssertion(() => Assert.Equal(1, Asked));
        Assert.Contains("Waiting to be let in", cut.Markup);

        // Changes that are not about the lobby, or about another meeting, ask nothing.
        await Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.ParticipantJoined));
        await Notifications.NotifyAsync(new MeetingChange("other-meet-ing", MeetingChangeKind.Lobby));
        Assert.Equal(1, Asked);

        await Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.Lobby)); // someone else was let in
        cut.WaitForAssertion(() => Assert.Equal(2, Asked));
        Assert.False(admitted.Task.IsCompleted);

        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("joined", Details(), null));
        await Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.Lobby));
        Assert.Equal("token-1", (await admitted.Task.WaitAsync(TimeSpan.FromSeconds(10))).Token);
        Assert.Equal(0, Notifications.Count); // done waiting: no longer listening
    }

    [Fact]
    public async Task Says_so_when_the_host_denies_and_stops_asking()
    {
        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("waiting", null, "req-1"));
        var cut = Wait();
        cut.WaitForAssertion(() => Assert.Equal(1, Asked));

        Api.Answer(StatusRoute, HttpStatusCode.Forbidden, new { title = "Not admitted", detail = "The host did not let you in.", status = 403 });
        await Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.Lobby));
        cut.WaitForAssertion(() => Assert.Equal("The host did not let you in.", cut.Find("[data-testid=lobby-denied]").TextContent));

        await Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.Lobby));
        Assert.Equal(2, Asked);
    }

    [Fact]
    public async Task A_page_whose_person_asked_again_in_another_tab_says_they_wait_there()
    {
        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("waiting", null, "req-1"));
        var cut = Wait();
        cut.WaitForAssertion(() => Assert.Equal(1, Asked));

        // Not "You were not let in": nobody said no (a newcomer's first tab read so when the second one asked).
        Api.Answer(StatusRoute, HttpStatusCode.Conflict, new { title = "Waiting elsewhere",
            detail = "You asked to join again from another tab or window: you wait there now, not here.", status = 409 });
        await Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.Lobby));
        cut.WaitForAssertion(() => Assert.Equal("You are waiting in another tab", cut.Find("#lobby-title").TextContent));
        Assert.Equal("You asked to join again from another tab or window: you wait there now, not here.",
            cut.Find("[data-testid=lobby-denied]").TextContent);
        await Notifications.NotifyAsync(new MeetingChange(Slug, MeetingChangeKind.Lobby));
        Assert.Equal(2, Asked);
    }

    [Fact]
    public async Task After_Redis_comes_back_it_asks_again_in_case_the_answer_was_missed()
    {
        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("waiting", null, "req-1"));
        JoinDetails? admitted = null;
        var cut = Wait(d => admitted = d);
        cut.WaitForAssertion(() => Assert.Equal(1, Asked));

        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("joined", Details(), null)); // admitted while Redis was away
        await Notifications.NotifyEveryoneAsync();
        cut.WaitForAssertion(() => Assert.NotNull(admitted));
    }

    [Fact]
    public async Task Leaving_the_page_stops_listening()
    {
        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("waiting", null, "req-1"));
        var cut = Wait();
        cut.WaitForAssertion(() => Assert.Equal(1, Notifications.Count));
        await DisposeComponentsAsync();
        Assert.Equal(0, Notifications.Count);
    }
}
