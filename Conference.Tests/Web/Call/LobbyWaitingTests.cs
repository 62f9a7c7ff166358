using System.Net;
using Bunit;
using Conference.Web.Api;
using Conference.Web.Components.Call;
using Conference.Web.Meetings;

namespace Conference.Tests.Web.Call;

public class LobbyWaitingTests : CallTestBase
{
    const string Slug = "abc-defg-hij";
    const string StatusRoute = $"POST /api/meetings/{Slug}/lobby/req-1";

    IRenderedComponent<LobbyWaiting> Wait(Action<JoinDetails>? admitted = null) =>
        Render<LobbyWaiting>(p => p
            .Add(x => x.Slug, Slug)
            .Add(x => x.RequestId, "req-1")
            .Add(x => x.Ticket, "ticket-1")
            .Add(x => x.DisplayName, "Ada")
            .Add(x => x.OnAdmitted, (JoinDetails d) => admitted?.Invoke(d)));

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
