using System.Net;
using Bunit;
using Conference.Tests.Infrastructure;
using Conference.Web.Api;
using Conference.Web.Components.Layout;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>
/// The api ended a sign-in (signed out everywhere, a new password, a revoked refresh token family) while the web's
/// cookie still holds it: before, the header kept saying "Ada Host · Sign out" while every page said "Unauthorized".
/// </summary>
public sealed class SignInEndedComponentTests : WebComponentTest
{
    public SignInEndedComponentTests() => RenderInteractively();

    [Fact]
    public async Task A_refused_token_turns_the_header_signed_out_and_sends_the_page_to_sign_in_again()
    {
        Navigation.NavigateTo("recordings?page=2");
        var layout = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(b => b.AddContent(0, "the page"))));
        Assert.Equal("Ada Host", layout.Find(".account-link").TextContent);

        // A meeting's participant token refused is about the meeting, not the sign-in.
        Api.OnProblem("GET", "/api/meetings/abc-defg-hij/lobby", HttpStatusCode.Unauthorized, "Unauthorized");
        await Assert.ThrowsAsync<ApiProblemException>(() => Services.GetRequiredService<ModerationClient>().ListLobbyAsync("abc-defg-hij", "participant-token"));
        Assert.Equal("Ada Host", layout.Find(".account-link").TextContent);

        Api.OnProblem("GET", "/api/meetings/abc-defg-hij", HttpStatusCode.Unauthorized, "Unauthorized");
        await layout.InvokeAsync(() => Assert.ThrowsAsync<ApiProblemException>(() => Services.GetRequiredService<MeetingsClient>().GetAsync("abc-defg-hij")));

        layout.WaitForAssertion(() => Assert.Equal("Sign in", layout.Find("[data-testid=signed-out]").TextContent));
        Assert.Empty(layout.FindAll(".account-link"));
        Assert.Empty(layout.FindAll("form[action='account/signout']"));
        Assert.Equal("http://localhost/account/ended?returnUrl=%2Frecordings%3Fpage%3D2", Navigation.Uri);
        Assert.True(Navigation.History.First().Options.ForceLoad); // the cookie is the browser's: a real request removes it
    }
}

/// <summary>The same, in Chromium against the real api and web: the cookie goes and the person is told why.</summary>
[Collection(WebAppCollection.Name)]
public sealed class SignInEndedTests(WebAppFixture fixture)
{
    [Fact]
    public async Task Signed_out_everywhere_another_browser_is_sent_to_sign_in_told_why_and_its_cookie_is_gone()
    {
        var laptop = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(laptop, "Ada Host");
        var phone = await fixture.NewPageAsync();
        await WebJourney.ShareSignInAsync(laptop, phone);
        await WebJourney.GotoInteractiveAsync(phone, "recordings");
        await Assertions.Expect(phone.GetByRole(AriaRole.Link, new() { Name = "Ada Host" })).ToBeVisibleAsync();

        await WebJourney.GotoInteractiveAsync(laptop, "account");
        await laptop.GetByRole(AriaRole.Button, new() { Name = "Sign out everywhere" }).ClickAsync();
        await WebJourney.WaitForPageAsync(laptop, path => path == "/account/signin");
        // The browser that asked is told what it did (not left on a bare sign-in page).
        await Assertions.Expect(laptop.GetByTestId("signin-signed-out-everywhere"))
            .ToHaveTextAsync("You signed out everywhere: every browser signed in to this account has to sign in again.");
        await Assertions.Expect(laptop.GetByTestId("signin-ended")).ToHaveCountAsync(0);

        // The phone's next page asks the api with the ended sign-in.
        await phone.GotoAsync("recordings");
        await WebJourney.WaitForPageAsync(phone, path => path == "/account/signin");
        Assert.Contains("ended=true", phone.Url, StringComparison.Ordinal);
        await Assertions.Expect(phone.GetByTestId("signin-ended")).ToContainTextAsync("Your sign-in has ended");
        await Assertions.Expect(phone.GetByRole(AriaRole.Link, new() { Name = "Ada Host" })).ToHaveCountAsync(0);
        Assert.DoesNotContain(await phone.Context.CookiesAsync(), c => c.Name == Conference.Web.Accounts.SignInCookie.Name);
        // Signing in again brings the person back to the page they were on.
        Assert.Contains("returnUrl=%2Frecordings", phone.Url, StringComparison.Ordinal);
    }
}
