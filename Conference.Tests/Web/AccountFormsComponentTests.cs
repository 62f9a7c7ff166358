using System.Net;
using Bunit;
using Conference.Web.Components.Account;
using Microsoft.AspNetCore.Http;

namespace Conference.Tests.Web;

/// <summary>The account pages rendered on the server (sign-up, password reset): what they say when the api says no.</summary>
public sealed class AccountFormsComponentTests : WebComponentTest
{
    [Fact]
    public void A_wrong_password_is_said_in_plain_words_without_the_http_status()
    {
        // A newcomer saw "Unauthorized" above "The email or password is wrong.", and a "Sign in again" link on the
        // sign-in page itself.
        Api.OnProblem("POST", "/api/accounts/signin", HttpStatusCode.Unauthorized, "Unauthorized", "The email or password is wrong.");
        var page = Render<SignIn>(parameters => parameters.AddCascadingValue<HttpContext>(new DefaultHttpContext()));

        page.Find("#email").Change("ada@example.org");
        page.Find("#password").Change("not it");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Equal("The email or password is wrong.", page.Find("[role=alert]").TextContent.Trim()));
        Assert.DoesNotContain("Unauthorized", page.Markup);
        Assert.DoesNotContain("Sign in again", page.Markup);
    }

    [Fact]
    public void An_email_that_already_has_an_account_is_said_once_by_the_email_field()
    {
        Api.On("GET", "/api/accounts/signup", new { signUpOpen = true, setupCodeRequired = false });
        Api.OnProblem("POST", "/api/accounts/signup", HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            errors: new() { ["email"] = ["An account with this email address already exists. Sign in, or reset its password if you have forgotten it."] });
        var page = Render<SignUp>(parameters => parameters.AddCascadingValue<HttpContext>(new DefaultHttpContext()));

        page.Find("#displayName").Change("Ada");
        page.Find("#email").Change("ada@example.org");
        page.Find("#password").Change("correct horse battery");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Equal(
            "An account with this email address already exists. Sign in, or reset its password if you have forgotten it.",
            page.Find("#email-error").TextContent));
        Assert.Equal(1, CountOf("already exists", page.Markup));
        Assert.Equal("Please check what you entered", page.Find("[role=alert] strong").TextContent);
    }

    [Fact]
    public void A_name_over_the_limit_is_sent_whole_and_the_apis_word_shown_by_the_field()
    {
        Api.On("GET", "/api/accounts/signup", new { signUpOpen = true, setupCodeRequired = false });
        Api.OnProblem("POST", "/api/accounts/signup", HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            errors: new() { ["displayName"] = ["The displayName must be at most 64 characters; it has 500."] });
        var page = Render<SignUp>(parameters => parameters.AddCascadingValue<HttpContext>(new DefaultHttpContext()));
        Assert.Null(page.Find("#displayName").GetAttribute("maxlength"));
        Assert.Contains("up to 64 characters", page.Find("#displayName-hint").TextContent);

        page.Find("#displayName").Change(new string('n', 500));
        page.Find("#email").Change("ada@example.org");
        page.Find("#password").Change("correct horse battery");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Equal("Your name must be at most 64 characters; it has 500.", page.Find("#displayName-error").TextContent));
        Assert.Contains(new string('n', 500), Assert.Single(Api.Seen("POST", "/api/accounts/signup")).Body);
    }

    [Fact]
    public void A_reset_link_that_was_used_says_so_offers_a_new_one_and_asks_for_no_password()
    {
        Api.OnProblem("POST", "/api/accounts/password-reset/check", HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            errors: new() { ["token"] = ["This reset link is not valid (any more): it may have been used or be over an hour old. Ask for a new one."] });
        Navigation.NavigateTo("account/reset?email=ada%40example.org&token=used-token");

        var page = Render<ResetPassword>(parameters => parameters.AddCascadingValue<HttpContext>(new DefaultHttpContext { Request = { Method = "GET" } }));

        page.WaitForAssertion(() => Assert.Equal("This reset link has already been used or has expired", page.Find("#link-used strong").TextContent));
        Assert.Equal("account/forgot-password", page.Find("a.button").GetAttribute("href"));
        Assert.Empty(page.FindAll("form"));
        Assert.Empty(page.FindAll("input"));
        Assert.Equal("""{"email":"ada@example.org","token":"used-token"}""", Assert.Single(Api.Seen("POST", "/api/accounts/password-reset/check")).Body);
    }

    [Fact]
    public void A_good_reset_link_shows_the_form()
    {
        Api.On("POST", "/api/accounts/password-reset/check", null, HttpStatusCode.NoContent);
        Navigation.NavigateTo("account/reset?email=ada%40example.org&token=good-token");

        var page = Render<ResetPassword>(parameters => parameters.AddCascadingValue<HttpContext>(new DefaultHttpContext { Request = { Method = "GET" } }));

        page.WaitForAssertion(() => page.Find("#new-password"));
        Assert.Empty(page.FindAll("#link-used"));
        Assert.Contains("ada@example.org", page.Markup);
    }

    static int CountOf(string text, string markup) => (markup.Length - markup.Replace(text, "", StringComparison.Ordinal).Length) / text.Length;
}
