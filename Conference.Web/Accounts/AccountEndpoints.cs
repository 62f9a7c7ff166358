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
            SignOutAsync(http, SignedOutEverywherePath, logger, token => accounts.SignOutEverywhereAsync(token, http.RequestAborted)));
        app.MapGet(SignInEndedPath, SignInEndedAsync);
        return app;
    }

    /// <summary>Where "sign out everywhere" leaves the browser that asked: the sign-in page, saying what was done.</summary>
    public const string SignedOutEverywherePath = "/account/signin?signedout=everywhere";

    /// <summary>Where a page sends the person when the api refused their sign-in (MainLayout): <c>?returnUrl=</c> the page.</summary>
    public const string SignInEndedPath = "/account/ended";

    /// <summary>
    /// The sign-in the cookie holds was refused by the api: the cookie goes and the person signs in again, told why.
    /// A GET (a page navigates here), so it asks the api itself first and removes nothing while the sign-in still
    /// works: a link to it signs nobody out. The cookie's own check has run already (renewing a lapsing token).
    /// </summary>
    static async Task<RedirectHttpResult> SignInEndedAsync(HttpContext http, AccountsClient accounts, string? returnUrl)
    {
        var back = LocalPath(returnUrl);
        var signIn = $"/account/signin?ended=true&returnUrl={Uri.EscapeDataString(back)}";
        if (ApiSession.Of(http.User) is not { } session)
        {
            // A sign-in cookie the cookie's own check refused did end; without one there was no sign-in to end (a
            // link followed by someone never signed in here): plain sign-in, not "your sign-in has ended".
            return TypedResults.LocalRedirect(http.Request.Cookies.ContainsKey(SignInCookie.Name)
                ? signIn
                : $"/account/signin?returnUrl={Uri.EscapeDataString(back)}");
        }
        try
        {
            await accounts.MeAsync(session.AccessToken, http.RequestAborted);
            return TypedResults.LocalRedirect(back); // still signed in: nothing ended
        }
        catch (ApiProblemException e) when (e.IsUnauthorized)
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.LocalRedirect(signIn);
        }
        catch (ApiProblemException)
        {
            return TypedResults.LocalRedirect(back); // the api cannot say now: the page says what it can
        }
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
