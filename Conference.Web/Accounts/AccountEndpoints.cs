using Conference.Web.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Conference.Web.Accounts;

/// <summary>
/// Sign-out and "sign out everywhere" are form posts (never a GET a link preview could trigger), answered with a
/// redirect. Both end the api sign-in too, so the refresh token in the cookie is worthless even if it was copied.
/// </summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/signout", (HttpContext http, AccountsClient accounts, ILogger<AccountsClient> logger, [FromForm] string? returnUrl) =>
            SignOutAsync(http, returnUrl, logger, token => accounts.SignOutAsync(token, http.RequestAborted)));
        app.MapPost("/account/signout-everywhere", (HttpContext http, AccountsClient accounts, ILogger<AccountsClient> logger) =>
            SignOutAsync(http, "/account/signin", logger, token => accounts.SignOutEverywhereAsync(token, http.RequestAborted)));
        return app;
    }

    static async Task<RedirectHttpResult> SignOutAsync(HttpContext http, string? returnUrl, ILogger logger, Func<string, Task> endApiSignIn)
    {
        if (ApiSession.Of(http.User) is { } session)
        {
            try
            {
                await endApiSignIn(session.AccessToken);
            }
            catch (ApiProblemException exception)
            {
                // An expired or already revoked sign-in has nothing left to end; the cookie goes regardless.
                logger.LogInformation("The api did not end the sign-in ({Status}); removing the cookie anyway", exception.Status);
            }
        }
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.LocalRedirect(LocalPath(returnUrl));
    }

    /// <summary>Only paths on this site: an open redirect would let a link send people anywhere after sign-in.</summary>
    public static string LocalPath(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
                                     && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";
}
