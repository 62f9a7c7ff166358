using System.Globalization;
using System.Security.Claims;

namespace Conference.Web.Api;

/// <summary>
/// The api tokens the web holds for a signed-in person: a short-lived bearer token (an hour) and the refresh token
/// that buys the next one, so a host stays signed in for the whole <see cref="Accounts.SignInCookie.Lifetime"/>.
/// </summary>
public sealed record ApiSession(string AccessToken, DateTimeOffset? ExpiresAt, string? RefreshToken)
{
    public const string AccessTokenClaim = "conference:api-token";
    public const string AccessTokenExpiresClaim = "conference:api-token-expires";
    public const string RefreshTokenClaim = "conference:api-refresh-token";

    /// <summary>Refresh this long before the token lapses, so no request leaves with a token about to expire.</summary>
    public static readonly TimeSpan RefreshAhead = TimeSpan.FromMinutes(5);

    public static ApiSession From(BearerToken token, DateTimeOffset now) =>
        new(token.AccessToken, now.AddSeconds(token.ExpiresIn), token.RefreshToken);

    /// <summary>The session a principal (the web's sign-in cookie) carries; null for a guest.</summary>
    public static ApiSession? Of(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true || user.FindFirstValue(AccessTokenClaim) is not { } accessToken)
        {
            return null;
        }
        DateTimeOffset? expires = DateTimeOffset.TryParse(user.FindFirstValue(AccessTokenExpiresClaim), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
        return new ApiSession(accessToken, expires, user.FindFirstValue(RefreshTokenClaim));
    }

    /// <summary>True when the token lapses within <see cref="RefreshAhead"/> and there is a refresh token to renew it.</summary>
    public bool NeedsRefresh(DateTimeOffset now) => RefreshToken is not null && ExpiresAt is { } expires && expires - RefreshAhead <= now;

    public IEnumerable<Claim> Claims()
    {
        yield return new Claim(AccessTokenClaim, AccessToken);
        if (ExpiresAt is { } expires)
        {
            yield return new Claim(AccessTokenExpiresClaim, expires.ToString("O", CultureInfo.InvariantCulture));
        }
        if (RefreshToken is not null)
        {
            yield return new Claim(RefreshTokenClaim, RefreshToken);
        }
    }
}
