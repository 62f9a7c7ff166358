using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Says in the log when a health check changes, once: a Warning with the check's reason when it stops being Healthy
/// (or goes from Degraded to Unhealthy), an Information line when it is Healthy again. Probes come every few seconds
/// (the AppHost, compose, Caddy, an operator's monitor), and the health-check service's own line for every Degraded or
/// Unhealthy answer (an Unhealthy one with its stack trace) is filtered out in <see cref="Extensions.AddDefaultHealthChecks"/>:
/// a dependency down for an hour is one line with its reason, not a thousand.
/// </summary>
public sealed class HealthCheckChanges(ILogger<HealthCheckChanges> logger)
{
    /// <summary>The category of the health-check service's per-probe lines, which these changes replace.</summary>
    public const string HealthCheckServiceCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    readonly Dictionary<string, HealthStatus> last = new(StringComparer.Ordinal);

    /// <summary>Notes <paramref name="result"/> of the check <paramref name="name"/> and logs it if it differs from the last.</summary>
    public void Note(string name, HealthCheckResult result)
    {
        HealthStatus? was;
        lock (last)
        {
            was = last.TryGetValue(name, out var status) ? status : null;
            last[name] = result.Status;
        }
        if (result.Status == was)
        {
            return;
        }
        if (result.Status == HealthStatus.Healthy)
        {
            if (was is not null)
            {
                logger.LogInformation("Health check {HealthCheckName} is Healthy again: {HealthCheckDescription}", name, result.Description);
            }
        }
        else if (was is null or HealthStatus.Healthy || result.Status < was)
        {
            logger.LogWarning("Health check {HealthCheckName} is {HealthStatus}: {HealthCheckDescription}", name, result.Status, result.Description);
        }
    }

    /// <summary>Runs a registered check and notes its answer; what it throws is its failure status, as the health-check service would make it.</summary>
    internal sealed class NotedCheck(IHealthCheck check, HealthCheckChanges changes) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            HealthCheckResult result;
            try
            {
                result = await check.CheckHealthAsync(context, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                result = new HealthCheckResult(context.Registration.FailureStatus, exception.Message, exception);
            }
            changes.Note(context.Registration.Name, result);
            return result;
        }
    }
}
