using System.Net;
using System.Security.Claims;
using Bunit;
using Conference.Web.Accounts;
using Conference.Web.Api;
using Conference.Web.Components.Admin;

namespace Conference.Tests.Web;

public sealed class AccountComponentTests : WebComponentTest
{
    [Fact]
    public void The_sign_in_cookie_carries_the_api_tokens_and_when_the_access_token_lapses()
    {
        var now = DateTimeOffset.Parse("2026-11-27T08:00:00Z");
        var principal = SignInCookie.Principal(new Account("u1", "ada@example.org", "Ada", IsAdmin: true),
            new BearerToken("Bearer", "the-token", 3600, "the-refresh-token"), now);

        Assert.Equal(new ApiSession("the-token", now.AddHours(1), "the-refresh-token"), ApiSession.Of(principal));
        Assert.Equal("Ada", principal.Identity!.Name);
        Assert.True(principal.IsInRole(SignInCookie.AdminRole));
        Assert.False(ApiSession.Of(principal)!.NeedsRefresh(now.AddMinutes(54)));
        Assert.True(ApiSession.Of(principal)!.NeedsRefresh(now.AddMinutes(56)));
    }

    [Fact]
    public void The_admin_closes_sign_up_and_changes_retention()
    {
        SignIn(admin: true);
        Api.On("GET", "/api/admin/settings", new { signUpOpen = true, recordingRetentionDays = 30 });
        Api.On("PUT", "/api/admin/settings", new { signUpOpen = false, recordingRetentionDays = 90 });
        RenderInteractively(); // an interactive page (its form is off until then)
        var page = Render<SiteSettingsPage>();
        page.WaitForAssertion(() => Assert.True(page.Find("#signUpOpen").HasAttribute("checked")));

        page.Find("#signUpOpen").Change(false);
        page.Find("#retention").Change("90");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Contains("Saved.", page.Markup));
        Assert.Equal("""{"signUpOpen":false,"recordingRetentionDays":90}""", Assert.Single(Api.Seen("PUT", "/api/admin/settings")).Body);
    }

    [Fact]
    public void The_admin_goes_back_to_keeping_recordings_for_ever_and_then_to_a_number_of_days()
    {
        SignIn(admin: true);
        Api.On("GET", "/api/admin/settings", new { signUpOpen = true, recordingRetentionDays = 30 });
        Api.On("PUT", "/api/admin/settings", new { signUpOpen = true, recordingRetentionDays = 0 });
        RenderInteractively(); // an interactive page (its form is off until then)
        var page = Render<SiteSettingsPage>();
        page.WaitForAssertion(() => Assert.True(page.Find("#keep-days").HasAttribute("checked")));
        Assert.False(page.Find("#keep-forever").HasAttribute("checked"));

        page.Find("#keep-forever").Change("ForEver");
        Assert.Empty(page.FindAll("#retention")); // no number to type while kept for ever
        page.Find("form").Submit();
        page.WaitForAssertion(() => Assert.Contains("Saved.", page.Markup));
        Assert.Equal("""{"signUpOpen":true,"recordingRetentionDays":0}""", Assert.Single(Api.Seen("PUT", "/api/admin/settings")).Body);

        // Back to a number of days: the field has the days it had; emptied, it must be filled, and 0 is not a number of days.
        page.Find("#keep-days").Change("Days");
        Assert.Equal("30", page.Find("#retention").GetAttribute("value"));
        page.Find("#retention").Change("");
        page.Find("form").Submit();
        page.WaitForAssertion(() => Assert.Equal("Enter how many days to keep recordings, from 1 to 3650.", page.Find("#recordingRetentionDays-error").TextContent));
        page.Find("#retention").Change("0");
        page.Find("form").Submit();
        page.WaitForAssertion(() => Assert.Equal("Enter how many days to keep recordings, from 1 to 3650.", page.Find("#recordingRetentionDays-error").TextContent));
        Assert.Single(Api.Seen("PUT", "/api/admin/settings"));
    }

    [Fact]
    public void A_server_that_keeps_recordings_for_ever_shows_that_choice()
    {
        SignIn(admin: true);
        Api.On("GET", "/api/admin/settings", new { signUpOpen = true, recordingRetentionDays = 0 });
        RenderInteractively(); // an interactive page (its form is off until then)
        var page = Render<SiteSettingsPage>();
        page.WaitForAssertion(() => Assert.True(page.Find("#keep-forever").HasAttribute("checked")));
        Assert.Empty(page.FindAll("#retention"));
    }

    [Fact]
    public void The_admin_disables_an_account_and_enables_it_again()
    {
        SignIn(admin: true);
        Api.On("GET", "/api/admin/accounts", new[]
        {
            new { id = "u2", email = "bo@example.org", displayName = "Bo Host", isAdmin = false, createdAt = "2026-11-27T08:00:00Z", disabledAt = (string?)null },
            new { id = "u1", email = "ada@example.org", displayName = "Ada", isAdmin = true, createdAt = "2026-11-26T08:00:00Z", disabledAt = (string?)null },
        });
        Api.On("POST", "/api/admin/accounts/u2/disable",
            new { id = "u2", email = "bo@example.org", displayName = "Bo Host", isAdmin = false, createdAt = "2026-11-27T08:00:00Z", disabledAt = "2026-11-29T08:00:00Z" });
        var page = Render<AccountsPage>();
        page.WaitForAssertion(() => page.Find("#account-u2 button"));
        Assert.Empty(page.FindAll("#account-u1 button")); // the admin is not offered to disable themselves

        page.Find("#account-u2 button").Click();

        page.WaitForAssertion(() => Assert.Contains("Disabled", page.Find("#account-u2").TextContent));
        Assert.Equal("Enable", page.Find("#account-u2 button").TextContent.Trim());
        Assert.Single(Api.Seen("POST", "/api/admin/accounts/u2/disable"));
    }

    [Theory]
    [InlineData("", "Enter how many days to keep recordings, from 1 to 3650.")]
    [InlineData("7.5", "Enter how many days to keep recordings in digits, as a whole number such as 30, from 1 to 3650.")]
    [InlineData("1e2", "Enter how many days to keep recordings in digits, as a whole number such as 30, from 1 to 3650.")]
    public void An_emptied_or_unreadable_retention_is_asked_for_again_and_nothing_is_saved(string typed, string message)
    {
        SignIn(admin: true);
        Api.On("GET", "/api/admin/settings", new { signUpOpen = true, recordingRetentionDays = 30 });
        RenderInteractively(); // an interactive page (its form is off until then)
        var page = Render<SiteSettingsPage>();
        page.WaitForAssertion(() => page.Find("#retention"));
        page.Find("#retention").Change(typed);
        page.Find("form").Submit();
        page.WaitForAssertion(() => Assert.Equal(message, page.Find("#recordingRetentionDays-error").TextContent));
        Assert.Empty(page.FindAll("[data-testid=no-recorder]"));
        Assert.DoesNotContain("Saved.", page.Markup);
        Assert.Empty(Api.Seen("PUT", "/api/admin/settings"));
    }

    [Fact]
    public void Without_a_recorder_the_settings_page_says_nothing_can_be_recorded_and_saves_sign_up_alone()
    {
        SignIn(admin: true);
        Api.On("GET", "/api/admin/settings", new { signUpOpen = true, recordingRetentionDays = (int?)null });
        Api.On("PUT", "/api/admin/settings", new { signUpOpen = false, recordingRetentionDays = (int?)null });
        RenderInteractively(); // an interactive page (its form is off until then)
        var page = Render<SiteSettingsPage>();
        page.WaitForAssertion(() => Assert.Contains("This server has no recorder", page.Find("[data-testid=no-recorder]").TextContent));
        Assert.Empty(page.FindAll("#retention"));
        page.Find("#signUpOpen").Change(false);
        page.Find("form").Submit();
        page.WaitForAssertion(() => Assert.Contains("Saved.", page.Markup));
        Assert.Equal("""{"signUpOpen":false,"recordingRetentionDays":null}""", Assert.Single(Api.Seen("PUT", "/api/admin/settings")).Body);
    }

    [Fact]
    public void A_retention_the_api_refuses_is_explained_at_the_field()
    {
        SignIn(admin: true);
        Api.On("GET", "/api/admin/settings", new { signUpOpen = true, recordingRetentionDays = 30 });
        Api.OnProblem("PUT", "/api/admin/settings", HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            errors: new() { ["recordingRetentionDays"] = ["The recordingRetentionDays must be 0 (keep for ever) or between 1 and 3650."] });
        RenderInteractively(); // an interactive page (its form is off until then)
        var page = Render<SiteSettingsPage>();
        page.WaitForAssertion(() => page.Find("#retention"));

        page.Find("#retention").Change("90");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Equal("The number of days recordings are kept must be 0 (keep for ever) or between 1 and 3650.", page.Find("#recordingRetentionDays-error").TextContent));
        Assert.DoesNotContain("Saved.", page.Markup);
    }
}
