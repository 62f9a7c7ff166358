namespace Conference.Web.Api;

/// <summary>
/// Trades a refresh token for a new api token (<c>POST /api/accounts/refresh</c>). It sends no credentials of its
/// own: <see cref="ApiCredentials"/> and the sign-in cookie use it to renew the ones they hold.
/// </summary>
public sealed class TokenRefreshClient(HttpClient http) : ApiClient(http, credentials: null)
{
    /// <summary>The new token; an <see cref="ApiProblemException"/> with status 401 when the api refuses the refresh token.</summary>
    public async Task<BearerToken> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default) =>
        await PostAsync<BearerToken>("api/accounts/refresh", new { refreshToken }, cancellationToken: cancellationToken);

    /// <summary>The account as it is now (name, email, admin or not), read with a just-renewed token.</summary>
    public async Task<Account> AccountAsync(string accessToken, CancellationToken cancellationToken = default) =>
        await ReadAsync<Account>(await SendAsync(HttpMethod.Get, "api/accounts/me", null, null, cancellationToken, accessToken), cancellationToken);
}
