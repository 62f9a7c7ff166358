using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace Conference.Web.Api;

/// <summary>
/// The api bearer token of the person using this page. The web's own sign-in cookie carries it as a claim
/// (<see cref="AccessTokenClaim"/>); in a Blazor circuit the authentication state is the only way to reach that
/// cookie, so the api clients ask this, per request, instead of an HttpClient handler (which lives in another scope).
/// </summary>
public sealed class ApiCredentials(AuthenticationStateProvider authentication)
{
    public const string AccessTokenClaim = "conference:api-token";
    public const string AccessTokenExpiresClaim = "conference:api-token-expires";

    public async Task<string?> AccessTokenAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return AccessToken(state.User);
    }

    public static string? AccessToken(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(AccessTokenClaim) : null;
}
