using System.Formats.Tar;
using System.Security.Cryptography;
using Conference.Tests.Infrastructure;
using Npgsql;

namespace Conference.Tests.Deploy;

/// <summary>
/// deploy/backup.sh and deploy/restore.sh as the operator runs them on the host, against a real Postgres (the
/// machine's pg_dump and pg_restore, reached through a stand-in <c>docker</c> that runs <c>compose exec</c>'s
/// command here) and a real S3 endpoint (s3rver) for the off-host copy.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BackupRestoreTests : IClassFixture<S3rverServer>, IDisposable
{
    const string Passphrase = "correct horse battery staple";

    readonly PostgresServer postgres;
    readonly S3rverServer s3;
    readonly string api = $"api_{Guid.NewGuid():N}";
    readonly string recorder = $"rec_{Guid.NewGuid():N}";
    readonly DeployDirectory host;

    public BackupRestoreTests(PostgresServer postgres, S3rverServer s3)
    {
        this.postgres = postgres;
        this.s3 = s3;
        host = new DeployDirectory(api, recorder);
    }

    [Fact]
    public async Task Backup_then_lose_the_host_then_restore_from_the_bucket_gives_back_every_row_and_the_env()
    {
        await CreateDatabasesAsync();
        var before = await FingerprintsAsync();
        var env = WriteEnv(host);

        // From another directory, as cron and an operator may run it: the scripts find their lib/ by their own path.
        var backup = await host.RunAsync("backup.sh", [], Postgres(), workingDirectory: Path.GetTempPath());
        Assert.True(backup.ExitCode == 0, backup.Output);
        var archive = Assert.Single(Directory.GetFiles(Path.Combine(host.Path, "backups"), "conference-*.tar"));
        Assert.Matches(@"conference-\d{8}T\d{6}Z\.tar$", archive);
        Assert.Equal(Path.GetFileName(archive), File.ReadAllText(Path.Combine(host.Path, "backups", "latest")).Trim());
        // The bucket holds the same bytes under backups/.
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(archive)), SHA256.HashData(await GetObjectAsync($"backups/{Path.GetFileName(archive)}")));
        // .env is in the archive only encrypted.
        Assert.DoesNotContain(ArchiveEntries(archive), e => e.Contains("STORAGE_SECRET_KEY", StringComparison.Ordinal));

        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(postgres.ConnectionString, $"DROP DATABASE \"{api}\" WITH (FORCE)");
        await ExecuteAsync(postgres.ConnectionString, $"DROP DATABASE \"{recorder}\" WITH (FORCE)");

        // A new host: the scripts and nothing else; the bucket's settings and the passphrase from the operator.
        using var newHost = new DeployDirectory(api, recorder);
        var restore = await newHost.RunAsync("restore.sh", ["--from-bucket", "latest"], new(Postgres())
        {
            ["STORAGE_ENDPOINT"] = s3.Endpoint.ToString(),
            ["STORAGE_BUCKET"] = s3.Bucket,
            ["STORAGE_REGION"] = "us-east-1",
            ["STORAGE_ACCESS_KEY"] = S3rverServer.AccessKey,
            ["STORAGE_SECRET_KEY"] = S3rverServer.SecretKey,
            ["BACKUP_PASSPHRASE"] = Passphrase,
        }, workingDirectory: Path.GetTempPath());

        Assert.True(restore.ExitCode == 0, restore.Output);
        Assert.Equal(before, await FingerprintsAsync());
        Assert.Equal(env, File.ReadAllText(Path.Combine(newHost.Path, ".env")));
        Assert.Contains("docker compose up --detach --wait postgres", newHost.DockerCalls());
    }

    [Fact]
    public async Task Restoring_over_live_databases_swaps_them_and_keeps_the_old_ones()
    {
        await CreateDatabasesAsync();
        var before = await FingerprintsAsync();
        WriteEnv(host);
        var backup = await host.RunAsync("backup.sh", [], Postgres());
        Assert.True(backup.ExitCode == 0, backup.Output);
        await ExecuteAsync(Connection(api), "INSERT INTO meetings (slug, title) VALUES ('after-backup', 'x')");

        var archive = Path.Combine("backups", File.ReadAllText(Path.Combine(host.Path, "backups", "latest")).Trim());
        NpgsqlConnection.ClearAllPools();
        var restore = await host.RunAsync("restore.sh", [archive], Postgres());

        Assert.True(restore.ExitCode == 0, restore.Output);
        Assert.Equal(before, await FingerprintsAsync());
        var kept = await DatabasesLikeAsync($"{api}_before_%");
        Assert.Single(kept);
        Assert.Equal(501, await CountAsync(Connection(kept[0])));
        Assert.Contains($"DROP DATABASE \"{kept[0]}\"", restore.Output);
        var calls = host.DockerCalls();
        Assert.True(calls.IndexOf("compose stop api recorder", StringComparison.Ordinal) < calls.IndexOf("compose up --detach\n", StringComparison.Ordinal), calls);
    }

    [Fact]
    public async Task A_truncated_dump_leaves_the_live_databases_untouched()
    {
        await CreateDatabasesAsync();
        WriteEnv(host);
        var backup = await host.RunAsync("backup.sh", [], Postgres());
        Assert.True(backup.ExitCode == 0, backup.Output);
        await ExecuteAsync(Connection(api), "INSERT INTO meetings (slug, title) VALUES ('after-backup', 'x')");
        var live = await FingerprintsAsync();

        // The recorder's dump cut in half, with checksums that match it (a dump written short, not a damaged copy).
        var archive = Path.Combine(host.Path, "backups", File.ReadAllText(Path.Combine(host.Path, "backups", "latest")).Trim());
        var truncated = Path.Combine(host.Path, "truncated.tar");
        RewriteArchive(archive, truncated, $"{recorder}.dump", bytes => bytes[..(bytes.Length / 2)]);
        NpgsqlConnection.ClearAllPools();
        var restore = await host.RunAsync("restore.sh", [truncated], Postgres());

        Assert.NotEqual(0, restore.ExitCode);
        Assert.Contains("live databases are untouched", restore.Output);
        Assert.Equal(live, await FingerprintsAsync());
        Assert.Empty(await DatabasesLikeAsync("%_restoring"));
        Assert.Empty(await DatabasesLikeAsync($"{api}_before_%"));
        Assert.DoesNotContain("compose stop", host.DockerCalls());

        // A damaged copy (checksums do not match) is refused before anything is touched.
        var damaged = Path.Combine(host.Path, "damaged.tar");
        RewriteArchive(archive, damaged, $"{api}.dump", bytes => bytes[..^10], updateChecksums: false);
        var refused = await host.RunAsync("restore.sh", [damaged], Postgres());
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("damaged", refused.Output);
        Assert.Equal(live, await FingerprintsAsync());
    }

    [Fact]
    public async Task Backup_prunes_old_archives_here_and_in_the_bucket_and_fails_when_the_bucket_does()
    {
        await CreateDatabasesAsync();
        WriteEnv(host);
        Directory.CreateDirectory(Path.Combine(host.Path, "backups"));
        var oldLocal = Path.Combine(host.Path, "backups", "conference-20000101T000000Z.tar");
        var recentLocal = Path.Combine(host.Path, "backups", "conference-20000102T000000Z.tar");
        File.WriteAllText(oldLocal, "old");
        File.WriteAllText(recentLocal, "recent");
        File.SetLastWriteTimeUtc(oldLocal, DateTime.UtcNow.AddDays(-7.5));
        File.SetLastWriteTimeUtc(recentLocal, DateTime.UtcNow.AddDays(-5.5));
        var oldKey = $"backups/conference-{DateTime.UtcNow.AddDays(-31):yyyyMMdd'T'HHmmss'Z'}.tar";
        var recentKey = $"backups/conference-{DateTime.UtcNow.AddDays(-29):yyyyMMdd'T'HHmmss'Z'}.tar";
        await PutObjectAsync(oldKey);
        await PutObjectAsync(recentKey);

        var backup = await host.RunAsync("backup.sh", [], Postgres());

        Assert.True(backup.ExitCode == 0, backup.Output);
        Assert.False(File.Exists(oldLocal));
        Assert.True(File.Exists(recentLocal));
        Assert.Null(await GetObjectOrNullAsync(oldKey));
        Assert.NotNull(await GetObjectOrNullAsync(recentKey));

        // A bucket that cannot be reached fails the backup (and so an upgrade) with the reason.
        File.AppendAllText(Path.Combine(host.Path, ".env"), "STORAGE_ENDPOINT=http://127.0.0.1:9\n");
        var unreachable = await host.RunAsync("backup.sh", [], Postgres());
        Assert.NotEqual(0, unreachable.ExitCode);
        Assert.Contains("copying backups/conference-", unreachable.Output);
    }

    [Fact]
    public async Task A_quiesced_backup_pauses_api_and_recorder_for_the_dumps_and_starts_them_again_even_when_it_fails()
    {
        await CreateDatabasesAsync();
        WriteEnv(host);

        var backup = await host.RunAsync("backup.sh", ["--quiesce"], Postgres());

        Assert.True(backup.ExitCode == 0, backup.Output);
        var calls = host.DockerCalls().Split('\n').ToList();
        var stop = calls.IndexOf("docker compose stop api recorder");
        var start = calls.IndexOf("docker compose start api recorder");
        var dumps = calls.Select((call, index) => (call, index)).Where(c => c.call.Contains(" pg_dump ", StringComparison.Ordinal)).Select(c => c.index).ToList();
        Assert.Equal(2, dumps.Count);
        Assert.True(stop >= 0 && stop < dumps.Min() && dumps.Max() < start, string.Join('\n', calls));

        // A dump that fails (a database that is not there) still starts them again.
        File.AppendAllText(Path.Combine(host.Path, "postgres-initdb", "create-databases.sql"), "CREATE DATABASE \"missing_database\";\n");
        File.Delete(Path.Combine(host.Path, "docker.log"));
        var failed = await host.RunAsync("backup.sh", ["--quiesce"], Postgres());
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("pg_dump of missing_database failed", failed.Output);
        Assert.EndsWith("docker compose start api recorder\n", host.DockerCalls());
    }

    [Fact]
    public async Task Backup_without_a_passphrase_says_what_to_set()
    {
        File.WriteAllText(Path.Combine(host.Path, ".env"), "POSTGRES_PASSWORD=x\n");
        var backup = await host.RunAsync("backup.sh", [], Postgres());
        Assert.NotEqual(0, backup.ExitCode);
        Assert.Contains("BACKUP_PASSPHRASE is not set", backup.Output);
    }

    public void Dispose() => host.Dispose();

    async Task CreateDatabasesAsync()
    {
        await ExecuteAsync(await postgres.CreateDatabaseAsync(api), """
            CREATE TABLE meetings (id serial PRIMARY KEY, slug text NOT NULL UNIQUE, title text);
            INSERT INTO meetings (slug, title) SELECT 'm-' || n, 'Meeting ' || n || ' ☕' FROM generate_series(1, 500) AS n;
            """);
        await ExecuteAsync(await postgres.CreateDatabaseAsync(recorder), """
            CREATE TABLE meetings (id serial PRIMARY KEY, slug text NOT NULL UNIQUE, title text);
            INSERT INTO meetings (slug, title) SELECT 'r-' || n, 'Recording ' || n FROM generate_series(1, 2000) AS n;
            """);
    }

    string WriteEnv(DeployDirectory host)
    {
        var env = $"""
            CONFERENCE_VERSION=v1
            POSTGRES_PASSWORD=kept-secret
            STORAGE_ENDPOINT={s3.Endpoint}
            STORAGE_BUCKET={s3.Bucket}
            STORAGE_REGION=us-east-1
            STORAGE_ACCESS_KEY={S3rverServer.AccessKey}
            export STORAGE_SECRET_KEY={S3rverServer.SecretKey}
            BACKUP_PASSPHRASE = {Passphrase}

            """;
        File.WriteAllText(Path.Combine(host.Path, ".env"), env);
        return env;
    }

    Dictionary<string, string> Postgres()
    {
        var connection = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        return new()
        {
            ["PGHOST"] = connection.Host!,
            ["PGPORT"] = connection.Port.ToString(),
            ["PGUSER"] = connection.Username!,
            ["PGPASSWORD"] = connection.Password!,
        };
    }

    string Connection(string database) => new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = database }.ConnectionString;

    async Task<string> FingerprintsAsync() => await FingerprintAsync(Connection(api)) + " " + await FingerprintAsync(Connection(recorder));

    async Task<List<string>> DatabasesLikeAsync(string pattern)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE @pattern", connection);
        command.Parameters.AddWithValue("pattern", pattern);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }
        return names.Where(n => n.StartsWith(api, StringComparison.Ordinal) || n.StartsWith(recorder, StringComparison.Ordinal)).ToList();
    }

    static async Task<long> CountAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM meetings", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    async Task<byte[]> GetObjectAsync(string key) => await GetObjectOrNullAsync(key) ?? throw new InvalidOperationException($"{key} is not in the bucket");

    async Task<byte[]?> GetObjectOrNullAsync(string key)
    {
        // s3rver checks no signature: plain HTTP reads what is stored.
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(s3.Endpoint, $"{s3.Bucket}/{key}"));
        return response.IsSuccessStatusCode ? await response.Content.ReadAsByteArrayAsync() : null;
    }

    async Task PutObjectAsync(string key)
    {
        using var http = new HttpClient();
        using var response = await http.PutAsync(new Uri(s3.Endpoint, $"{s3.Bucket}/{key}"), new ByteArrayContent("old"u8.ToArray()));
        response.EnsureSuccessStatusCode();
    }

    static List<string> ArchiveEntries(string archive)
    {
        using var reader = new TarReader(File.OpenRead(archive));
        var texts = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is { } data)
            {
                using var text = new StreamReader(data);
                texts.Add(text.ReadToEnd());
            }
        }
        return texts;
    }

    /// <summary>Copies a backup archive with one file changed; its SHA256SUMS line follows unless told not to.</summary>
    static void RewriteArchive(string source, string target, string file, Func<byte[], byte[]> change, bool updateChecksums = true)
    {
        var files = new Dictionary<string, byte[]>();
        using (var reader = new TarReader(File.OpenRead(source)))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is { } data)
                {
                    using var bytes = new MemoryStream();
                    data.CopyTo(bytes);
                    files[entry.Name.TrimStart('.', '/')] = bytes.ToArray();
                }
            }
        }
        files[file] = change(files[file]);
        if (updateChecksums)
        {
            files["SHA256SUMS"] = System.Text.Encoding.UTF8.GetBytes(string.Concat(files.Where(f => f.Key != "SHA256SUMS")
                .Select(f => $"{Convert.ToHexStringLower(SHA256.HashData(f.Value))}  {f.Key}\n")));
        }
        using var output = File.Create(target);
        using var writer = new TarWriter(output);
        foreach (var (name, bytes) in files)
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
        }
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
