using Conference.Web.Accounts;
using Conference.Web.Api;
using Conference.Web.Components.Call;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Http.Resilience;

namespace Conference.Web.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
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
                // The cookie lives exactly as long as the api token inside it (set at sign-in), not sliding past it.
                cookie.SlidingExpiration = false;
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
        services.AddApiClient<AccountsClient>();
        services.AddApiClient<MeetingsClient>();
        services.AddApiClient<JoinClient>();
        services.AddApiClient<ModerationClient>();
        services.AddApiClient<RecordingsClient>();
        services.AddApiClient<AnalyticsClient>();
        services.ConfigureAll<HttpStandardResilienceOptions>(resilience => resilience.Retry.DisableForUnsafeHttpMethods());
        return services;
    }

    static void AddApiClient<TClient>(this IServiceCollection services) where TClient : ApiClient =>
        services.AddHttpClient<TClient>(http => http.BaseAddress = new Uri(ApiClient.BaseAddress));
}
