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
public sealed class ApiCredentials(AuthenticationStateProvider authentication, ApiTokenRenewals renewals, TimeProvider clock,
    CallerAddress? caller = null)
{
    /// <summary>The browser's address, for the api's per-address rate limits (null: the api sees the web's).</summary>
    public string? ClientAddress => caller?.Value;

    /// <summary>
    /// The api refused the person's own token (401): their sign-in is over (signed out everywhere, a new password,
    /// a revoked refresh token family, an account disabled). Raised once per scope, on the thread of the request.
    /// </summary>
    public event Action? SignInEnded;

    /// <summary>Whether the api has refused this person's token in this scope (a request, or a circuit).</summary>
    public bool SignInHasEnded { get; private set; }

    /// <summary>Called by the api clients when the api answers 401 to a request that carried this person's token.</summary>
    public void Refused()
    {
        if (SignInHasEnded)
        {
            return;
        }
        SignInHasEnded = true;
        SignInEnded?.Invoke();
    }

    sealed record Renewed(string UserId, ApiSession Session);

    Renewed? renewed;

    public async Task<string?> AccessTokenAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (ApiSession.Of(user) is not { } session)
        {
            return null;
        }
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        if (renewed is { } last && last.UserId == userId)
        {
            session = last.Session;
        }
        if (!session.NeedsRefresh(clock.GetUtcNow()))
        {
            return session.AccessToken;
        }

        try
        {
            session = ApiSession.From((await renewals.RenewAsync(session.RefreshToken!)).Token, clock.GetUtcNow());
            renewed = new Renewed(userId, session);
        }
        catch (ApiProblemException)
        {
            // Refused (the account changed) or the api is unreachable: send what we have; the api's answer says what to do.
        }
        return session.AccessToken;
    }
}
