using System.Net;
using Bunit;
using Conference.Web.Components.Meetings;
using Conference.Web.Meetings;

namespace Conference.Tests.Web;

public sealed class WaitingRoomTests : WebComponentTest
{
    const string LobbyPath = "/api/meetings/abc-defg-hij/lobby";

    public WaitingRoomTests() => RenderInteractively();

    IRenderedComponent<WaitingRoom> Render() => Render<WaitingRoom>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

    [Fact]
    public void The_host_sees_who_waits_and_admits_them()
    {
        Api.On("GET", LobbyPath, new[] { new { requestId = "r1", displayName = "Sam", requestedAt = DateTimeOffset.UtcNow } });
        Api.On("POST", "/api/meetings/abc-defg-hij/lobby/r1/admit", null, HttpStatusCode.NoContent);
        var room = Render();

        room.WaitForAssertion(() => Assert.Equal("1 person is waiting to join", room.Find("h2").TextContent));
        room.Find("button:contains('Admit Sam')").Click();

        room.WaitForAssertion(() => Assert.Empty(room.FindAll("li")));
        Assert.Single(Api.Seen("POST", "/api/meetings/abc-defg-hij/lobby/r1/admit"));
    }

    [Fact]
    public void A_double_click_on_admit_answers_once()
    {
        // Newcomer 20: the second click came while the first was in flight, and the host was told "Nobody is waiting
        // with that request" about the person just let in.
        var answered = new TaskCompletionSource();
        Api.On("GET", LobbyPath, new[] { new { requestId = "r1", displayName = "Sam", requestedAt = DateTimeOffset.UtcNow } });
        Api.OnceDone(answered.Task, "POST", "/api/meetings/abc-defg-hij/lobby/r1/admit", null, HttpStatusCode.NoContent);
        var room = Render();
        room.WaitForAssertion(() => room.Find("button:contains('Admit Sam')"));

        room.Find("button:contains('Admit Sam')").Click();
        room.Find("button:contains('Admit Sam')").Click();
        answered.SetResult();

        room.WaitForAssertion(() => Assert.Empty(room.FindAll("li")));
        Assert.Single(Api.Seen("POST", "/api/meetings/abc-defg-hij/lobby/r1/admit"));
        Assert.Empty(room.FindAll("[role=alert]"));
    }

    [Fact]
    public void An_answer_another_host_gave_first_drops_the_request_and_says_so()
    {
        Api.On("GET", LobbyPath, new[] { new { requestId = "r1", displayName = "Sam", requestedAt = DateTimeOffset.UtcNow } });
        Api.OnProblem("POST", "/api/meetings/abc-defg-hij/lobby/r1/admit", HttpStatusCode.Conflict, "Already answered",
            "Sam was turned away already, by you or a co-host; that answer stands.");
        var room = Render();
        room.WaitForAssertion(() => room.Find("button:contains('Admit Sam')"));

        room.Find("button:contains('Admit Sam')").Click();

        room.WaitForAssertion(() => Assert.Empty(room.FindAll("li")));
        Assert.Equal("Nobody is waiting to join", room.Find("h2").TextContent);
        Assert.Contains("Sam was turned away already", room.Find("[role=alert]").TextContent);
    }

    [Fact]
    public async Task Someone_asking_to_join_appears_when_the_api_announces_it_without_polling()
    {
        Api.On("GET", LobbyPath, Array.Empty<object>());
        var room = Render();
        room.WaitForAssertion(() => Assert.Single(Api.Seen("GET", LobbyPath)));
        Assert.Equal("", room.Markup.Trim());

        Api.On("GET", LobbyPath, new[] { new { requestId = "r2", displayName = "Kim", requestedAt = DateTimeOffset.UtcNow } });
        await Notifications.NotifyAsync(new MeetingChange("abc-defg-hij", MeetingChangeKind.ParticipantLeft)); // not about the lobby
        Assert.Single(Api.Seen("GET", LobbyPath));
        await Notifications.NotifyAsync(new MeetingChange("abc-defg-hij", MeetingChangeKind.Lobby));

        room.WaitForAssertion(() => Assert.Contains("Admit Kim", room.Markup));
        Assert.Equal(2, Api.Seen("GET", LobbyPath).Count());
    }

    [Fact]
    public void Someone_removed_before_is_marked_so_the_host_knows()
    {
        Api.On("GET", LobbyPath, new[]
        {
            new { requestId = "r1", displayName = "Sam", requestedAt = DateTimeOffset.UtcNow, removedBefore = false },
            new { requestId = "r2", displayName = "Mal", requestedAt = DateTimeOffset.UtcNow, removedBefore = true },
        });
        var room = Render();

        room.WaitForAssertion(() => Assert.Equal(2, room.FindAll("li").Count));
        var rows = room.FindAll("li");
        Assert.Empty(rows[0].QuerySelectorAll("[data-testid=removed-before]"));
        Assert.Single(rows[1].QuerySelectorAll("[data-testid=removed-before]"));
        // The buttons' names say it too, for a host who does not see the badge; every Deny names whom it turns away
        // (a screen reader's list of buttons read "Deny, Deny, Deny" with three people waiting: newcomer 21).
        Assert.Equal(["Admit Sam", "Deny Sam"], rows[0].QuerySelectorAll("button").Select(b => b.GetAttribute("aria-label") ?? b.TextContent.Trim()));
        Assert.Equal(["Admit Mal (removed from this meeting before)", "Deny Mal (removed from this meeting before)"],
            rows[1].QuerySelectorAll("button").Select(b => b.GetAttribute("aria-label")));
    }

    [Fact]
    public async Task Someone_who_is_not_the_host_sees_nothing_and_is_not_asked_again()
    {
        Api.OnProblem("GET", LobbyPath, HttpStatusCode.Forbidden, "Forbidden", "Only the host and co-hosts can do this.");
        var room = Render();

        room.WaitForAssertion(() => Assert.Single(Api.Seen("GET", LobbyPath)));
        await Notifications.NotifyAsync(new MeetingChange("abc-defg-hij", MeetingChangeKind.Lobby));
        Assert.Single(Api.Seen("GET", LobbyPath));
        Assert.Equal(0, Notifications.Count);
        Assert.Equal("", room.Markup.Trim());
    }
}
