using System.Net;
using Bunit;
using Conference.Web.Components.Meetings;

namespace Conference.Tests.Web;

public sealed class WaitingRoomTests : WebComponentTest
{
    public WaitingRoomTests() => RenderInteractively();

    [Fact]
    public void The_host_sees_who_waits_and_admits_them()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij/lobby", new[] { new { requestId = "r1", displayName = "Sam", requestedAt = DateTimeOffset.UtcNow } });
        Api.On("POST", "/api/meetings/abc-defg-hij/lobby/r1/admit", null, HttpStatusCode.NoContent);
        var room = Render<WaitingRoom>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij").Add(p => p.PollInterval, TimeSpan.FromMinutes(1)));

        room.WaitForAssertion(() => Assert.Equal("1 person is waiting to join", room.Find("h2").TextContent));
        room.Find("button:contains('Admit Sam')").Click();

        room.WaitForAssertion(() => Assert.Empty(room.FindAll("li")));
        Assert.Single(Api.Seen("POST", "/api/meetings/abc-defg-hij/lobby/r1/admit"));
    }

    [Fact]
    public void Someone_removed_before_is_marked_so_the_host_knows()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij/lobby", new[]
        {
            new { requestId = "r1", displayName = "Sam", requestedAt = DateTimeOffset.UtcNow, removedBefore = false },
            new { requestId = "r2", displayName = "Mal", requestedAt = DateTimeOffset.UtcNow, removedBefore = true },
        });
        var room = Render<WaitingRoom>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij").Add(p => p.PollInterval, TimeSpan.FromMinutes(1)));

        room.WaitForAssertion(() => Assert.Equal(2, room.FindAll("li").Count));
        var rows = room.FindAll("li");
        Assert.Empty(rows[0].QuerySelectorAll("[data-testid=removed-before]"));
        Assert.Single(rows[1].QuerySelectorAll("[data-testid=removed-before]"));
    }

    [Fact]
    public void Someone_who_is_not_the_host_sees_nothing_and_is_not_asked_again()
    {
        Api.OnProblem("GET", "/api/meetings/abc-defg-hij/lobby", HttpStatusCode.Forbidden, "Forbidden", "Only the host and co-hosts can do this.");
        var room = Render<WaitingRoom>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij").Add(p => p.PollInterval, TimeSpan.FromMilliseconds(20)));

        room.WaitForAssertion(() => Assert.Single(Api.Seen("GET", "/api/meetings/abc-defg-hij/lobby")));
        Thread.Sleep(200);
        Assert.Single(Api.Seen("GET", "/api/meetings/abc-defg-hij/lobby"));
        Assert.Equal("", room.Markup.Trim());
    }
}
