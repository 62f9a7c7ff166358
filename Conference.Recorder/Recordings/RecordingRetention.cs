using Conference.Recorder.Data;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Conference.Recorder.Recordings;

/// <summary>
/// Deletes finished recordings older than the retention (<see cref="DaysAsync"/>): the file first, then the
/// row, so a crash in between leaves a row whose file is gone, which the next pass deletes again without harm.
/// A Redis lock lets one recorder at a time do it when several run.
/// </summary>
public sealed class RecordingRetention(
    RecordingStore store, RetentionSettingStore setting, Recorder recorder, IConnectionMultiplexer redis, IOptions<RecordingOptions> options,
    TimeProvider clock, ILogger<RecordingRetention> logger)
{
    public const string LockKey = "conference:recorder:retention";
    const int BatchSize = 100;
    static readonly TimeSpan LockLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The retention in force: the admin's (stored by this recorder, see <see cref="RetentionSettingStore"/>), or
    /// <see cref="RecordingOptions.RetentionDays"/> until an admin sets one. 0 keeps recordings for ever.
    /// Throws when the recorder's database cannot be read: no pass runs on a guess.
    /// </summary>
    public async Task<int> DaysAsync(CancellationToken cancellationToken) =>
        await setting.DaysAsync(cancellationToken) ?? options.Value.RetentionDays;

    /// <summary>Deletes what has expired; returns how many were deleted (0 when another recorder holds the lock).</summary>
    public async Task<int> ApplyAsync(CancellationToken cancellationToken)
    {
        var retentionDays = await DaysAsync(cancellationToken);
        if (retentionDays <= 0)
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
            var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(retentionDays);
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
            logger.LogInformation("Retention deleted {Count} recordings that ended more than {Days} days ago", deleted, retentionDays);
        }
        return deleted;
    }
}
