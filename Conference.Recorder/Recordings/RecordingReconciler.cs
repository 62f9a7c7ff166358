namespace Conference.Recorder.Recordings;

/// <summary>
/// The recorder's background loop. For now it only proves the worker runs; comparing recordings with
/// LiveKit's ListEgress comes with the recordings feature.
/// </summary>
internal sealed class RecordingReconciler(ILogger<RecordingReconciler> logger) : BackgroundService
{
    static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Recorder started; reconciling every {Interval}", Interval);
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            logger.LogDebug("Reconcile tick");
        }
    }
}
