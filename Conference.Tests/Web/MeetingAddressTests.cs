using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>
/// Addresses that are no meeting, opened in Chromium: a code of no meeting answers 404 with a page that says so (and
/// is a working page: its circuit connects), an address that cannot be a meeting code says so too, never an empty 400.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class MeetingAddressTests(WebAppFixture fixture)
{
    [Fact]
    public async Task A_code_of_no_meeting_answers_404_with_a_page_that_says_so()
    {
        var page = await fixture.NewPageAsync();

        var response = await page.GotoAsync("m/zzz-zzzz-zzz");

        Assert.NotNull(response);
        Assert.Equal(404, response.Status);
        Assert.StartsWith("text/html", response.Headers["content-type"], StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Meeting not found", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("There is no meeting zzz-zzzz-zzz");
        await page.Locator("main[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Meeting not found", Level = 1 })).ToBeVisibleAsync();
    }

    [Theory]
    [InlineData("m/%00")]
    [InlineData("m/not-a-code")]
    public async Task An_address_that_cannot_be_a_meeting_says_it_is_not_a_meeting_link(string path)
    {
        var page = await fixture.NewPageAsync();

        var response = await page.GotoAsync(path);

        Assert.NotNull(response);
        Assert.Equal(404, response.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "That is not a meeting link", Level = 1 })).ToBeVisibleAsync();
    }
}
