using Conference.Recorder.Data;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Conference.Recorder.Recordings;

/// <summary>
/// Deletes finished recordings older than <see cref="RecordingOptions.RetentionDays"/>: the file first, then the
/// row, so a crash in between leaves a row whose file is gone, which the next pass deletes again without harm.
/// A Redis lock lets one recorder at a time do it when several run.
/// </summary>
public sealed class RecordingRetention(
    RecordingStore store, Recorder recorder, IConnectionMultiplexer redis, IOptions<RecordingOptions> options,
    TimeProvider clock, ILogger<RecordingRetention> logger)
{
    public const string LockKey = "conference:recorder:retention";
    const int BatchSize = 100;
    static readonly TimeSpan LockLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Deletes what has expired; returns how many were deleted (0 when another recorder holds the lock).</summary>
    public async Task<int> ApplyAsync(CancellationToken cancellationToken)
    {
        if (options.Value.RetentionDays <= 0)
        {
            return 0;
        }
        var database = redis.GetDatabase();
        var owner = Guid.NewGuid().ToString("N");
        if (!await database.LockTakeAsync(LockKey, owner, LockLifetime))
        {
            return 0;
        }
        var deleted = 0;
        try
        {
            var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays);
            List<Recording> expired;
            do
            {
                expired = await store.ExpiredAsync(cutoff, BatchSize, cancellationToken);
                foreach (var recording in expired)
                {
                    await recorder.DeleteAsync(recording, cancellationToken);
                    deleted++;
                }
            }
            while (expired.Count == BatchSize);
        }
        finally
        {
            await database.LockReleaseAsync(LockKey, owner);
        }
        if (deleted > 0)
        {
            logger.LogInformation("Retention deleted {Count} recordings that ended before {Days} days ago", deleted, options.Value.RetentionDays);
        }
        return deleted;
    }
}
