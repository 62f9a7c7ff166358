using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Api.Accounts;
using Conference.Api.Data;
using Conference.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Conference.Tests.Api;

/// <summary>
/// The account promises of docs/security.md: the first admin needs the setup code from the api's log; sign-out,
/// "sign out everywhere", a password change and an admin's disable take effect at the next request; refresh tokens
/// rotate and a reused one ends its sign-in; sign-in answers do not tell unknown emails from wrong passwords; guessing
/// is slowed per account and address without locking the owner out.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class AccountSecurityTests(ApiFixture fixture)
{
    const string Password = "correct horse battery";

    [Fact]
    public async Task A_fresh_server_makes_exactly_one_admin_and_only_with_the_setup_code_from_its_log()
    {
        var log = new LogCapture();
        var database = await fixture.Postgres.CreateDatabaseAsync($"fresh_{Guid.NewGuid():N}");
        var api = fixture.CreateApi(new Dictionary<string, string?> { ["ConnectionStrings:conference"] = database },
            services => services.AddSingleton<ILoggerProvider>(log));
        using var client = api.CreateClient();

        var code = Assert.Single(log.Lines.Select(m => System.Text.RegularExpressions.Regex.Match(m, @"setup code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")),
            m => m.Success).Groups[1].Value;
        Assert.True((await client.GetFromJsonAsync<JsonElement>("/api/accounts/signup")).GetProperty("setupCodeRequired").GetBoolean());

        var withoutCode = await client.PostAsJsonAsync("/api/accounts/signup", new { email = "first@example.org", password = Password, displayName = "First" });
        Assert.Equal(HttpStatusCode.BadRequest, withoutCode.StatusCode);
        Assert.True((await withoutCode.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("setupCode", out _));
        var wrongCode = await client.PostAsJsonAsync("/api/accounts/signup", new { email = "first@example.org", password = Password, displayName = "First", setupCode = "AAAA-BBBB-CCCC" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongCode.StatusCode);
        // A failed sign-up (too short a password) does not use the code up.
        var weak = await client.PostAsJsonAsync("/api/accounts/signup", new { email = "weak@example.org", password = "short", displayName = "Weak", setupCode = code });
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);

        // Eight people race with the right code (typed in small letters): one admin.
        var racers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var racer = api.CreateClient();
            var response = await racer.PostAsJsonAsync("/api/accounts/signup",
                new { email = $"racer{i}@example.org", password = Password, displayName = $"Racer {i}", setupCode = code.ToLowerInvariant() });
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));
        // A racer that reads the settings after the winner's commit finds ordinary sign-up (as "later" below does) and
        // is made an ordinary account; one that reads them before waits on the row and is refused. Either way: one admin.
        var created = racers.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        Assert.Single(created, r => JsonDocument.Parse(r.Body).RootElement.GetProperty("isAdmin").GetBoolean());
        Assert.All(racers.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        await using (var scope = api.Services.CreateAsyncScope())
        {
            Assert.Single(await scope.ServiceProvider.GetRequiredService<UserManager<ConferenceUser>>().GetUsersInRoleAsync(Roles.Admin));
        }

        // From now on sign-up is ordinary: no code needed, and nobody else becomes admin.
        Assert.False((await client.GetFromJsonAsync<JsonElement>("/api/accounts/signup")).GetProperty("setupCodeRequired").GetBoolean());
        var later = await client.PostAsJsonAsync("/api/accounts/signup", new { email = "later@example.org", password = Password, displayName = "Later", setupCode = code });
        Assert.Equal(HttpStatusCode.Created, later.StatusCode);
        Assert.False((await later.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("isAdmin").GetBoolean());
    }

    [Fact]
    public async Task Sign_out_ends_the_bearer_sign_in_its_access_token_and_refresh_token_at_once()
    {
        var (email, _) = await SignUpAsync();
        var session = await SignInAsync(email);
        using var client = Bearer(session.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/accounts/me")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/accounts/signout", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/accounts/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(session.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Refresh_tokens_rotate_and_a_reused_one_ends_the_whole_sign_in()
    {
        var (email, _) = await SignUpAsync();
        var first = await SignInAsync(email);
        var other = await SignInAsync(email); // another device: unaffected by this one's theft

        var second = await (await RefreshAsync(first.RefreshToken)).Content.ReadFromJsonAsync<ApiFixture.BearerToken>();
        Assert.NotEqual(first.RefreshToken, second!.RefreshToken);
        using (var current = Bearer(second.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await current.GetAsync("/api/accounts/me")).StatusCode);
        }

        // The old token again: someone holds a copy. Both holders lose the sign-in.
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(first.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(second.RefreshToken)).StatusCode);
        using (var revoked = Bearer(second.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.GetAsync("/api/accounts/me")).StatusCode);
        }
        using var otherDevice = Bearer(other.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await otherDevice.GetAsync("/api/accounts/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(other.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Changing_the_password_signs_out_every_other_sign_in_and_keeps_this_one()
    {
        var (email, _) = await SignUpAsync();
        var laptop = await SignInAsync(email);
        var phone = await SignInAsync(email);
        var cookieClient = fixture.Api.CreateClient(new() { HandleCookies = true });
        (await cookieClient.PostAsJsonAsync("/api/accounts/signin", new { email, password = Password, useCookie = true })).EnsureSuccessStatusCode();

        using var laptopClient = Bearer(laptop.AccessToken);
        var wrong = await laptopClient.PostAsJsonAsync("/api/accounts/password", new { currentPassword = "not the password", newPassword = "a brand new passphrase" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.True((await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("currentPassword", out _));
        // The same password again is no change (it would still end every other sign-in); a wrong one stays wrong.
        var same = await laptopClient.PostAsJsonAsync("/api/accounts/password", new { currentPassword = Password, newPassword = Password });
        Assert.Equal(HttpStatusCode.BadRequest, same.StatusCode);
        Assert.Equal("The new password is the same as the current one; choose a different one.",
            (await same.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("newPassword")[0].GetString());
        var sameButWrong = await laptopClient.PostAsJsonAsync("/api/accounts/password", new { currentPassword = "not the password", newPassword = "not the password" });
        Assert.Equal("The current password is wrong.",
            (await sameButWrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("currentPassword")[0].GetString());
        using var phoneStillIn = Bearer(phone.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await phoneStillIn.GetAsync("/api/accounts/me")).StatusCode);

        var changed = await laptopClient.PostAsJsonAsync("/api/accounts/password", new { currentPassword = Password, newPassword = "a brand new passphrase" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var renewed = (await changed.Content.ReadFromJsonAsync<ApiFixture.BearerToken>())!;

        using var phoneClient = Bearer(phone.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phoneClient.GetAsync("/api/accounts/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(phone.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await cookieClient.GetAsync("/api/accounts/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await laptopClient.GetAsync("/api/accounts/me")).StatusCode);
        using var renewedClient = Bearer(renewed.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await renewedClient.GetAsync("/api/accounts/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(renewed.RefreshToken)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Api.CreateClient().PostAsJsonAsync("/api/accounts/signin", new { email, password = Password })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Api.CreateClient().PostAsJsonAsync("/api/accounts/signin", new { email, password = "a brand new passphrase" })).StatusCode);
    }

    [Fact]
    public async Task Sign_out_everywhere_ends_every_sign_in_of_the_account()
    {
        var (email, _) = await SignUpAsync();
        var sessions = new[] { await SignInAsync(email), await SignInAsync(email) };
        using var first = Bearer(sessions[0].AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, (await first.PostAsync("/api/accounts/signout-everywhere", null)).StatusCode);

        foreach (var session in sessions)
        {
            using var client = Bearer(session.AccessToken);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/accounts/me")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(session.RefreshToken)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await fixture.Api.CreateClient().PostAsJsonAsync("/api/accounts/signin", new { email, password = Password })).StatusCode);
    }

    [Fact]
    public async Task An_admin_disables_an_account_and_its_sign_ins_stop_at_their_next_request()
    {
        var (email, id) = await SignUpAsync();
        var session = await SignInAsync(email);
        using var host = Bearer(session.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/api/accounts/me")).StatusCode);
        using var admin = await fixture.SignedInAdminAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await host.PostAsync($"/api/admin/accounts/{id}/disable", null)).StatusCode);
        var disabled = await admin.PostAsync($"/api/admin/accounts/{id}/disable", null);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.NotEqual(JsonValueKind.Null, (await disabled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("disabledAt").ValueKind);

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.GetAsync("/api/accounts/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(session.RefreshToken)).StatusCode);
        var signIn = await fixture.Api.CreateClient().PostAsJsonAsync("/api/accounts/signin", new { email, password = Password });
        Assert.Equal(HttpStatusCode.Forbidden, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await fixture.Api.CreateClient().PostAsJsonAsync("/api/accounts/signin", new { email, password = "not the password" })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/admin/accounts/{id}/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Api.CreateClient().PostAsJsonAsync("/api/accounts/signin", new { email, password = Password })).StatusCode);
        var accounts = await admin.GetFromJsonAsync<JsonElement>("/api/admin/accounts");
        Assert.Contains(accounts.EnumerateArray(), a => a.GetProperty("id").GetString() == id && a.GetProperty("disabledAt").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task Every_way_a_sign_in_ends_is_published_for_the_accounts_open_pages_and_nothing_else_is()
    {
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(fixture.RedisConnectionString);
        var heard = new ConcurrentQueue<Conference.Contracts.AccountChange>();
        await redis.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Literal(Conference.Contracts.AccountChange.Channel),
            (_, message) => heard.Enqueue(JsonSerializer.Deserialize<Conference.Contracts.AccountChange>(message.ToString())!));
        var (email, id) = await SignUpAsync();
        var (otherEmail, otherId) = await SignInsOfAnotherAccountAsync();
        var sessions = new[] { await SignInAsync(email), await SignInAsync(email), await SignInAsync(email) };
        var ended = 0;
        async Task HeardAsync(string why)
        {
            ended++;
            await Eventually.TrueAsync(() => heard.Count(c => c.Account == id) >= ended, $"the api to publish that {why} ended a sign-in",
                within: TimeSpan.FromSeconds(10));
            Assert.Equal(ended, heard.Count(c => c.Account == id)); // once per ending, not per family
        }

        using (var client = Bearer(sessions[0].AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/accounts/signout", null)).StatusCode);
        }
        await HeardAsync("a sign-out");

        var rotated = await (await RefreshAsync(sessions[1].RefreshToken)).Content.ReadFromJsonAsync<ApiFixture.BearerToken>();
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(sessions[1].RefreshToken)).StatusCode); // reused: the family goes
        await HeardAsync("a reused refresh token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(rotated!.RefreshToken)).StatusCode); // already ended: nothing new

        using (var client = Bearer(sessions[2].AccessToken))
        {
            var changed = await client.PostAsJsonAsync("/api/accounts/password", new { currentPassword = Password, newPassword = "a brand new passphrase" });
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
            await HeardAsync("a new password");
            var renewed = (await changed.Content.ReadFromJsonAsync<ApiFixture.BearerToken>())!;
            using var renewedClient = Bearer(renewed.AccessToken);
            Assert.Equal(HttpStatusCode.NoContent, (await renewedClient.PostAsync("/api/accounts/signout-everywhere", null)).StatusCode);
        }
        await HeardAsync("sign out everywhere");

        using (var admin = await fixture.SignedInAdminAsync())
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/admin/accounts/{id}/disable", null)).StatusCode);
        }
        await HeardAsync("an admin disabling the account");

        Assert.All(heard.Where(c => c.Account == id), c => Assert.Equal(Conference.Contracts.AccountChangeKind.SignInsEnded, c.What));
        // Signing in, refreshing and ending nothing told nobody: the other account's pages heard nothing at all.
        Assert.DoesNotContain(heard, c => c.Account == otherId);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync((await SignInAsync(otherEmail)).RefreshToken)).StatusCode);
        Assert.DoesNotContain(heard, c => c.Account == otherId);
    }

    /// <summary>An account that signs in twice and refreshes once: nothing of it ends.</summary>
    async Task<(string Email, string Id)> SignInsOfAnotherAccountAsync()
    {
        var (email, id) = await SignUpAsync();
        var session = await SignInAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(session.RefreshToken)).StatusCode);
        return (email, id);
    }

    [Fact]
    public async Task Unknown_email_and_wrong_password_get_the_same_answer_after_the_same_password_work()
    {
        var hasher = new CountingPasswordHasher();
        var api = fixture.CreateApi(configureServices: services => services.AddSingleton<IPasswordHasher<ConferenceUser>>(hasher));
        using var client = api.CreateClient();
        var (email, _) = await SignUpAsync();

        hasher.Verifications = 0;
        var unknown = await client.PostAsJsonAsync("/api/accounts/signin", new { email = $"nobody-{Guid.NewGuid():N}@example.org", password = "wrong password" });
        Assert.Equal(1, hasher.Verifications);
        hasher.Verifications = 0;
        var wrong = await client.PostAsJsonAsync("/api/accounts/signin", new { email, password = "wrong password" });
        Assert.Equal(1, hasher.Verifications);

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(wrong.StatusCode, unknown.StatusCode);
        var (unknownBody, wrongBody) = (await unknown.Content.ReadFromJsonAsync<JsonElement>(), await wrong.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal(wrongBody.GetProperty("detail").GetString(), unknownBody.GetProperty("detail").GetString());
        Assert.Equal(wrongBody.GetProperty("title").GetString(), unknownBody.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Guessing_one_accounts_password_is_slowed_per_address_and_never_locks_the_owner_out()
    {
        var api = fixture.CreateApi(new Dictionary<string, string?> { ["RateLimits:SignInPerAccountAndIpPerMinute"] = "3" });
        var (email, _) = await SignUpAsync();
        var attacker = api.CreateClient();
        attacker.DefaultRequestHeaders.Add(ClientAddressFromHeader.Header, $"198.51.100.{Random.Shared.Next(1, 255)}");
        var owner = api.CreateClient();
        owner.DefaultRequestHeaders.Add(ClientAddressFromHeader.Header, $"203.0.113.{Random.Shared.Next(1, 255)}");

        await RateLimitWindow.StartWellInsideAsync(TimeSpan.FromSeconds(15));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add((await attacker.PostAsJsonAsync("/api/accounts/signin", new { email, password = $"guess {i}" })).StatusCode);
        }
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 3), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 7)], statuses);
        // Even the right password waits out the window from the attacker's address...
        var attackerRight = await attacker.PostAsJsonAsync("/api/accounts/signin", new { email, password = Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, attackerRight.StatusCode);
        Assert.True(attackerRight.Headers.Contains("Retry-After"));
        // ...while the owner, from their own address, signs in at once: ten failures locked nothing.
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync("/api/accounts/signin", new { email, password = Password })).StatusCode);
        // The attacker's address can still try other accounts (its per-address limit is separate and larger).
        var (otherEmail, _) = await SignUpAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.PostAsJsonAsync("/api/accounts/signin", new { email = otherEmail, password = "guess" })).StatusCode);
    }

    async Task<(string Email, string Id)> SignUpAsync()
    {
        var email = $"account-{Guid.NewGuid():N}@example.org";
        var response = await fixture.Api.CreateClient().PostAsJsonAsync("/api/accounts/signup", new { email, password = Password, displayName = "Account Holder" });
        response.EnsureSuccessStatusCode();
        return (email, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    }

    async Task<ApiFixture.BearerToken> SignInAsync(string email)
    {
        var response = await fixture.Api.CreateClient().PostAsJsonAsync("/api/accounts/signin", new { email, password = Password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ApiFixture.BearerToken>())!;
    }

    Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        fixture.Api.CreateClient().PostAsJsonAsync("/api/accounts/refresh", new { refreshToken });

    HttpClient Bearer(string accessToken)
    {
        var client = fixture.Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        return client;
    }

    sealed class CountingPasswordHasher : IPasswordHasher<ConferenceUser>
    {
        readonly PasswordHasher<ConferenceUser> inner = new();
        public int Verifications;

        public string HashPassword(ConferenceUser user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(ConferenceUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref Verifications);
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
