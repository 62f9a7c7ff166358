using System.Collections.Concurrent;

namespace Conference.Web.Api;

/// <summary>
/// One renewal per refresh token, shared by every request and circuit that finds the same api token about to lapse
/// (a page load sends several requests at once). A failure is reused for <see cref="Remembered"/>, so an api that is
/// down is not asked again by every request in the meantime.
/// </summary>
/// <remarks>
/// The api's refresh tokens rotate and a token presented twice ends the sign-in (reuse detection). The browser's
/// cookie and a long-lived circuit both hold the tokens of the sign-in, and either may renew first; so a successful
/// renewal is remembered as long as a sign-in lasts, and whoever comes later with the old refresh token follows the
/// chain to the newest token instead of presenting a spent one. (Per web instance: behind several web instances,
/// pin a person to one.)
/// </remarks>
public sealed class ApiTokenRenewals(IServiceProvider services, TimeProvider clock)
{
    public static readonly TimeSpan Remembered = TimeSpan.FromSeconds(30);

    /// <summary>The new token, and the account as it is now (null if it could not be read: keep what you had).</summary>
    public sealed record Renewed(BearerToken Token, Account? Account);

    sealed record Renewal(DateTimeOffset StartedAt, Lazy<Task<Renewed>> Result);

    readonly ConcurrentDictionary<string, Renewal> recent = new();

    /// <summary>The new token; an <see cref="ApiProblemException"/> (401 when the api refuses the refresh token).</summary>
    public async Task<Renewed> RenewAsync(string refreshToken)
    {
        var now = clock.GetUtcNow();
        // Renewals are rare (each person's about once an hour), so a sweep on each is cheap and keeps the map small.
        foreach (var (token, old) in recent)
        {
            var age = now - old.StartedAt;
            if (age > Accounts.SignInCookie.Lifetime || (age > Remembered && !old.Result.Value.IsCompletedSuccessfully))
            {
                recent.TryRemove(token, out _);
            }
        }
        // Not cancelled by the request that started it: the others share it. The api client has its own timeout.
        var renewal = recent.GetOrAdd(refreshToken, token => new Renewal(now, new Lazy<Task<Renewed>>(() => RenewNowAsync(token))));
        var renewed = await renewal.Result.Value;
        // Someone renewed this token long ago: its successor may itself be due (or already renewed further).
        return ApiSession.From(renewed.Token, renewal.StartedAt).NeedsRefresh(now) && renewed.Token.RefreshToken != refreshToken
            ? await RenewAsync(renewed.Token.RefreshToken)
            : renewed;
    }

    // The account is read again too, so a sign-in that lasts days does not keep a changed name or a revoked admin role.
    async Task<Renewed> RenewNowAsync(string refreshToken)
    {
        var api = services.GetRequiredService<TokenRefreshClient>();
        var token = await api.RefreshAsync(refreshToken);
        try
        {
            return new Renewed(token, await api.AccountAsync(token.AccessToken));
        }
        catch (ApiProblemException)
        {
            return new Renewed(token, null);
        }
    }
}
