using System.Collections.Concurrent;

namespace Conference.Web.Api;

/// <summary>
/// One renewal per refresh token, shared by every request and circuit that finds the same api token about to lapse
/// (a page load sends several requests at once). Its outcome, a new token or a failure, is reused for
/// <see cref="Remembered"/>, so an api that is down is not asked again by every request in the meantime.
/// </summary>
public sealed class ApiTokenRenewals(IServiceProvider services, TimeProvider clock)
{
    public static readonly TimeSpan Remembered = TimeSpan.FromSeconds(30);

    sealed record Renewal(DateTimeOffset StartedAt, Lazy<Task<BearerToken>> Token);

    readonly ConcurrentDictionary<string, Renewal> recent = new();

    /// <summary>The new token; an <see cref="ApiProblemException"/> (401 when the api refuses the refresh token).</summary>
    public Task<BearerToken> RenewAsync(string refreshToken)
    {
        var now = clock.GetUtcNow();
        // Renewals are rare (each person's about once an hour), so a sweep on each is cheap and keeps the map small.
        foreach (var (token, renewal) in recent)
        {
            if (now - renewal.StartedAt > Remembered)
            {
                recent.TryRemove(token, out _);
            }
        }
        // Not cancelled by the request that started it: the others share it. The api client has its own timeout.
        return recent.GetOrAdd(refreshToken, token => new Renewal(now, new Lazy<Task<BearerToken>>(() =>
            services.GetRequiredService<TokenRefreshClient>().RefreshAsync(token)))).Token.Value;
    }
}
