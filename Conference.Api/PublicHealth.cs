using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Conference.Api;

/// <summary>
/// <c>/api/health</c>: the public, minimal view through Caddy — each dependency's status word, never a
/// connection string, host name or exception text.
/// </summary>
public static class PublicHealth
{
    public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, string> Checks);

    public static IEndpointRouteBuilder MapPublicHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/health", async (HealthCheckService health, IServiceProvider services, CancellationToken cancellationToken) =>
            {
                var report = await health.CheckHealthAsync(cancellationToken);
                var checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString());
                checks["livekit"] = services.GetService<Conference.LiveKit.TokenVerifier>() is null ? "NotConfigured" : "Configured";
                var response = new HealthResponse(report.Status.ToString(), checks);
                return report.Status == HealthStatus.Unhealthy
                    ? Results.Json(response, statusCode: StatusCodes.Status503ServiceUnavailable)
                    : Results.Ok(response);
            })
            .WithTags("Health").WithName("GetHealth").WithSummary("Each dependency's status (no details).")
            .Produces<HealthResponse>().Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }
}
