using System.Buffers.Text;
using System.Text;
using Conference.Recorder.Recordings;
using Npgsql;

namespace Conference.Recorder.Data;

/// <summary>The <c>recordings</c> table. Plain SQL: one table, a few queries, and the hot ones are keyset pages.</summary>
public sealed class RecordingStore(NpgsqlDataSource dataSource)
{
    const string Columns = """
        id, meeting_slug, host_id, egress_id, status, layout, audio_only, object_key, started_at, ended_at,
        duration_seconds, size_bytes, location, error, verify_attempts, next_verify_at
        """;

    /// <summary>Every column but the owner's (meeting, host) and the choices made at the start (layout, audio only).</summary>
    const string UpdateSql = """
        UPDATE recordings SET egress_id = @egress_id, status = @status, object_key = @object_key, started_at = @started_at,
            ended_at = @ended_at, duration_seconds = @duration_seconds, size_bytes = @size_bytes, location = @location,
            error = @error, verify_attempts = @verify_attempts, next_verify_at = @next_verify_at
        WHERE id = @id
        """;

    /// <summary>Stores a new running recording; false when the meeting already has one.</summary>
    public async Task<bool> TryInsertAsync(Recording recording, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO recordings ({Columns})
            VALUES (@id, @meeting_slug, @host_id, @egress_id, @status, @layout, @audio_only, @object_key, @started_at, @ended_at,
                    @duration_seconds, @size_bytes, @location, @error, @verify_attempts, @next_verify_at)
            ON CONFLICT (meeting_slug) WHERE status IN ('Starting', 'Recording') DO NOTHING
            """);
        Bind(command, recording);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task UpdateAsync(Recording recording, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(UpdateSql);
        Bind(command, recording);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Reads the recording under a row lock, lets <paramref name="change"/> decide its next state and stores it, so
    /// a webhook and the reconciler touching the same recording at once apply one after the other.
    /// Returns the stored recording (changed or not), or null when there is none.
    /// </summary>
    public async Task<(Recording Recording, bool Changed)?> ChangeAsync(Guid id, Func<Recording, Recording?> change, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Recording? current;
        await using (var select = new NpgsqlCommand($"SELECT {Columns} FROM recordings WHERE id = @id FOR UPDATE", connection, transaction))
        {
            select.Parameters.AddWithValue("id", id);
            current = await ReadOneAsync(select, cancellationToken);
        }
        if (current is null)
        {
            return null;
        }
        var next = change(current);
        if (next is null || next == current)
        {
            return (current, false);
        }
        await using (var update = new NpgsqlCommand(UpdateSql, connection, transaction))
        {
            Bind(update, next);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return (next, true);
    }

    public Task<Recording?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        QueryOneAsync($"SELECT {Columns} FROM recordings WHERE id = @value", id, cancellationToken);

    public Task<Recording?> FindByEgressAsync(string egressId, CancellationToken cancellationToken) =>
        QueryOneAsync($"SELECT {Columns} FROM recordings WHERE egress_id = @value", egressId, cancellationToken);

    /// <summary>A start whose egress id is not stored yet (LiveKit's answer, or its webhook, may still be on the way).</summary>
    public Task<Recording?> StartingWithoutEgressAsync(string meetingSlug, CancellationToken cancellationToken) =>
        QueryOneAsync($"SELECT {Columns} FROM recordings WHERE meeting_slug = @value AND egress_id IS NULL AND status = 'Starting'", meetingSlug, cancellationToken);

    public Task<Recording?> RunningAsync(string meetingSlug, CancellationToken cancellationToken) =>
        QueryOneAsync($"SELECT {Columns} FROM recordings WHERE meeting_slug = @value AND status IN ('Starting', 'Recording')", meetingSlug, cancellationToken);

    /// <summary>Recordings LiveKit has not finished with, or whose file is not verified yet.</summary>
    public Task<List<Recording>> UnfinishedAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM recordings WHERE status IN ('Starting', 'Recording', 'Processing')", _ => { }, cancellationToken);

    public Task<List<Recording>> DueForVerificationAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM recordings WHERE status = 'Processing' AND next_verify_at <= @now ORDER BY next_verify_at",
            command => command.Parameters.AddWithValue("now", now), cancellationToken);

    /// <summary>Finished recordings that ended before <paramref name="cutoff"/>, oldest first.</summary>
    public Task<List<Recording>> ExpiredAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM recordings WHERE status IN ('Ready', 'Failed') AND coalesce(ended_at, started_at) < @cutoff ORDER BY ended_at LIMIT @limit",
            command =>
            {
                command.Parameters.AddWithValue("cutoff", cutoff);
                command.Parameters.AddWithValue("limit", limit);
            }, cancellationToken);

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM recordings WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public enum Owner { Meeting, Host }

    /// <summary>One page, newest first, by keyset: as fast on page 500 as on page 1.</summary>
    public async Task<RecordingPage> PageAsync(Owner owner, string ownerValue, PageCursor? after, int limit, CancellationToken cancellationToken)
    {
        var column = owner == Owner.Host ? "host_id" : "meeting_slug";
        var items = await QueryAsync($"""
            SELECT {Columns} FROM recordings
            WHERE {column} = @owner {(after is null ? "" : "AND (started_at, id) < (@after_started, @after_id)")}
            ORDER BY started_at DESC, id DESC
            LIMIT @limit
            """, command =>
        {
            command.Parameters.AddWithValue("owner", ownerValue);
            command.Parameters.AddWithValue("limit", limit + 1);
            if (after is not null)
            {
                command.Parameters.AddWithValue("after_started", after.StartedAt);
                command.Parameters.AddWithValue("after_id", after.Id);
            }
        }, cancellationToken);
        if (items.Count <= limit)
        {
            return new RecordingPage(items, null);
        }
        items.RemoveAt(limit);
        var last = items[^1];
        return new RecordingPage(items, new PageCursor(last.StartedAt, last.Id).Encode());
    }

    async Task<Recording?> QueryOneAsync<T>(string sql, T value, CancellationToken cancellationToken) where T : notnull =>
        (await QueryAsync(sql, command => command.Parameters.AddWithValue("value", value), cancellationToken)).SingleOrDefault();

    async Task<List<Recording>> QueryAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var recordings = new List<Recording>();
        while (await reader.ReadAsync(cancellationToken))
        {
            recordings.Add(Read(reader));
        }
        return recordings;
    }

    static async Task<Recording?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    static Recording Read(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        MeetingSlug = reader.GetString(1),
        HostId = reader.GetString(2),
        EgressId = reader.IsDBNull(3) ? null : reader.GetString(3),
        Status = Enum.Parse<RecordingStatus>(reader.GetString(4)),
        Layout = reader.GetString(5),
        AudioOnly = reader.GetBoolean(6),
        ObjectKey = reader.GetString(7),
        StartedAt = reader.GetFieldValue<DateTimeOffset>(8),
        EndedAt = reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9),
        DurationSeconds = reader.IsDBNull(10) ? null : reader.GetDouble(10),
        SizeBytes = reader.IsDBNull(11) ? null : reader.GetInt64(11),
        Location = reader.IsDBNull(12) ? null : reader.GetString(12),
        Error = reader.IsDBNull(13) ? null : reader.GetString(13),
        VerifyAttempts = reader.GetInt32(14),
        NextVerifyAt = reader.IsDBNull(15) ? null : reader.GetFieldValue<DateTimeOffset>(15),
    };

    static void Bind(NpgsqlCommand command, Recording recording)
    {
        var parameters = command.Parameters;
        parameters.AddWithValue("id", recording.Id);
        parameters.AddWithValue("meeting_slug", recording.MeetingSlug);
        parameters.AddWithValue("host_id", recording.HostId);
        parameters.AddWithValue("egress_id", (object?)recording.EgressId ?? DBNull.Value);
        parameters.AddWithValue("status", recording.Status.ToString());
        parameters.AddWithValue("layout", recording.Layout);
        parameters.AddWithValue("audio_only", recording.AudioOnly);
        parameters.AddWithValue("object_key", recording.ObjectKey);
        parameters.AddWithValue("started_at", recording.StartedAt);
        parameters.AddWithValue("ended_at", (object?)recording.EndedAt ?? DBNull.Value);
        parameters.AddWithValue("duration_seconds", (object?)recording.DurationSeconds ?? DBNull.Value);
        parameters.AddWithValue("size_bytes", (object?)recording.SizeBytes ?? DBNull.Value);
        parameters.AddWithValue("location", (object?)recording.Location ?? DBNull.Value);
        parameters.AddWithValue("error", (object?)recording.Error ?? DBNull.Value);
        parameters.AddWithValue("verify_attempts", recording.VerifyAttempts);
        parameters.AddWithValue("next_verify_at", (object?)recording.NextVerifyAt ?? DBNull.Value);
    }
}

public sealed record RecordingPage(IReadOnlyList<Recording> Items, string? NextCursor);

/// <summary>Where the previous page stopped: the last item's start time and id, opaque to callers.</summary>
public sealed record PageCursor(DateTimeOffset StartedAt, Guid Id)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{StartedAt.UtcTicks}:{Id:N}"));

    public static bool TryDecode(string? text, out PageCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        try
        {
            var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], out var ticks) && ticks is >= 0 and <= 3155378975999999999 && Guid.TryParseExact(parts[1], "N", out var id))
            {
                cursor = new PageCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id);
                return true;
            }
        }
        catch (FormatException)
        {
        }
        return false;
    }
}
