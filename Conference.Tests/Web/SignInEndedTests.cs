using System.Net;
using Bunit;
using Conference.Tests.Infrastructure;
using Conference.Web.Accounts;
using Conference.Web.Api;
using Conference.Web.Components.Call;
using Conference.Web.Components.Layout;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using AccountChange = Conference.Contracts.AccountChange;
using AccountChangeKind = Conference.Contracts.AccountChangeKind;

namespace Conference.Tests.Web;

/// <summary>
/// The api ended a sign-in (signed out everywhere, a new password, a revoked refresh token family) while the web's
/// cookie still holds it: before, the header kept saying "Ada Host · Sign out" while every page said "Unauthorized".
/// </summary>
public sealed class SignInEndedComponentTests : WebComponentTest
{
    public SignInEndedComponentTests() => RenderInteractively();

    const string OwnAccount = "host-1";

    IRenderedComponent<MainLayout> RenderLayout(string path)
    {
        Navigation.NavigateTo(path);
        return Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(b => b.AddContent(0, "the page"))));
    }

    /// <summary>The page's calls to scripts/sign-in-ended.js: where it sent the tab.</summary>
    IEnumerable<string> SentTo() =>
        JSInterop.Invocations["conferenceSignInEnded"].Select(i => (string)i.Arguments[0]!);

    [Fact]
    public async Task A_refused_token_turns_the_header_signed_out_and_sends_the_page_to_sign_in_again()
    {
        JSInterop.SetupVoid("conferenceSignInEnded", _ => true).SetVoidResult();
        var layout = RenderLayout("recordings?page=2");
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
        // A full load (the cookie is the browser's: a real request removes it), through the script that leaves a page
        // alone that is leaving by its own sign-out.
        layout.WaitForAssertion(() => Assert.Equal(["/account/ended?returnUrl=%2Frecordings%3Fpage%3D2"], SentTo()));
    }

    [Fact]
    public async Task News_that_the_accounts_sign_ins_ended_has_the_page_ask_the_api_and_leave_only_if_its_own_did()
    {
        JSInterop.SetupVoid("conferenceSignInEnded", _ => true).SetVoidResult();
        var layout = RenderLayout("recordings");
        Assert.Equal(1, AccountNotifications.Count);

        // Another account's news: the page does not even ask.
        await AccountNotifications.NotifyAsync(new AccountChange("someone-else", AccountChangeKind.SignInsEnded));
        Assert.Empty(Api.Seen("GET", "/api/accounts/me"));

        // This account's, but another device's sign-in ended: the api still takes this one; the page stays.
        Api.On("GET", "/api/accounts/me", new { id = OwnAccount, email = "ada@example.org", displayName = "Ada Host", isAdmin = false });
        await AccountNotifications.NotifyAsync(new AccountChange(OwnAccount, AccountChangeKind.SignInsEnded));
        Assert.Equal($"Bearer {AccessToken}", Assert.Single(Api.Seen("GET", "/api/accounts/me")).Authorization);
        Assert.Equal("Ada Host", layout.Find(".account-link").TextContent);
        Assert.Empty(JSInterop.Invocations["conferenceSignInEnded"]);

        // This one ended: at once, without any call of the page's own.
        Api.OnProblem("GET", "/api/accounts/me", HttpStatusCode.Unauthorized, "Unauthorized");
        await AccountNotifications.NotifyAsync(new AccountChange(OwnAccount, AccountChangeKind.SignInsEnded));
        layout.WaitForAssertion(() => Assert.Equal(["/account/ended?returnUrl=%2Frecordings"], SentTo()));
        Assert.Empty(layout.FindAll(".account-link"));

        // More news changes nothing (the page asks no more), and a closed page stops listening.
        await AccountNotifications.NotifyAsync(new AccountChange(OwnAccount, AccountChangeKind.SignInsEnded));
        Assert.Equal(2, Api.Seen("GET", "/api/accounts/me").Count());
        layout.Instance.Dispose();
        Assert.Equal(0, AccountNotifications.Count);
    }

    [Fact]
    public async Task A_page_in_a_call_keeps_its_call_drops_the_account_parts_and_leaves_when_the_call_is_over()
    {
        JSInterop.SetupVoid("conferenceSignInEnded", _ => true).SetVoidResult();
        var call = Services.GetRequiredService<CallOnThisTab>();
        var layout = RenderLayout("m/abc-defg-hij");
        call.Started();

        Api.OnProblem("GET", "/api/accounts/me", HttpStatusCode.Unauthorized, "Unauthorized");
        await AccountNotifications.NotifyAsync(new AccountChange(OwnAccount, AccountChangeKind.SignInsEnded));
        layout.WaitForAssertion(() => Assert.Equal("Sign in", layout.Find("[data-testid=signed-out]").TextContent));
        Assert.Empty(layout.FindAll("form[action='account/signout']"));
        Assert.Empty(JSInterop.Invocations["conferenceSignInEnded"]); // the call page stays, and its call with it

        await layout.InvokeAsync(call.Ended);
        layout.WaitForAssertion(() => Assert.Equal(["/account/ended?returnUrl=%2Fm%2Fabc-defg-hij"], SentTo()));
    }

    [Theory]
    [InlineData("not json {")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("""{"Account":"","What":"sign_ins_ended"}""")]
    [InlineData("""{"What":"sign_ins_ended"}""")]
    [InlineData("""{"Account":"host-1","What":"no_such_change"}""")]
    [InlineData("""{"Account":"host-1","What":7}""")]
    [InlineData("""{"Account":"host-1"}""")]
    public void The_subscriber_ignores_what_is_not_an_account_change(string message) =>
        Assert.Null(AccountChangeSubscriber.Parse(message));

    [Fact]
    public void The_subscriber_reads_what_the_api_publishes() =>
        Assert.Equal(new AccountChange(OwnAccount, AccountChangeKind.SignInsEnded),
            AccountChangeSubscriber.Parse(System.Text.Json.JsonSerializer.Serialize(new AccountChange(OwnAccount, AccountChangeKind.SignInsEnded))));
}

