using Npgsql;
using StackExchange.Redis;

namespace Conference.Recorder.Data;

/// <summary>
/// The admin's recording retention, in the recorder's own <c>recordings</c> database (table <c>retention_setting</c>,
/// one row). The recorder is the only one that applies retention, so it keeps the setting next to the recordings it
/// governs: it outlives a Redis flush and a restart, and is backed up with them. The api only passes the admin's
/// choice on (<c>PUT internal/retention</c>) and reads it back from here.
/// </summary>
public sealed class RetentionSettingStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Where the api used to relay the setting through Redis, before the recorder kept it. Read once, by
    /// <see cref="AdoptRelayedSettingAsync"/>, so an upgraded server keeps the admin's choice.
    /// </summary>
    const string RelayedRedisKey = "conference:recording-retention-days";

    /// <summary>The admin's retention in days, or null when no admin has set one.</summary>
    public async Task<int?> DaysAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT days FROM retention_setting");
        return await command.ExecuteScalarAsync(cancellationToken) as int?;
    }

    /// <summary>
    /// Stores the admin's retention: 1–3650 days, or 0 to keep recordings for ever (the table's check refuses anything else).
    /// </summary>
    public async Task SetDaysAsync(int days, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO retention_setting (id, days, set_at) VALUES (1, @days, now())
            ON CONFLICT (id) DO UPDATE SET days = excluded.days, set_at = excluded.set_at
            """);
        command.Parameters.AddWithValue("days", days);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// On a server upgraded from the Redis relay: takes the admin's last setting from Redis when none is stored
    /// here yet, then removes the key. A Redis that cannot be reached leaves the setting to the admin (logged).
    /// </summary>
    public async Task AdoptRelayedSettingAsync(IConnectionMultiplexer redis, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            var database = redis.GetDatabase();
            if ((int?)await database.StringGetAsync(RelayedRedisKey) is { } days and >= 1 and <= 3650
                && await DaysAsync(cancellationToken) is null)
            {
                await SetDaysAsync(days, cancellationToken);
                logger.LogInformation("Took over the admin's recording retention ({Days} days) from the api's former Redis relay", days);
            }
            await database.KeyDeleteAsync(RelayedRedisKey);
        }
        catch (RedisException exception)
        {
            logger.LogWarning(exception, "Could not look for a recording retention relayed through Redis by an earlier version; the admin can set it again");
        }
    }
}
