using System.Text.Json.Serialization;
using Conference.Api.Accounts;
using Conference.Api.Data;
using Conference.Api.Mail;
using Conference.Api.Meetings;
using Conference.Api.Participants;
using Conference.Api.Recordings;
using Conference.Api.Scheduling;
using Conference.Api.Webhooks;
using Conference.Contracts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Conference.Api.Extensions;

static class Extensions
{
    /// <summary>The connection names the AppHost gives the api's dependencies.</summary>
    public const string DatabaseName = "conference";
    public const string RedisName = "redis";
    public const string LiveKitName = "livekit";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // Both client integrations register health checks, so /health reports Postgres and Redis for real.
        builder.AddNpgsqlDbContext<ConferenceDbContext>(DatabaseName, ResilienceExtensions.FailFast);
        builder.AddRedisClient(RedisName, configureOptions: ResilienceExtensions.FailFast);
        builder.AddDependencyResilience();
        builder.AddRequestLimits();

        builder.Services.AddIdentityApiEndpoints<ConferenceUser>(options =>
            {
                options.Password.RequiredLength = AccountsApi.MinimumPasswordLength;
                // Length over composition rules (NIST SP 800-63B): a long passphrase beats "Passw0rd!".
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireDigit = false;
                options.Password.RequireUppercase = false;
                options.Password.RequiredUniqueChars = 4;
                // No lockout: anyone knowing a host's email could keep them out with five wrong passwords. Sign-in
                // attempts are rate-limited per account and address instead (RateLimits).
                options.Lockout.AllowedForNewUsers = false;
                options.User.RequireUniqueEmail = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ConferenceDbContext>();
        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "conference.auth";
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            // An API answers 401/403, never a redirect to a login page.
            cookie.Events.OnRedirectToLogin = context => { context.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
            cookie.Events.OnRedirectToAccessDenied = context => { context.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
        });
        builder.Services.AddAuthorization();
        builder.Services.AddScoped<RefreshTokens>();

        // Refresh tokens and participant keys are read by any api instance and after a restart; only the api reads them.
        // "Conference", the name from when api and web shared one, so keys issued before stay good (participant keys
        // for 90 days).
        builder.AddKeyRing("Conference");

        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = BadRequestExceptionHandler.ExplainBareStatus);
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            // Bodies are read strictly, so a mistake is answered (400 naming the field, BadRequestExceptionHandler)
            // rather than silently ignored: a field no request of that endpoint has (a top-level "lobbyEnabled" on a
            // new meeting, whose settings sit under "settings"), a number sent as a string, an enum sent as a number.
            json.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        });
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration("RateLimits");
        builder.Services.AddSingleton<RedisRateLimiter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RedisRateLimiter>());
        builder.Services.AddSingleton<MeetingChanges>();
        builder.Services.AddSingleton<AccountChanges>();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<MeetingCache>();
        builder.Services.AddHostedService<MeetingCacheEviction>();
        // Meetings, participants and webhooks (issue 12).
        builder.Services.AddSingleton<Lobby>();
        builder.Services.AddSingleton<ParticipantKeys>();
        builder.Services.AddScoped<MeetingRoles>();
        builder.Services.AddScoped<MediaServer>(); // scoped: the typed LiveKit clients it hands out are per request
        builder.Services.AddExceptionHandler<ServiceNotConfiguredHandler>();
        builder.Services.AddScoped<WebhookEventStore>();
        builder.Services.AddSingleton<WebhookIngestion>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WebhookIngestion>());
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration("Webhooks");
        builder.Services.AddScoped<WebhookEffects>();
        builder.Services.AddSingleton<WebhookMaintenance>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WebhookMaintenance>());
        builder.Services.AddSingleton<CallReconciler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CallReconciler>());
        builder.AddMailAndScheduling(); // issue 17: the mail outbox and scheduled meetings

        // The recorder owns recordings; the api reaches it by service discovery. Starting twice is not harmless,
        // so unsafe methods are not retried.
        // Without one (Recorder:Url unset and no service-discovery entry) recording endpoints answer 503.
        if (builder.Configuration[RecorderClient.ConfigurationKey] is { Length: > 0 } || builder.Configuration.GetSection("services:recorder").Exists())
        {
            builder.Services.AddHttpClient<RecorderClient>(http =>
                {
                    http.BaseAddress = new Uri(builder.Configuration[RecorderClient.ConfigurationKey] ?? RecorderClient.DefaultUrl);
                    if (builder.Configuration[InternalApiKey.ConfigurationKey] is { Length: > 0 } key)
                    {
                        http.DefaultRequestHeaders.Add(InternalApiKey.HeaderName, key);
                    }
                })
                .WithoutRetryingUnsafeMethods();
        }
        builder.Services.AddScoped<RecorderService>(); // always: without a recorder, using it is one 503
        builder.Services.AddScoped<AutoRecord>();

        // Without LiveKit (e.g. the Processes variant on a machine without livekit-server) the api still runs:
        // joining answers 503 with the reason, and /api/health says LiveKit is not configured.
        if (builder.Configuration.GetConnectionString(LiveKitName) is { Length: > 0 }
            || builder.Configuration["LiveKit:Url"] is { Length: > 0 })
        {
            builder.AddLiveKitClient(LiveKitName);
            // Every Twirp call is a POST, and some must not run twice: a retried RemoveParticipant that had gone
            // through answers not_found ("no one with that identity"), a retried SendData delivers twice. LiveKit's own
            // server SDKs do not retry either; a failure here is the caller's 503 with Retry-After.
            builder.Services.AddHttpClient<Conference.LiveKit.RoomServiceClient>().WithoutRetryingUnsafeMethods();
            builder.Services.AddOptions<MediaServerOptions>().BindConfiguration("MediaServer");
            builder.Services.AddSingleton<JoinTokens>();
            // A dead media server is Degraded: everything but calls still works, and the operator's monitor sees it.
            builder.Services.AddSingleton<LiveKitHealthCheck>();
            builder.Services.AddHttpClient(LiveKitHealthCheck.HttpClientName).WithoutResilience();
            // Each probe's request would log its start and end at Information, and a refused one its stack trace; the
            // check's own answer says what went wrong, once (HealthCheckChanges).
            builder.DefaultLogLevel($"System.Net.Http.HttpClient.{LiveKitHealthCheck.HttpClientName}", LogLevel.Warning);
            builder.Services.AddHealthChecks().AddCheck<LiveKitHealthCheck>(LiveKitHealthCheck.Name, HealthStatus.Degraded);
        }
    }
}