/// <summary>
/// The same, in Chromium against the real api, web and Redis: the api's news that the sign-ins ended reaches the
/// phone's open page, which goes to sign in told why without a navigation of its own; the cookie goes.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class SignInEndedTests(WebAppFixture fixture)
{
    [Fact]
    public async Task Someone_never_signed_in_who_follows_a_link_to_ended_is_asked_to_sign_in_without_being_told_a_sign_in_ended()
    {
        var stranger = await fixture.NewPageAsync();
        await stranger.GotoAsync("account/ended?returnUrl=%2Frecordings");
        await WebJourney.WaitForPageAsync(stranger, path => path == "/account/signin");
        Assert.DoesNotContain("ended=true", stranger.Url, StringComparison.Ordinal);
        Assert.Contains("returnUrl=%2Frecordings", stranger.Url, StringComparison.Ordinal);
        await Assertions.Expect(stranger.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(stranger.GetByTestId("signin-ended")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Signed_out_everywhere_another_browsers_open_page_is_sent_to_sign_in_at_once_told_why_and_its_cookie_is_gone()
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
        // The browser that asked is told what it did (not left on a bare sign-in page, nor sent to "ended" by the
        // news its own click caused reaching its old page first).
        Assert.Contains("signedout=everywhere", laptop.Url, StringComparison.Ordinal);
        await Assertions.Expect(laptop.GetByTestId("signin-signed-out-everywhere"))
            .ToHaveTextAsync("You signed out everywhere: every browser signed in to this account has to sign in again.");
        await Assertions.Expect(laptop.GetByTestId("signin-ended")).ToHaveCountAsync(0);

        // The phone does nothing: its open page leaves by itself.
        await WebJourney.WaitForPageAsync(phone, path => path == "/account/signin");
        Assert.Contains("ended=true", phone.Url, StringComparison.Ordinal);
        await Assertions.Expect(phone.GetByTestId("signin-ended")).ToContainTextAsync("Your sign-in has ended");
        await Assertions.Expect(phone.GetByRole(AriaRole.Link, new() { Name = "Ada Host" })).ToHaveCountAsync(0);
        Assert.DoesNotContain(await phone.Context.CookiesAsync(), c => c.Name == Conference.Web.Accounts.SignInCookie.Name);
        // Signing in again brings the person back to the page they were on.
        Assert.Contains("returnUrl=%2Frecordings", phone.Url, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_call_page_whose_sign_in_ended_keeps_its_call_and_goes_to_sign_in_once_the_call_is_over(bool leftBefore)
    {
        // On "You left the meeting" the page still counted as in the call and stayed: its Rejoin came back as a new
        // guest, and the host's actions were refused by the api with an error instead of a sign-in.
        var laptop = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(laptop, "Ada Host");
        var phone = await fixture.NewPageAsync();
        await WebJourney.ShareSignInAsync(laptop, phone);
        await WebJourney.GotoInteractiveAsync(phone, "");
        var slug = await WebJourney.StartMeetingAsync(phone, "Stand-up");
        await WebJourney.ExpectCameraPreviewAsync(phone);
        await phone.Locator("#display-name").FillAsync("Ada Host");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        await Assertions.Expect(phone.GetByTestId("call-room")).ToHaveAttributeAsync("data-state", "Connected");
        if (leftBefore)
        {
            await phone.GetByTestId("leave").ClickAsync();
            await Assertions.Expect(phone.GetByTestId("call-ended")).ToHaveAttributeAsync("data-end", "Left");
        }

        await WebJourney.GotoInteractiveAsync(laptop, "account");
        await laptop.GetByRole(AriaRole.Button, new() { Name = "Sign out everywhere" }).ClickAsync();
        await WebJourney.WaitForPageAsync(laptop, path => path == "/account/signin");
        if (!leftBefore)
        {
            // In the call: it goes on (its media and token are LiveKit's), only the account parts of the page go.
            await Assertions.Expect(phone.GetByTestId("signed-out")).ToBeAttachedAsync();
            Assert.Equal($"/m/{slug}", new Uri(phone.Url).AbsolutePath);
            await Assertions.Expect(phone.GetByTestId("call-room")).ToHaveAttributeAsync("data-state", "Connected");
            await phone.GetByTestId("leave").ClickAsync();
        }

        // The call is over: the page goes to sign in, told why, and comes back to the meeting after.
        await WebJourney.WaitForPageAsync(phone, path => path == "/account/signin");
        Assert.Contains("ended=true", phone.Url, StringComparison.Ordinal);
        Assert.Contains($"returnUrl=%2Fm%2F{slug}", phone.Url, StringComparison.Ordinal);
        await Assertions.Expect(phone.GetByTestId("signin-ended")).ToContainTextAsync("Your sign-in has ended");
    }

    [Fact]
    public async Task A_new_password_brings_the_other_tabs_of_that_browser_back_signed_in_and_sends_other_browsers_to_sign_in()
    {
        var laptop = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(laptop, "Ada Host");
        var phone = await fixture.NewPageAsync();
        await WebJourney.ShareSignInAsync(laptop, phone);
        await WebJourney.GotoInteractiveAsync(phone, "recordings");
        var otherTab = await laptop.Context.NewPageAsync();
        await WebJourney.GotoInteractiveAsync(otherTab, "account");
        await otherTab.EvaluateAsync("() => window.loadedBeforeTheChange = true");

        await laptop.GotoAsync("account/password");
        await laptop.GetByLabel("Current password").FillAsync(WebJourney.Password);
        await laptop.GetByLabel("New password").FillAsync("a brand new passphrase");
        await laptop.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await WebJourney.WaitForPageAsync(laptop, path => path == "/account");
        await Assertions.Expect(laptop.GetByText("Your password is changed.")).ToBeVisibleAsync();

        // The other browser's open page leaves by itself, told why.
        await WebJourney.WaitForPageAsync(phone, path => path == "/account/signin");
        Assert.Contains("ended=true", phone.Url, StringComparison.Ordinal);

        // The laptop's other tab heard it too, checked with the new cookie (not before it arrived: that check would
        // have removed it) and came back to its page, signed in.
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return new Uri(otherTab.Url).AbsolutePath == "/account"
                       && await otherTab.EvaluateAsync<bool>("() => document.readyState === 'complete' && window.loadedBeforeTheChange !== true");
            }
            catch (PlaywrightException)
            {
                return false; // between two documents
            }
        }, "the laptop's other tab to load its page again", within: TimeSpan.FromSeconds(60));
        await Assertions.Expect(otherTab.GetByRole(AriaRole.Link, new() { Name = "Ada Host" })).ToBeVisibleAsync();
        Assert.Contains(await laptop.Context.CookiesAsync(), c => c.Name == Conference.Web.Accounts.SignInCookie.Name);
        await WebJourney.GotoInteractiveAsync(laptop, "recordings");
        await Assertions.Expect(laptop.GetByRole(AriaRole.Link, new() { Name = "Ada Host" })).ToBeVisibleAsync();
    }
}
