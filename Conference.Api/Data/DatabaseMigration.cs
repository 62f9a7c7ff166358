using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Conference.Api.Data;

static class DatabaseMigration
{
    // Any fixed number: every api instance asks Postgres for the same lock before migrating.
    const long MigrationLockKey = 0x436f6e66_4d696772; // "ConfMigr"

    /// <summary>
    /// Applies pending migrations before the api serves. A session-level advisory lock makes it one owner at a
    /// time: a second instance waits, then finds nothing left to apply. While Postgres cannot be reached yet (refused,
    /// timed out, starting up) it is tried again for <see cref="StartupRetry.Budget"/>.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var logger = app.Services.GetRequiredService<ILogger<ConferenceDbContext>>();
        await StartupRetry.RunAsync("Migrating the api's database", MigrateOnceAsync,
            exception => exception is NpgsqlException { IsTransient: true }, logger, cancellationToken);

        async Task MigrateOnceAsync(CancellationToken cancellationToken)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ConferenceDbContext>();
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockKey})", connection))
                {
                    await take.ExecuteNonQueryAsync(cancellationToken);
                }
                // On a fresh database EF reads the history table to learn what is applied before creating it; the
                // missing table is expected there, but EF's command logger reports each such read as an error ("Failed
                // executing DbCommand … __EFMigrationsHistory", twice per start). Creating the empty table first, as
                // EF itself would, makes those reads succeed; a real failure (no permission, a broken migration) still
                // throws and is logged.
                await using (var exists = new NpgsqlCommand($"SELECT to_regclass('\"{HistoryRepository.DefaultTableName}\"') IS NOT NULL", connection))
                {
                    if (await exists.ExecuteScalarAsync(cancellationToken) is false)
                    {
                        await using var create = new NpgsqlCommand(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), connection);
                        await create.ExecuteNonQueryAsync(cancellationToken);
                    }
                }
                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                if (pending.Count > 0)
                {
                    logger.LogInformation("Applying {Count} migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
                    await db.Database.MigrateAsync(cancellationToken);
                }
                await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLockKey})", connection);
                await release.ExecuteNonQueryAsync(cancellationToken);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }
}
