namespace Conference.Web.Api;

/// <summary>Accounts and the admin's site settings (<c>/api/accounts</c>, <c>/api/admin</c>).</summary>
public sealed class AccountsClient(HttpClient http, ApiCredentials credentials) : ApiClient(http, credentials)
{
    public async Task<Account> SignUpAsync(string email, string password, string displayName, CancellationToken cancellationToken = default) =>
        await PostAsync<Account>("api/accounts/signup", new { email, password, displayName }, cancellationToken: cancellationToken);

    /// <summary>Signs in for a bearer token (the web keeps it in its own cookie and sends it on the person's behalf).</summary>
    public async Task<BearerToken> SignInAsync(string email, string password, CancellationToken cancellationToken = default) =>
        await PostAsync<BearerToken>("api/accounts/signin", new { email, password, useCookie = false }, cancellationToken: cancellationToken);

    /// <summary>The signed-in account; <paramref name="accessToken"/> for the moment right after sign-in, before the cookie exists.</summary>
    public async Task<Account> MeAsync(string? accessToken = null, CancellationToken cancellationToken = default) =>
        await ReadAsync<Account>(await SendAsync(HttpMethod.Get, "api/accounts/me", null, null, cancellationToken, accessToken), cancellationToken);

    public async Task<SiteSettings> GetSiteSettingsAsync(CancellationToken cancellationToken = default) =>
        await GetAsync<SiteSettings>("api/admin/settings", cancellationToken);

    public async Task<SiteSettings> UpdateSiteSettingsAsync(SiteSettings settings, CancellationToken cancellationToken = default) =>
        await PutAsync<SiteSettings>("api/admin/settings", settings, cancellationToken);
}

public sealed record Account(string Id, string Email, string DisplayName, bool IsAdmin);

public sealed record BearerToken(string TokenType, string AccessToken, int ExpiresIn, string RefreshToken);

public sealed record SiteSettings(bool SignUpOpen, int RecordingRetentionDays);
