using Npgsql;

namespace Conference.Recorder.Data;

/// <summary>
/// The recorder's tables in its own <c>recordings</c> database. Migrations are numbered SQL steps applied once,
/// in order, in one transaction under an advisory lock, so two recorders starting together do not race.
/// Add a step at the end; never edit one that has shipped.
/// </summary>
static class RecordingsSchema
{
    /// <summary>Any number, the same in every instance: the key of the advisory lock.</summary>
    const long MigrationLockKey = 0x5245434F5244; // "RECORD"

    static readonly string[] Migrations =
    [
        """
        CREATE TABLE recordings (
            id uuid PRIMARY KEY,
            meeting_slug text NOT NULL,
            host_id text NOT NULL,
            egress_id text UNIQUE,
            status text NOT NULL,
            layout text NOT NULL,
            audio_only boolean NOT NULL,
            object_key text NOT NULL,
            started_at timestamptz NOT NULL,
            ended_at timestamptz,
            duration_seconds double precision,
            size_bytes bigint,
            location text,
            error text,
            verify_attempts integer NOT NULL DEFAULT 0,
            next_verify_at timestamptz
        );
        -- At most one running recording per meeting: a second start is refused by the database itself.
        CREATE UNIQUE INDEX recordings_one_running_per_meeting ON recordings (meeting_slug) WHERE status IN ('Starting', 'Recording');
        -- Keyset pages, newest first.
        CREATE INDEX recordings_by_host ON recordings (host_id, started_at DESC, id DESC);
        CREATE INDEX recordings_by_meeting ON recordings (meeting_slug, started_at DESC, id DESC);
        -- What the reconciler and retention look at.
        CREATE INDEX recordings_unfinished ON recordings (status) WHERE status IN ('Starting', 'Recording', 'Processing');
        CREATE INDEX recordings_by_end ON recordings (ended_at) WHERE status IN ('Ready', 'Failed');
        """,
        """
        -- The admin's retention: one row, absent until an admin sets it (RetentionSettingStore).
        CREATE TABLE retention_setting (
            id integer PRIMARY KEY CHECK (id = 1),
            days integer NOT NULL CHECK (days BETWEEN 1 AND 3650),
            set_at timestamptz NOT NULL
        );
        """,
        """
        -- 0 keeps recordings for ever (RetentionSetting.KeepForever): an admin who tried a number of days can go back.
        ALTER TABLE retention_setting DROP CONSTRAINT retention_setting_days_check;
        ALTER TABLE retention_setting ADD CONSTRAINT retention_setting_days_check CHECK (days = 0 OR days BETWEEN 1 AND 3650);
        """,
    ];

    public static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", cancellationToken);
        await Execute(connection, "CREATE TABLE IF NOT EXISTS recorder_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken);

        await using var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM recorder_migrations", connection);
        var applied = (int)(await read.ExecuteScalarAsync(cancellationToken))!;
        for (var version = applied + 1; version <= Migrations.Length; version++)
        {
            await Execute(connection, Migrations[version - 1], cancellationToken);
            await Execute(connection, $"INSERT INTO recorder_migrations (version) VALUES ({version})", cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
