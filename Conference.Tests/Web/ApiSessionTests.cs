using System.Net;
using System.Security.Claims;
using Conference.Web.Accounts;
using Conference.Web.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Conference.Tests.Web;

/// <summary>
/// A host stays signed in past the api token's hour: the cookie renews it on a request, a long Blazor circuit renews
/// it in memory, and a refresh the api refuses (new password, lockout) signs the person out.
/// </summary>
public sealed class ApiSessionTests : WebComponentTest
{
    static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-27T09:00:00Z");
    readonly SettableClock clock = new(Now);

    public ApiSessionTests() => Services.AddSingleton<TimeProvider>(clock);

    void SignInWithSession(DateTimeOffset expires)
    {
        Authorization.SetAuthorized("Ada Host");
        Authorization.SetClaims([new Claim(ClaimTypes.NameIdentifier, "host-1"),
            .. new ApiSession("old-token", expires, "refresh-1").Claims()]);
    }

    [Fact]
    public async Task A_circuit_renews_a_token_about_to_lapse_once_and_keeps_the_new_one()
    {
        SignInWithSession(Now.AddMinutes(3));
        Api.On("POST", "/api/accounts/refresh", new { tokenType = "Bearer", accessToken = "new-token", expiresIn = 3600, refreshToken = "refresh-2" });
        var credentials = Services.GetRequiredService<ApiCredentials>();

        var tokens = await Task.WhenAll(credentials.AccessTokenAsync(), credentials.AccessTokenAsync());
        Assert.All(tokens, token => Assert.Equal("new-token", token));
        var refresh = Assert.Single(Api.Seen("POST", "/api/accounts/refresh"));
        Assert.Equal("""{"refreshToken":"refresh-1"}""", refresh.Body);
        Assert.Null(refresh.Authorization);

        // An hour later the renewed token is itself about to lapse: renewed again with the newer refresh token.
        clock.Now = Now.AddMinutes(57);
        Api.On("POST", "/api/accounts/refresh", new { tokenType = "Bearer", accessToken = "newer-token", expiresIn = 3600, refreshToken = "refresh-3" });
        Assert.Equal("newer-token", await credentials.AccessTokenAsync());
        Assert.Equal("""{"refreshToken":"refresh-2"}""", Api.Seen("POST", "/api/accounts/refresh").Last().Body);
    }

    [Fact]
    public async Task A_refresh_token_renewed_long_ago_is_never_presented_again_its_chain_is_followed()
    {
        // The api's refresh tokens work once (a second use ends the sign-in). The circuit renewed refresh-1 an hour ago;
        // now the browser's cookie, still holding refresh-1, needs a token: it must get refresh-2's successor.
        SignInWithSession(Now.AddMinutes(3));
        Api.On("POST", "/api/accounts/refresh", new { tokenType = "Bearer", accessToken = "new-token", expiresIn = 3600, refreshToken = "refresh-2" });
        var renewals = Services.GetRequiredService<ApiTokenRenewals>();
        Assert.Equal("refresh-2", (await renewals.RenewAsync("refresh-1")).Token.RefreshToken);

        clock.Now = Now.AddMinutes(58);
        Api.On("POST", "/api/accounts/refresh", new { tokenType = "Bearer", accessToken = "newer-token", expiresIn = 3600, refreshToken = "refresh-3" });
        var renewed = await renewals.RenewAsync("refresh-1");

        Assert.Equal("newer-token", renewed.Token.AccessToken);
        Assert.Equal(["""{"refreshToken":"refresh-1"}""", """{"refreshToken":"refresh-2"}"""], Api.Seen("POST", "/api/accounts/refresh").Select(r => r.Body));
        // Within the new token's hour, both old tokens lead to it without asking the api again.
        Assert.Equal("newer-token", (await renewals.RenewAsync("refresh-1")).Token.AccessToken);
        Assert.Equal("newer-token", (await renewals.RenewAsync("refresh-2")).Token.AccessToken);
        Assert.Equal(2, Api.Seen("POST", "/api/accounts/refresh").Count());
    }

    [Fact]
    public async Task A_token_with_time_left_is_sent_as_it_is()
    {
        SignInWithSession(Now.AddMinutes(30));
        Assert.Equal("old-token", await Services.GetRequiredService<ApiCredentials>().AccessTokenAsync());
        Assert.Empty(Api.Seen("POST", "/api/accounts/refresh"));
    }

