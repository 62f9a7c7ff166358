using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace Conference.Web.Api;

/// <summary>
/// The api bearer token of the person using this page. The web's own sign-in cookie carries it (<see cref="ApiSession"/>);
/// in a Blazor circuit the authentication state is the only way to reach that cookie, so the api clients ask this,
/// per request, instead of an HttpClient handler (which lives in another scope). A circuit keeps the state it
/// connected with, so a host in an hours-long call would outlive the token: this renews it in memory for the circuit,
/// as the cookie renews itself on the next page load.
/// </summary>
public sealed class ApiCredentials(AuthenticationStateProvider authentication, TokenRefreshClient refresher, TimeProvider clock)
{
    readonly SemaphoreSlim refreshing = new(1, 1);
    (string User, ApiSession Session)? renewed;

    public async Task<string?> AccessTokenAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (ApiSession.Of(user) is not { } session)
        {
            return null;
        }
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        if (renewed is { } last && last.User == userId)
        {
            session = last.Session;
        }
        if (!session.NeedsRefresh(clock.GetUtcNow()))
        {
            return session.AccessToken;
        }

        await refreshing.WaitAsync();
        try
        {
            session = renewed is { } again && again.User == userId ? again.Session : session;
            if (session.NeedsRefresh(clock.GetUtcNow()))
            {
                var token = await refresher.RefreshAsync(session.RefreshToken!);
                session = ApiSession.From(token, clock.GetUtcNow());
                renewed = (userId, session);
            }
        }
        catch (ApiProblemException)
        {
            // Refused (the account changed) or the api is unreachable: send what we have; the api's answer says what to do.
        }
        finally
        {
            refreshing.Release();
        }
        return session.AccessToken;
    }
}
