using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Conference.Recorder.Storage;

/// <summary>Healthy when storage answers a one-key listing of our bucket with our credentials.</summary>
sealed class StorageHealthCheck(RecordingStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await storage.ProbeAsync(cancellationToken);
            return HealthCheckResult.Healthy($"Bucket {storage.Bucket} answers.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"Bucket {storage.Bucket} does not answer: {exception.Message}");
        }
    }
}
