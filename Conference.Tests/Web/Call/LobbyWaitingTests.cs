using System.Net;
using Bunit;
using Conference.Web.Api;
using Conference.Web.Components.Call;

namespace Conference.Tests.Web.Call;

public class LobbyWaitingTests : CallTestBase
{
    const string StatusRoute = "POST /api/meetings/abc-defg-hij/lobby/req-1";

    IRenderedComponent<LobbyWaiting> Wait(Action<JoinDetails>? admitted = null) =>
        Render<LobbyWaiting>(p => p
            .Add(x => x.Slug, "abc-defg-hij")
            .Add(x => x.RequestId, "req-1")
            .Add(x => x.Ticket, "ticket-1")
            .Add(x => x.DisplayName, "Ada")
            .Add(x => x.PollInterval, TimeSpan.FromMilliseconds(20))
            .Add(x => x.OnAdmitted, (JoinDetails d) => admitted?.Invoke(d)));

    [Fact]
    public async Task Waits_until_admitted_and_then_hands_over_the_token()
    {
        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("waiting", null, "req-1"));
        var admitted = new TaskCompletionSource<JoinDetails>();
        var cut = Wait(d => admitted.TrySetResult(d));

        cut.WaitForAssertion(() => Assert.True(Api.Routes.Count(r => r == StatusRoute) >= 2));
        Assert.Contains("Waiting to be let in", cut.Markup);
        Assert.False(admitted.Task.IsCompleted);

        Api.Answer(StatusRoute, HttpStatusCode.OK, new JoinResult("joined", Details(), null));
        Assert.Equal("token-1", (await admitted.Task.WaitAsync(TimeSpan.FromSeconds(10))).Token);
    }

    [Fact]
    public void Says_so_when_the_host_denies()
    {
        Api.Answer(StatusRoute, HttpStatusCode.Forbidden, new { title = "Not admitted", detail = "The host did not let you in.", status = 403 });
        var cut = Wait();
        cut.WaitForAssertion(() => Assert.Equal("The host did not let you in.", cut.Find("[data-testid=lobby-denied]").TextContent));
        var asked = Api.Routes.Count();
        Thread.Sleep(100);
        Assert.Equal(asked, Api.Routes.Count()); // stopped asking
    }
}
