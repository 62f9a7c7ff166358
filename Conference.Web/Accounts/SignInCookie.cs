using System.Globalization;
using System.Security.Claims;
using Conference.Web.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Conference.Web.Accounts;

/// <summary>
/// The web's own sign-in cookie: who the person is, and the api bearer token the web sends on their behalf.
/// It expires a minute before the token does, so the web never holds a token the api would refuse.
/// </summary>
public static class SignInCookie
{
    public const string Name = "conference.web";
    public const string AdminRole = "Admin";

    public static ClaimsPrincipal Principal(Account account, BearerToken token, DateTimeOffset now)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, account.Id),
            new(ClaimTypes.Name, account.DisplayName),
            new(ClaimTypes.Email, account.Email),
            new(ApiCredentials.AccessTokenClaim, token.AccessToken),
            new(ApiCredentials.AccessTokenExpiresClaim, Expiry(token, now).ToString("O", CultureInfo.InvariantCulture)),
        };
        if (account.IsAdmin)
        {
            claims.Add(new Claim(ClaimTypes.Role, AdminRole));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
    }

    public static async Task SignInAsync(HttpContext http, Account account, BearerToken token, DateTimeOffset now) =>
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, Principal(account, token, now), new AuthenticationProperties
        {
            IsPersistent = true,
            ExpiresUtc = Expiry(token, now),
            AllowRefresh = false,
        });

    static DateTimeOffset Expiry(BearerToken token, DateTimeOffset now) =>
        now.AddSeconds(Math.Max(60, token.ExpiresIn - 60));
}
