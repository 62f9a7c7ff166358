using Conference.Web.Accounts;
using Conference.Web.Api;
using Conference.Web.Circuits;
using Conference.Web.Components.Call;
using Conference.Web.Meetings;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Http.Resilience;

namespace Conference.Web.Extensions;

public static class Extensions
{
    /// <summary>The connection name the AppHost gives Redis (the same as the api's).</summary>
    public const string RedisName = "redis";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // The sign-in cookie (and Blazor's protected state) must survive a restart or another instance of the web: the
        // key ring is in Redis when there is one. The web reads nothing the api protected (the api's tokens and
        // participant keys are opaque to it), so it protects under its own name.
        builder.AddKeyRing("Conference.Web");
        if (builder.Configuration.GetConnectionString(RedisName) is { Length: > 0 })
        {
            builder.AddRedisClient(RedisName);
            // Open pages (lobby lists, a waiting guest, recordings, the call) update when the api or recorder
            // publishes a meeting change, instead of asking the api every few seconds.
            builder.Services.AddHostedService<MeetingChangeSubscriber>();
            // Open pages of an account leave for sign-in as soon as the api ends its sign-in (MainLayout).
            builder.Services.AddHostedService<AccountChangeSubscriber>();
        }
        builder.Services.AddSingleton<MeetingChangeNotifications>();
        builder.Services.AddSingleton<AccountChangeNotifications>();
        // Open pages keep their state across a restart of the web (a deploy) and an evicted circuit.
        builder.AddCircuitContinuity(redis: builder.Configuration.GetConnectionString(RedisName) is { Length: > 0 });

        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = SignInCookie.Name;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.LoginPath = "/account/signin";
                cookie.LogoutPath = "/account/signout";
                cookie.AccessDeniedPath = "/account/denied";
                cookie.ReturnUrlParameter = "returnUrl";
                // A sign-in lasts SignInCookie.Lifetime from when it was made; the api token inside is renewed as it goes.
                cookie.SlidingExpiration = false;
                cookie.Events.OnValidatePrincipal = SignInCookie.ValidateAsync;
            });
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddApiClients();
        builder.Services.AddCallServices();
    }

    /// <summary>
    /// The typed api clients, each an HttpClient to the api found by service discovery. The web's callers are
    /// people waiting on a page: a failed POST (join, create) is not retried behind their back, GETs are.
    /// </summary>
    public static IServiceCollection AddApiClients(this IServiceCollection services)
    {
        services.AddScoped<ApiCredentials>();
        services.AddScoped<CallerAddress>();
        services.AddHttpContextAccessor();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, CallerAddress.CircuitHandler>();
        services.AddApiClient<TokenRefreshClient>();
        services.AddSingleton<ApiTokenRenewals>();
        services.AddApiClient<AccountsClient>();
        services.AddApiClient<MeetingsClient>();
        services.AddApiClient<JoinClient>();
        services.AddApiClient<LobbyWithdrawalClient>();
        services.AddApiClient<ModerationClient>();
        services.AddApiClient<RecordingsClient>();
        services.AddApiClient<AnalyticsClient>();
        services.AddApiClient<SchedulingClient>();
        services.ConfigureAll<HttpStandardResilienceOptions>(resilience => resilience.Retry.DisableForUnsafeHttpMethods());
        return services;
    }

    static void AddApiClient<TClient>(this IServiceCollection services) where TClient : ApiClient =>
        services.AddHttpClient<TClient>(http => http.BaseAddress = new Uri(ApiClient.BaseAddress));
}
