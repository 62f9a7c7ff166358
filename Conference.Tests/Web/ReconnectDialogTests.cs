using Conference.Tests.Infrastructure;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>
/// What a page shows while its connection to the web server (its Blazor circuit) is lost: the product's own dialog
/// (Layout/ReconnectModal.razor), not Blazor's unstyled default — it says the page is reconnecting, is an accessible
/// dialog with a live status, and goes away by itself when the connection is back. The call page's wording (the call
/// goes on meanwhile) is checked by CircuitLossJourneys.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class ReconnectDialogTests(WebAppFixture fixture) : BrowserTest(fixture)
{
    [Theory]
    [InlineData("account/signup", false)] // a plain form (no circuit)
    [InlineData("", true)]                // an interactive page
    public async Task Blazors_error_bar_is_no_alert_while_the_styles_are_still_loading(string address, bool interactive)
    {
        // Found in two full runs: a failed sign-up's page showed its problem and "The connection to the server was
        // lost" as two alerts, the second only because app.css, which hid it, had not arrived yet.
        var page = await fixture.NewPageAsync();
        var stylesHeld = new TaskCompletionSource();
        await page.RouteAsync("**/*.css", async route =>
        {
            await stylesHeld.Task;
            await route.ContinueAsync();
        });
        try
        {
            await page.GotoAsync(address, new() { WaitUntil = WaitUntilState.Commit });
            await page.Locator("#blazor-error-ui").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        }
        finally
        {
            stylesHeld.TrySetResult();
        }

        // And Blazor can still show it: it sets the bar's inline display, which wins over the attribute. On an
        // interactive page only once its circuit has rendered: that render replaces the prerendered markup, a style set
        // before it with it (in a full run the circuit came after the page's load event, and the bar stayed hidden).
        // The document has loaded (polled: Playwright for .NET can lose a load event it subscribes to late, playwright-dotnet#3364).
        await page.WaitForFunctionAsync("() => document.readyState === 'complete'");
        if (interactive)
        {
            await page.Locator("main[data-interactive=true]").WaitForAsync();
        }
        await page.Locator("#blazor-error-ui").EvaluateAsync("bar => bar.style.display = 'block'");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The connection to the server was lost");
    }

    [Fact]
    public async Task A_page_that_lost_its_connection_says_it_is_reconnecting_until_it_is_back()
    {
        var page = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(page, "Rita Reconnect");
        await WebJourney.GotoInteractiveAsync(page, "");
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Reconnecting to the server…", Exact = true });
        await Assertions.Expect(dialog).ToBeHiddenAsync();

        // The network drops: the page's connection closes and no new one can be made for now.
        await page.RouteAsync("**/_blazor/negotiate**", route => route.AbortAsync());
        await page.EvaluateAsync("() => Blazor._internal.forceCloseConnection()");

        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog.GetByRole(AriaRole.Status)).ToHaveTextAsync("Reconnecting to the server… This page works again once it is back.", new() { UseInnerText = true });
        await Assertions.Expect(dialog.GetByText("Your call continues")).ToBeHiddenAsync(); // there is no call on this page
        await WebAppFixture.ScreenshotAsync(page, "reconnecting");
        // Blazor's default overlay (an element it makes when the page has no dialog of its own) never appears.
        await Assertions.Expect(page.Locator("#components-reconnect-modal")).ToHaveCountAsync(1);
        var results = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        Assert.True(results.Violations.Length == 0, string.Join("\n", results.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}")));

        // The network is back: Blazor's next attempt reconnects the same circuit and the dialog goes by itself.
        await page.UnrouteAsync("**/_blazor/negotiate**");
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("main[data-interactive=true]")).ToHaveCountAsync(1);
    }
}
