using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Conference service shares: OpenTelemetry, health checks, service discovery and resilient HttpClients.
/// </summary>
public static class Extensions
{
    /// <summary>Readiness: every registered dependency check runs.</summary>
    public const string HealthEndpointPath = "/health";

    /// <summary>Liveness: only checks tagged "live" run, so a dead database never restarts a live process.</summary>
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>The tag that puts a check into <see cref="AlivenessEndpointPath"/>.</summary>
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.Configure<ForwardedHeadersOptions>(TrustProxiesOnThePrivateNetwork);
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>
    /// Every service sits behind Caddy (and the api also behind the web), so the address it sees is the proxy's.
    /// Rate limits per client address need the browser's: X-Forwarded-For is believed from the private networks
    /// the proxies live on (the compose network, loopback while developing), never from the internet. Call
    /// <c>app.UseForwardedHeaders()</c> first thing.
    /// </summary>
    static void TrustProxiesOnThePrivateNetwork(ForwardedHeadersOptions options)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        foreach (var network in new[] { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7" })
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                // Our own meters (LiveKit client, recorder, ...) all start with "Conference".
                .AddMeter("Conference.*"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("Conference.*")
                // Health probes run every few seconds; tracing them would drown the real traffic.
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsHealthProbe(context.Request.Path))
                .AddHttpClientInstrumentation());

        // Export only when the AppHost (or compose) names a collector; otherwise telemetry stays in-process.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
            // The last telemetry is sent within a bound when the process stops (a slow collector must not hold the stop).
            builder.Services.AddHostedService<TelemetryShutdown>();
        }

        return builder;
    }

    /// <summary>
    /// The "self" check, and every check's changes logged once (<see cref="HealthCheckChanges"/>) instead of a line (or a
    /// stack trace) for every probe that finds a dependency down.
    /// </summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        builder.Services.AddSingleton<HealthCheckChanges>();
        // After every registration, whoever added it and whenever: each check's answer passes through the change log.
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                var create = registration.Factory;
                registration.Factory = services => new HealthCheckChanges.NotedCheck(create(services), services.GetRequiredService<HealthCheckChanges>());
            }
        });
        builder.DefaultLogLevel(HealthCheckChanges.HealthCheckServiceCategory, LogLevel.None);

        return builder;
    }

    /// <summary>
    /// Sets <paramref name="category"/>'s log level unless configuration sets one (<c>Logging:LogLevel:{category}</c>,
    /// e.g. the environment variable <c>Logging__LogLevel__{category}</c>): a filter added in code would win over the
    /// operator's, since the last of two equally specific rules applies.
    /// </summary>
    public static TBuilder DefaultLogLevel<TBuilder>(this TBuilder builder, string category, LogLevel level) where TBuilder : IHostApplicationBuilder
    {
        if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
        {
            builder.Logging.AddFilter(category, level);
        }
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> and <c>/alive</c> in every environment: the production compose file's health checks
    /// and Caddy depend on them. They answer a status word only; details stay in the logs.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag)
        });

        return app;
    }

    /// <summary>
    /// Keeps the standard resilience (timeouts, circuit breaker) but retries only safe methods, for clients whose
    /// POSTs start something that must not start twice (a recording, an egress).
    /// </summary>
    public static IHttpClientBuilder WithoutRetryingUnsafeMethods(this IHttpClientBuilder http)
    {
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the only way to replace the defaults for one client
        http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        http.AddStandardResilienceHandler(resilience => resilience.Retry.DisableForUnsafeHttpMethods());
        return http;
    }

    /// <summary>
    /// No resilience at all, for probes (health checks) that report what their one attempt met within their own
    /// timeout: retries would turn a refused connection into a timeout and hide the reason.
    /// </summary>
    public static IHttpClientBuilder WithoutResilience(this IHttpClientBuilder http)
    {
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the only way to take the defaults off one client
        http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return http;
    }

    static bool IsHealthProbe(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath);
}
