using Conference.Tests.Infrastructure;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>The call page on a phone held upright, in a real three-person call: usable, nothing wider than the screen, WCAG AA.</summary>
[Collection(JourneyCollection.Name)]
public sealed class PhoneJourneys(JourneyFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task A_phone_in_a_three_person_call_sees_both_others_fits_the_screen_and_meets_WCAG_AA()
    {
        var call = await Journey.MeetAsync(fixture, "On the move", "Pam Host", "Rik Guest");
        var phone = await fixture.NewPageAsync(phone: true);
        await Journey.OpenAndJoinAsync(phone, call.Code, "Pia Phone");
        await Journey.ExpectConnectedAsync(phone);
        await Journey.ExpectVideoFramesFromAsync(phone, "Pam Host");
        await Journey.ExpectVideoFramesFromAsync(phone, "Rik Guest");
        await Journey.ExpectVideoFramesFromAsync(call.Host, "Pia Phone");
        await Journey.ExpectAudioFromOthersAsync(phone, 2);

        var overflow = await phone.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"The call page is {overflow}px wider than the phone.");
        await Assertions.Expect(phone.Page.GetByTestId("leave")).ToBeInViewportAsync();
        // Three people stack in one column, each tile wider than tall: side by side they were strips showing a quarter
        // of each 16:9 picture.
        var tiles = phone.Page.Locator("section.stage [data-testid=tile]");
        Assert.Equal(3, await tiles.CountAsync());
        foreach (var tile in await tiles.AllAsync())
        {
            var box = (await tile.BoundingBoxAsync())!;
            Assert.True(box.Width > box.Height && box.Width > 300, $"A tile on the phone is {box.Width:0}×{box.Height:0}.");
        }
        await JourneyFixture.ScreenshotAsync(phone.Page, "call-phone");

        var results = await phone.Page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        var violations = results.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}").ToList();
        Assert.True(violations.Count == 0, $"The call page at phone width:\n{string.Join("\n", violations)}");
        await phone.ExpectNothingWrongAsync();
    }
}
