using Conference.Tests.Infrastructure;
using Npgsql;

namespace Conference.Tests.Deploy;

/// <summary>deploy/backup.sh and deploy/restore.sh against a real Postgres, with the machine's pg_dump and pg_restore.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BackupRestoreTests(PostgresServer postgres) : IDisposable
{
    static readonly string DeployDirectory = Path.Combine(LocalMachine.RepositoryRoot, "deploy");

    readonly string _backups = Directory.CreateTempSubdirectory("conference-backups-").FullName;

    [Fact]
    public async Task Backup_then_drop_then_restore_gives_back_every_row()
    {
        var database = $"backup_{Guid.NewGuid():N}";
        var connectionString = await postgres.CreateDatabaseAsync(database);
        await ExecuteAsync(connectionString, """
            CREATE TABLE meetings (id serial PRIMARY KEY, slug text NOT NULL UNIQUE, title text);
            INSERT INTO meetings (slug, title) SELECT 'm-' || n, 'Meeting ' || n || ' ☕' FROM generate_series(1, 500) AS n;
            """);
        var before = await FingerprintAsync(connectionString);

        await RunScriptAsync("backup.sh", [], database);
        var dump = Assert.Single(Directory.GetFiles(_backups, $"{database}-*.dump"));
        Assert.Matches($@"{database}-\d{{8}}T\d{{6}}Z\.dump$", dump);
        Assert.True(File.Exists(Path.Combine(_backups, ".last-success")));

        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(postgres.ConnectionString, $"DROP DATABASE \"{database}\" WITH (FORCE)");

        await RunScriptAsync("restore.sh", [dump], database);
        Assert.Equal(before, await FingerprintAsync(connectionString));
    }

    [Fact]
    public async Task Backup_keeps_seven_days_of_dumps()
    {
        var database = $"retention_{Guid.NewGuid():N}";
        await postgres.CreateDatabaseAsync(database);
        var old = Path.Combine(_backups, $"{database}-20000101T000000Z.dump");
        var recent = Path.Combine(_backups, $"{database}-20000102T000000Z.dump");
        await File.WriteAllTextAsync(old, "old");
        await File.WriteAllTextAsync(recent, "recent");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-7.5));
        File.SetLastWriteTimeUtc(recent, DateTime.UtcNow.AddDays(-5.5));

        await RunScriptAsync("backup.sh", [], database);

        Assert.False(File.Exists(old));
        Assert.True(File.Exists(recent));
        Assert.Equal(2, Directory.GetFiles(_backups, $"{database}-*.dump").Length);
    }

    [Fact]
    public async Task Restore_refuses_a_missing_dump_with_a_clear_message()
    {
        var (exitCode, _, error) = await ExternalCommand.RunAsync("bash",
            [Path.Combine(DeployDirectory, "restore.sh"), Path.Combine(_backups, "nothing-20000101T000000Z.dump")], _backups);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("no dump at", error);
    }

    public void Dispose() => Directory.Delete(_backups, recursive: true);

    async Task RunScriptAsync(string script, string[] arguments, string database)
    {
        var connection = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        var binDirectory = Path.GetDirectoryName(LocalMachine.FindExecutable("pg_dump", "/usr/lib/postgresql/15/bin"))!;
        var (exitCode, output, error) = await ExternalCommand.RunAsync("bash", [Path.Combine(DeployDirectory, script), .. arguments], _backups,
            new Dictionary<string, string>
            {
                // What the compose backup service sets, pointed at the test server.
                ["PATH"] = $"{binDirectory}:{Environment.GetEnvironmentVariable("PATH")}",
                ["PGHOST"] = connection.Host!,
                ["PGPORT"] = connection.Port.ToString(),
                ["PGUSER"] = connection.Username!,
                ["PGPASSWORD"] = connection.Password!,
                ["BACKUP_DIR"] = _backups,
                ["BACKUP_DATABASES"] = database,
                ["BACKUP_KEEP_DAYS"] = "7",
            });
        Assert.True(exitCode == 0, $"{script} failed: {output}{error}");
    }

    static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Row count and a digest of every row, in order: equal only if every row came back unchanged.</summary>
    static async Task<string> FingerprintAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) || ':' || md5(string_agg(id || '|' || slug || '|' || coalesce(title, ''), ',' ORDER BY id)) FROM meetings", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
