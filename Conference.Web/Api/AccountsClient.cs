namespace Conference.Web.Api;

/// <summary>Accounts and the admin's site settings (<c>/api/accounts</c>, <c>/api/admin</c>).</summary>
public sealed class AccountsClient(HttpClient http, ApiCredentials credentials) : ApiClient(http, credentials)
{
    /// <param name="setupCode">Needed while the server has no admin (the code in the api's log); that sign-up becomes the admin.</param>
    public async Task<Account> SignUpAsync(string email, string password, string displayName, string? setupCode = null,
        CancellationToken cancellationToken = default) =>
        await PostAsync<Account>("api/accounts/signup", new { email, password, displayName, setupCode }, cancellationToken: cancellationToken);

    /// <summary>Whether sign-up is open and whether it needs the admin setup code.</summary>
    public async Task<SignUpRequirements> SignUpRequirementsAsync(CancellationToken cancellationToken = default) =>
        await GetAsync<SignUpRequirements>("api/accounts/signup", cancellationToken);

    /// <summary>Ends the api sign-in behind <paramref name="accessToken"/>: its refresh token stops working at once.</summary>
    public async Task SignOutAsync(string accessToken, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, "api/accounts/signout", null, null, cancellationToken, accessToken)).Dispose();

    /// <summary>Ends every sign-in of the account, on every device.</summary>
    public async Task SignOutEverywhereAsync(string accessToken, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, "api/accounts/signout-everywhere", null, null, cancellationToken, accessToken)).Dispose();

    /// <summary>Changes the password; every other sign-in ends and this one continues with the returned tokens.</summary>
    public async Task<BearerToken> ChangePasswordAsync(string currentPassword, string newPassword, CancellationToken cancellationToken = default) =>
        await PostAsync<BearerToken>("api/accounts/password", new { currentPassword, newPassword }, cancellationToken: cancellationToken);

    /// <summary>Signs in for a bearer token (the web keeps it in its own cookie and sends it on the person's behalf).</summary>
    public async Task<BearerToken> SignInAsync(string email, string password, CancellationToken cancellationToken = default) =>
        await PostAsync<BearerToken>("api/accounts/signin", new { email, password, useCookie = false }, cancellationToken: cancellationToken);

    /// <summary>The signed-in account; <paramref name="accessToken"/> for the moment right after sign-in, before the cookie exists.</summary>
    public async Task<Account> MeAsync(string? accessToken = null, CancellationToken cancellationToken = default) =>
        await ReadAsync<Account>(await SendAsync(HttpMethod.Get, "api/accounts/me", null, null, cancellationToken, accessToken), cancellationToken);

    /// <summary>Every account, newest first (admin only).</summary>
    public async Task<AccountSummary[]> ListAccountsAsync(CancellationToken cancellationToken = default) =>
        await GetAsync<AccountSummary[]>("api/admin/accounts", cancellationToken);

    /// <summary>Disables (or enables again) an account; its sign-ins stop at their next request (admin only).</summary>
    public async Task<AccountSummary> SetDisabledAsync(string id, bool disabled, CancellationToken cancellationToken = default) =>
        await PostAsync<AccountSummary>($"api/admin/accounts/{Uri.EscapeDataString(id)}/{(disabled ? "disable" : "enable")}", null,
            cancellationToken: cancellationToken);

    public async Task<SiteSettings> GetSiteSettingsAsync(CancellationToken cancellationToken = default) =>
        await GetAsync<SiteSettings>("api/admin/settings", cancellationToken);

    public async Task<SiteSettings> UpdateSiteSettingsAsync(SiteSettings settings, CancellationToken cancellationToken = default) =>
        await PutAsync<SiteSettings>("api/admin/settings", settings, cancellationToken);
}

public sealed record Account(string Id, string Email, string DisplayName, bool IsAdmin);

public sealed record BearerToken(string TokenType, string AccessToken, int ExpiresIn, string RefreshToken);

public sealed record AccountSummary(string Id, string Email, string DisplayName, bool IsAdmin, DateTimeOffset CreatedAt, DateTimeOffset? DisabledAt);

public sealed record SignUpRequirements(bool SignUpOpen, bool SetupCodeRequired);

public sealed record SiteSettings(bool SignUpOpen, int? RecordingRetentionDays);
