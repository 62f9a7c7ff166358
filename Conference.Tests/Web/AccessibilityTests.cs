using Conference.Tests.Infrastructure;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>axe-core (WCAG 2 A and AA rules: labels, contrast, landmarks, names) on every page of the app shell.</summary>
[Collection(WebAppCollection.Name)]
public sealed class AccessibilityTests(WebAppFixture fixture) : BrowserTest(fixture)
{
    static async Task ExpectNoViolationsAsync(IPage page, string what)
    {
        var results = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        var violations = results.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}").ToList();
        Assert.True(violations.Count == 0, $"{what}:\n{string.Join("\n", violations)}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_page_meets_WCAG_AA(bool phone)
    {
        var page = await fixture.NewPageAsync(phone);
        await page.GotoAsync("");
        await ExpectNoViolationsAsync(page, "home, signed out");
        await page.GotoAsync("account/signin");
        await ExpectNoViolationsAsync(page, "sign in");

        await WebJourney.SignUpAsync(page, "Axe Host");
        var slug = await WebJourney.StartMeetingAsync(page, "Accessible");
        foreach (var (path, what) in new[]
                 {
                     ("", "home, signed in"), ("account", "account"), ($"m/{slug}/settings", "meeting settings"), ("analytics", "usage"), ($"m/{slug}/analytics", "meeting usage"),
                     ("m/not-a-code", "bad meeting link"), ("m/zzz-zzzz-zzz", "unknown meeting"), ("no/such/page", "not found"),
                 })
        {
            await WebJourney.GotoInteractiveAsync(page, path);
            // Every section's "Loading…" gone (home has two: scheduled and recent meetings).
            await Assertions.Expect(page.Locator("[role=status]").Filter(new() { HasText = "Loading" })).ToHaveCountAsync(0);
            await ExpectNoViolationsAsync(page, what);
        }
    }
}
