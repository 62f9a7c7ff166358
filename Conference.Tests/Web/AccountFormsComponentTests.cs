using System.Net;
using Bunit;
using Conference.Web.Components.Account;
using Microsoft.AspNetCore.Http;

namespace Conference.Tests.Web;

/// <summary>The account pages rendered on the server (sign-up, password reset): what they say when the api says no.</summary>
public sealed class AccountFormsComponentTests : WebComponentTest
{
    [Fact]
    public void An_email_that_already_has_an_account_is_said_once_by_the_email_field()
    {
        Api.On("GET", "/api/accounts/signup", new { signUpOpen = true, setupCodeRequired = false });
        Api.OnProblem("POST", "/api/accounts/signup", HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            errors: new() { ["email"] = ["An account with this email address already exists. Sign in, or reset its password if you have forgotten it."] });
        var page = Render<SignUp>(parameters => parameters.AddCascadingValue(new DefaultHttpContext()));

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

    static int CountOf(string text, string markup) => (markup.Length - markup.Replace(text, "", StringComparison.Ordinal).Length) / text.Length;
}
