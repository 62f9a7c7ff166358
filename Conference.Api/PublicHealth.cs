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
        app.MapGet("api/health", async (HealthCheckService health, CancellationToken cancellationToken) =>
            {
                var report = await health.CheckHealthAsync(cancellationToken);
                var checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString());
                // Configured: the LiveKit check's word (Healthy, or Degraded when the server does not answer).
                checks.TryAdd(Participants.LiveKitHealthCheck.Name, "NotConfigured");
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
