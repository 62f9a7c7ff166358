using Conference.Recorder.Data;
using Microsoft.Extensions.Options;

namespace Conference.Recorder.Recordings;

/// <summary>
/// Catches up with what webhooks may have missed, at start and then every <see cref="RecordingOptions.ReconcileInterval"/>:
/// asks LiveKit (ListEgress) about every unfinished recording, retries due storage checks, and applies retention.
/// A recorder that was down while a recording ended therefore ends it correctly when it comes back.
/// </summary>
sealed class RecordingReconciler(
    RecordingStore store, Recorder recorder, RecordingRetention retention,
    IOptions<RecordingOptions> options, TimeProvider clock, ILogger<RecordingReconciler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReconcileInterval, clock);
        do
        {
            try
            {
                await ReconcileOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // LiveKit, storage or the database may be down for a while: say so and try again next tick.
                logger.LogWarning(exception, "Reconciling recordings failed; trying again in {Interval}", options.Value.ReconcileInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var recording in await store.UnfinishedAsync(cancellationToken))
        {
            await recorder.ReconcileAsync(recording, cancellationToken);
        }
        foreach (var recording in await store.DueForVerificationAsync(clock.GetUtcNow(), cancellationToken))
        {
            await recorder.VerifyAsync(recording.Id, cancellationToken);
        }
        await retention.ApplyAsync(cancellationToken);
    }
}
