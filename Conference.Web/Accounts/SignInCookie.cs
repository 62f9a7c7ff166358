using System.Security.Claims;
using Conference.Web.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Conference.Web.Accounts;

/// <summary>
/// The web's own sign-in cookie: who the person is, and the api tokens the web sends on their behalf
/// (<see cref="ApiSession"/>). It lasts <see cref="Lifetime"/> from sign-in; the api token inside is renewed with its
/// refresh token whenever a request finds it about to lapse (<see cref="ValidateAsync"/>), and a refused refresh
/// (new password, lockout) signs the person out.
/// </summary>
public static class SignInCookie
{
    public const string Name = "conference.web";
    public const string AdminRole = "Admin";

    /// <summary>How long a sign-in lasts: within the api's refresh tokens' 14 days.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public static ClaimsPrincipal Principal(Account account, BearerToken token, DateTimeOffset now)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, account.Id),
            new(ClaimTypes.Name, account.DisplayName),
            new(ClaimTypes.Email, account.Email),
        };
        if (account.IsAdmin)
        {
            claims.Add(new Claim(ClaimTypes.Role, AdminRole));
        }
        return WithSession(claims, ApiSession.From(token, now));
    }

    public static async Task SignInAsync(HttpContext http, Account account, BearerToken token, DateTimeOffset now) =>
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, Principal(account, token, now), new AuthenticationProperties
        {
            IsPersistent = true,
            ExpiresUtc = now + Lifetime,
            AllowRefresh = false,
        });

    /// <summary>The cookie's check on every request: renews the api token shortly before it lapses.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var now = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        if (context.Principal is not { } principal || ApiSession.Of(principal) is not { } session || !session.NeedsRefresh(now))
        {
            return;
        }
        try
        {
            var renewed = await context.HttpContext.RequestServices.GetRequiredService<ApiTokenRenewals>().RenewAsync(session.RefreshToken!);
            var identityClaims = principal.Claims.Where(c => !c.Type.StartsWith("conference:api-", StringComparison.Ordinal));
            context.ReplacePrincipal(renewed.Account is { } account
                ? Principal(account, renewed.Token, now)
                : WithSession(identityClaims, ApiSession.From(renewed.Token, now)));
            // A renewed cookie expires as long after its IssuedUtc as the old one did after its own: issued "now",
            // it keeps the sign-in's end instead of granting another Lifetime with every renewal.
            context.Properties.IssuedUtc = now;
            context.ShouldRenew = true;
        }
        catch (ApiProblemException e) when (e.IsUnauthorized)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
        catch (ApiProblemException)
        {
            // The api is unreachable for now: keep the person signed in; pages say the service is unavailable.
        }
    }

    static ClaimsPrincipal WithSession(IEnumerable<Claim> identityClaims, ApiSession session) =>
        new(new ClaimsIdentity(identityClaims.Select(c => new Claim(c.Type, c.Value)).Concat(session.Claims()),
            CookieAuthenticationDefaults.AuthenticationScheme));
}
