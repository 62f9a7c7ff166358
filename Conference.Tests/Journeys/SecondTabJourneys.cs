using Conference.Tests.AppHost;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// One person, two tabs: LiveKit lets an identity be in a room once, and disconnects the older connection with
/// DUPLICATE_IDENTITY when the same identity joins again (reference §1).
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class SecondTabJourneys(JourneyFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task A_second_tab_of_the_same_person_takes_over_and_the_first_says_so()
    {
        var call = await Journey.MeetAsync(fixture, "Two tabs", "Tom Host", "Tess Guest");
        var (host, first) = (call.Host, call.Guests[0]);
        var identity = await Journey.Tile(host, "Tess Guest").GetAttributeAsync("data-identity");

        // Tess opens the meeting again in a second tab of the same browser and joins there.
        var second = new WatchedPage(await first.Page.Context.NewPageAsync());
        await Journey.OpenAndJoinAsync(second, call.Code, "Tess Guest");
        await Journey.ExpectConnectedAsync(second);

        // The first tab left the call and says why; the host sees one Tess — the same person — and her video.
        var ended = first.Page.GetByTestId("call-ended");
        await Assertions.Expect(ended).ToHaveAttributeAsync("data-end", "JoinedElsewhere");
        await Assertions.Expect(ended.GetByRole(AriaRole.Heading)).ToHaveTextAsync("You joined from another tab or device.");
        await Assertions.Expect(ended.GetByTestId("rejoin")).ToHaveTextAsync("Use this tab instead");
        await Assertions.Expect(Journey.Tile(host, "Tess Guest")).ToHaveCountAsync(1);
        Assert.Equal(identity, await Journey.Tile(host, "Tess Guest").GetAttributeAsync("data-identity"));
        await Journey.ExpectVideoFramesFromAsync(host, "Tess Guest");
        await Journey.ExpectVideoFramesFromAsync(second, "Tom Host");

        // "Use this tab instead": the first tab takes the call back and the second is told in its turn.
        await ended.GetByTestId("rejoin").ClickAsync();
        await Journey.ExpectConnectedAsync(first);
        await Assertions.Expect(second.Page.GetByTestId("call-ended")).ToHaveAttributeAsync("data-end", "JoinedElsewhere");
        await Assertions.Expect(Journey.Tile(host, "Tess Guest")).ToHaveCountAsync(1);
        await Journey.ExpectVideoFramesFromAsync(host, "Tess Guest");

        foreach (var person in new[] { host, first, second })
        {
            await person.ExpectNothingWrongAsync();
        }
    }
}
