using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// A call that survives the network (issue 14 "reconnect"): the media server loses a person's signalling socket, their
/// page says it is reconnecting, livekit-client resumes the same connection, and everyone is back with the same tiles
/// while the others saw nobody leave.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class ReconnectJourneys(JourneyFixture fixture) : BrowserTest(fixture)
{
    readonly SiteApi api = new(fixture.Site);

    [Fact]
    public async Task A_dropped_signalling_socket_shows_reconnecting_then_the_same_tiles_and_nobody_saw_anyone_leave()
    {
        var call = await Journey.MeetAsync(fixture, "Wobbly wifi", "Ana Host", "Ben Guest");
        var (host, ben) = (call.Host, call.Guests[0]);
        var benIdentity = await SiteApi.IdentityOnTileAsync(host, "Ben Guest");
        var anaIdentity = await SiteApi.IdentityOnTileAsync(ben, "Ana Host");
        await Journey.ExpectVideoFramesFromAsync(host, "Ben Guest");

        // From now on the host's page notes any tile that goes away (someone leaving takes their tile with them).
        await host.Page.EvaluateAsync("""
            () => {
              window.tilesRemoved = [];
              new MutationObserver(changes => changes.forEach(c => c.removedNodes.forEach(n => {
                if (n.nodeType !== 1) return;
                const tiles = n.matches('[data-testid=tile]') ? [n] : [...n.querySelectorAll('[data-testid=tile]')];
                tiles.forEach(t => window.tilesRemoved.push(t.getAttribute('data-identity')));
              }))).observe(document.body, { childList: true, subtree: true });
            }
            """);

        // Ben's network drops for three seconds: the socket goes, and so does every new one until it is back.
        await fixture.DropSignalAsync(call.Code, benIdentity, offline: TimeSpan.FromSeconds(3));
        await Assertions.Expect(ben.Page.GetByTestId("call-room")).ToHaveAttributeAsync("data-state", "Reconnecting");
        await Journey.ExpectConnectedAsync(ben);

        // The same people, the same tiles, media flowing both ways again.
        Assert.Equal(benIdentity, await SiteApi.IdentityOnTileAsync(host, "Ben Guest"));
        Assert.Equal(anaIdentity, await SiteApi.IdentityOnTileAsync(ben, "Ana Host"));
        await Journey.ExpectVideoFramesFromAsync(ben, "Ana Host");
        await Journey.ExpectVideoFramesFromAsync(host, "Ben Guest");
        Assert.Empty(await host.Page.EvaluateAsync<string[]>("() => window.tilesRemoved"));

        // The api heard of no one leaving either: two people present, each with one connection.
        var identities = (await api.IdentitiesInCallAsync(call.Code, call.HostEmail)).Order();
        Assert.Equal(new[] { anaIdentity, benIdentity }.Order(), identities);
    }

    public override async Task DisposeAsync()
    {
        api.Dispose();
        await base.DisposeAsync();
    }
}
