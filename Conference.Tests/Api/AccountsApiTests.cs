using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Api.Accounts;
using Microsoft.Extensions.DependencyInjection;

namespace Conference.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class AccountsApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task Sign_in_gives_a_bearer_token_that_reads_the_account()
    {
        using var host = await fixture.SignedInHostAsync(displayName: "Grace");
        var me = await host.GetFromJsonAsync<JsonElement>("/api/accounts/me");
        Assert.Equal("Grace", me.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Without_a_recorder_the_admin_still_manages_sign_up_and_is_told_retention_cannot_be_kept()
    {
        // This fixture's api has no recorder: retention has no owner to hand it to, and says so rather than keeping a copy.
        using var admin = await fixture.SignedInAdminAsync();
        Assert.Equal(new AccountsApi.SiteSettingsDto(true, null), await admin.GetFromJsonAsync<AccountsApi.SiteSettingsDto>("/api/admin/settings"));

        var withRetention = await admin.PutAsJsonAsync("/api/admin/settings", new { signUpOpen = false, recordingRetentionDays = 30 });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, withRetention.StatusCode);
        Assert.Equal("Recording is not available", (await withRetention.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.True((await admin.GetFromJsonAsync<AccountsApi.SiteSettingsDto>("/api/admin/settings"))!.SignUpOpen);

        try
        {
            var signUpOnly = await admin.PutAsJsonAsync("/api/admin/settings", new { signUpOpen = false });
            Assert.Equal(HttpStatusCode.OK, signUpOnly.StatusCode);
            Assert.Equal(new AccountsApi.SiteSettingsDto(false, null), await admin.GetFromJsonAsync<AccountsApi.SiteSettingsDto>("/api/admin/settings"));
        }
        finally
        {
            (await admin.PutAsJsonAsync("/api/admin/settings", new { signUpOpen = true })).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task Sign_in_with_a_cookie_serves_the_browser()
    {
        var client = fixture.Api.CreateClient(new() { HandleCookies = true });
        var email = $"cookie-{Guid.NewGuid():N}@example.org";
        (await client.PostAsJsonAsync("/api/accounts/signup", new { email, password = "correct horse battery", displayName = "Cookie" })).EnsureSuccessStatusCode();

        var signIn = await client.PostAsJsonAsync("/api/accounts/signin", new { email, password = "correct horse battery", useCookie = true });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Contains(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("conference.auth=", StringComparison.Ordinal) && c.Contains("httponly"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/accounts/me")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/accounts/signout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/accounts/me")).StatusCode);
    }

    [Fact]
    public async Task A_refresh_token_buys_a_new_bearer_token_until_the_account_changes()
    {
        var client = fixture.Api.CreateClient();
        var email = $"refresh-{Guid.NewGuid():N}@example.org";
        (await client.PostAsJsonAsync("/api/accounts/signup", new { email, password = "correct horse battery", displayName = "Refresh" })).EnsureSuccessStatusCode();
        var first = await (await client.PostAsJsonAsync("/api/accounts/signin", new { email, password = "correct horse battery" }))
            .Content.ReadFromJsonAsync<ApiFixture.BearerToken>();

        var refreshed = await client.PostAsJsonAsync("/api/accounts/refresh", new { refreshToken = first!.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var second = (await refreshed.Content.ReadFromJsonAsync<ApiFixture.BearerToken>())!;
        Assert.True(second.ExpiresIn > 0);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/accounts/me") { Headers = { Authorization = new("Bearer", second.AccessToken) } };
        Assert.Equal(email, (await (await client.SendAsync(me)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("email").GetString());

        // A locked-out account (five wrong passwords, which anyone knowing the email can cause) keeps its sessions.
        using (var scope = fixture.Api.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Conference.Api.Accounts.ConferenceUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByEmailAsync(email))!, DateTimeOffset.UtcNow.AddMinutes(5));
        }
        var whileLocked = await client.PostAsJsonAsync("/api/accounts/refresh", new { refreshToken = second.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, whileLocked.StatusCode);

        // A changed account (here its security stamp, as a new password or an admin's reset changes it) ends every refresh.
        using (var scope = fixture.Api.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Conference.Api.Accounts.ConferenceUser>>();
            await users.UpdateSecurityStampAsync((await users.FindByEmailAsync(email))!);
        }
        var refused = await client.PostAsJsonAsync("/api/accounts/refresh", new { refreshToken = second.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"refreshToken":"not-a-token"}""", HttpStatusCode.Unauthorized)]
    [InlineData("""{"refreshToken":""}""", HttpStatusCode.BadRequest)]
    [InlineData("""{}""", HttpStatusCode.BadRequest)]
    public async Task A_bad_refresh_token_is_a_problem(string body, HttpStatusCode expected)
    {
        var response = await fixture.Api.CreateClient().PostAsync("/api/accounts/refresh",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(expected, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty("refreshToken", out _));
        }
    }

    [Fact]
    public async Task Without_credentials_the_account_is_401_not_a_redirect()
    {
        var response = await fixture.Api.CreateClient(new() { AllowAutoRedirect = false }).GetAsync("/api/accounts/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_is_401_and_any_number_of_them_lock_nothing()
    {
        var client = fixture.Api.CreateClient();
        var email = $"lock-{Guid.NewGuid():N}@example.org";
        (await client.PostAsJsonAsync("/api/accounts/signup", new { email, password = "correct horse battery", displayName = "Lock" })).EnsureSuccessStatusCode();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await client.PostAsJsonAsync("/api/accounts/signin", new { email, password = "wrong password!" })).StatusCode);
        }
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        // No lockout: anyone who knows the email could otherwise keep the owner out (guessing is rate-limited instead).
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/accounts/signin", new { email, password = "correct horse battery" })).StatusCode);
    }

    [Fact]
    public async Task A_weak_password_is_a_problem_naming_the_password()
    {
        var response = await fixture.Api.CreateClient().PostAsJsonAsync("/api/accounts/signup",
            new { email = $"weak-{Guid.NewGuid():N}@example.org", password = "short", displayName = "Weak" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
    }

    [Fact]
    public async Task An_email_that_already_has_an_account_is_one_problem_naming_the_email()
    {
        var client = fixture.Api.CreateClient();
        var email = $"twice-{Guid.NewGuid():N}@example.org";
        (await client.PostAsJsonAsync("/api/accounts/signup", new { email, password = "correct horse battery", displayName = "First" })).EnsureSuccessStatusCode();

        var again = await client.PostAsJsonAsync("/api/accounts/signup", new { email = email.ToUpperInvariant(), password = "another horse battery", displayName = "Second" });

        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        var errors = (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        var field = Assert.Single(errors.EnumerateObject());
        Assert.Equal("email", field.Name);
        var message = Assert.Single(field.Value.EnumerateArray()).GetString();
        Assert.Equal("An account with this email address already exists. Sign in, or reset its password if you have forgotten it.", message);
    }
}