    [Fact]
    public async Task A_refused_refresh_leaves_the_circuit_with_its_token_for_the_api_to_answer_401()
    {
        SignInWithSession(Now.AddMinutes(1));
        Api.OnProblem("POST", "/api/accounts/refresh", HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Equal("old-token", await Services.GetRequiredService<ApiCredentials>().AccessTokenAsync());
    }

    [Fact]
    public async Task The_cookie_renews_the_token_on_a_request_and_keeps_who_the_person_is()
    {
        Api.On("POST", "/api/accounts/refresh", new { tokenType = "Bearer", accessToken = "new-token", expiresIn = 3600, refreshToken = "refresh-2" });
        var context = CookieContext(SignInCookie.Principal(new Account("host-1", "ada@example.org", "Ada", IsAdmin: true),
            new BearerToken("Bearer", "old-token", 240, "refresh-1"), Now));

        await SignInCookie.ValidateAsync(context);

        Assert.True(context.ShouldRenew);
        Assert.Equal(new ApiSession("new-token", Now.AddHours(1), "refresh-2"), ApiSession.Of(context.Principal!));
        Assert.Equal("Ada", context.Principal!.Identity!.Name);
        Assert.True(context.Principal.IsInRole(SignInCookie.AdminRole));
        Assert.Single(context.Principal.Claims, c => c.Type == ApiSession.AccessTokenClaim);
    }

    [Fact]
    public async Task A_renewal_reads_the_account_again_so_a_revoked_admin_role_goes()
    {
        Api.On("POST", "/api/accounts/refresh", new { tokenType = "Bearer", accessToken = "new-token", expiresIn = 3600, refreshToken = "refresh-2" });
        Api.On("GET", "/api/accounts/me", new { id = "host-1", email = "ada@example.org", displayName = "Ada Lovelace", isAdmin = false });
        var context = CookieContext(SignInCookie.Principal(new Account("host-1", "ada@example.org", "Ada", IsAdmin: true),
            new BearerToken("Bearer", "old-token", 240, "refresh-1"), Now));

        await SignInCookie.ValidateAsync(context);

        Assert.Equal("Ada Lovelace", context.Principal!.Identity!.Name);
        Assert.False(context.Principal.IsInRole(SignInCookie.AdminRole));
        Assert.Equal("new-token", ApiSession.Of(context.Principal)!.AccessToken);
        Assert.Equal("Bearer new-token", Assert.Single(Api.Seen("GET", "/api/accounts/me")).Authorization);
    }

    [Fact]
    public async Task A_refused_refresh_signs_the_person_out()
    {
        Api.OnProblem("POST", "/api/accounts/refresh", HttpStatusCode.Unauthorized, "Unauthorized");
        var context = CookieContext(SignInCookie.Principal(new Account("host-1", "ada@example.org", "Ada", IsAdmin: false),
            new BearerToken("Bearer", "old-token", 60, "refresh-1"), Now));

        await SignInCookie.ValidateAsync(context);

        Assert.Null(context.Principal);
        Assert.Contains(context.HttpContext.Response.Headers.SetCookie, c => c!.StartsWith(SignInCookie.Name + "=;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreachable_api_keeps_the_person_signed_in()
    {
        Api.OnThrow("POST", "/api/accounts/refresh", new HttpRequestException("connection refused"));
        var principal = SignInCookie.Principal(new Account("host-1", "ada@example.org", "Ada", IsAdmin: false),
            new BearerToken("Bearer", "old-token", 60, "refresh-1"), Now);
        var context = CookieContext(principal);

        await SignInCookie.ValidateAsync(context);

        Assert.Same(principal, context.Principal);
        Assert.False(context.ShouldRenew);
    }

    [Fact]
    public async Task Through_the_real_cookie_handler_a_renewal_keeps_the_end_of_the_sign_in()
    {
        Api.On("POST", "/api/accounts/refresh", new { tokenType = "Bearer", accessToken = "new-token", expiresIn = 3600, refreshToken = "refresh-2" });
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.Cookie.Name = SignInCookie.Name;
            cookie.SlidingExpiration = false;
            cookie.Events.OnValidatePrincipal = SignInCookie.ValidateAsync;
        });
        builder.Services.AddHttpClient<TokenRefreshClient>(http => http.BaseAddress = new Uri("http://api/")).ConfigurePrimaryHttpMessageHandler(() => Api);
        builder.Services.AddSingleton<ApiTokenRenewals>();
        await using var app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/signin", (HttpContext http) => SignInCookie.SignInAsync(http, new Account("host-1", "ada@example.org", "Ada", IsAdmin: false),
            new BearerToken("Bearer", "old-token", 3600, "refresh-1"), clock.GetUtcNow()));
        app.MapGet("/token", (HttpContext http) => ApiSession.Of(http.User)?.AccessToken ?? "signed out");
        await app.StartAsync();
        var client = app.GetTestClient();
        var end = Now + SignInCookie.Lifetime;

        var cookie = SignInCookieOf(await client.GetAsync("/signin"));
        Assert.Equal(end, cookie.Expires);

        // 58 minutes on the token is about to lapse: renewed, and the new cookie ends when the sign-in does.
        clock.Now = Now.AddMinutes(58);
        var renewed = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/token") { Headers = { { "Cookie", $"{cookie.Name}={cookie.Value}" } } });
        Assert.Equal("new-token", await renewed.Content.ReadAsStringAsync());
        var renewedCookie = SignInCookieOf(renewed);
        Assert.Equal(end, renewedCookie.Expires);

        // After the sign-in's end even a renewed cookie no longer signs anyone in.
        clock.Now = end.AddMinutes(1);
        var late = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/token") { Headers = { { "Cookie", $"{renewedCookie.Name}={renewedCookie.Value}" } } });
        Assert.Equal("signed out", await late.Content.ReadAsStringAsync());
    }

    static Microsoft.Net.Http.Headers.SetCookieHeaderValue SignInCookieOf(HttpResponseMessage response) =>
        Microsoft.Net.Http.Headers.SetCookieHeaderValue.ParseList(response.Headers.GetValues("Set-Cookie").ToList())
            .Single(c => c.Name == SignInCookie.Name);

    CookieValidatePrincipalContext CookieContext(ClaimsPrincipal principal)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie => cookie.Cookie.Name = SignInCookie.Name);
        services.AddHttpClient<TokenRefreshClient>(http => http.BaseAddress = new Uri("http://api/")).ConfigurePrimaryHttpMessageHandler(() => Api);
        services.AddSingleton<ApiTokenRenewals>();
        var http = new DefaultHttpContext { RequestServices = services.BuildServiceProvider() };
        var scheme = new AuthenticationScheme(CookieAuthenticationDefaults.AuthenticationScheme, null, typeof(CookieAuthenticationHandler));
        return new CookieValidatePrincipalContext(http, scheme, new CookieAuthenticationOptions(),
            new AuthenticationTicket(principal, CookieAuthenticationDefaults.AuthenticationScheme));
    }

    sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
