using Npgsql;

namespace Conference.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server: a fresh cluster with a generated superuser password (scram-sha-256), tuned
/// for speed over durability. Give each test class its own database with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer() : LocalServer("postgres")
{
    const string Superuser = "postgres";

    // Postgres refuses to run as root; as root (CI, our machines) run it as the postgres user that
    // Debian's package creates.
    static readonly bool RunsAsRoot = Environment.IsPrivilegedProcess;

    readonly string password = NewPassword();
    string binDirectory = "";

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Superuser,
        Password = password,
        Database = "postgres",
    }.ConnectionString;

    string DataDirectory => Path.Combine(WorkDirectory, "data");

    /// <summary>Creates an empty database and returns the connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var quotedName = '"' + name.Replace("\"", "\"\"") + '"';
        await using var command = new NpgsqlCommand($"CREATE DATABASE {quotedName}", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    protected override async Task StartAsync()
    {
        var initdb = LocalMachine.FindExecutable("initdb", "/usr/lib/postgresql/15/bin");
        binDirectory = Path.GetDirectoryName(initdb)!;
        var passwordFile = Path.Combine(WorkDirectory, "password");
        await File.WriteAllTextAsync(passwordFile, password);
        if (RunsAsRoot)
        {
            await RunAsync("chown", ["-R", $"{Superuser}:", WorkDirectory]);
        }

        await RunAsPostgresUserAsync("initdb",
            "-D", DataDirectory, "-U", Superuser, "--auth=scram-sha-256", $"--pwfile={passwordFile}",
            "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions");
        await RestartAsync();
    }

    /// <summary>The server over the existing cluster (first start, or again after <see cref="LocalServer.StopForNowAsync"/>).</summary>
    protected override async Task RestartAsync()
    {
        var (fileName, arguments) = AsPostgresUser("postgres",
            "-D", DataDirectory, "-p", Port.ToString(), "-k", WorkDirectory,
            "-c", "listen_addresses=127.0.0.1",
            // Test data need not survive a crash: skip the disk flushes.
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
        await StartProcessAsync(fileName, arguments, OpensConnectionAsync);
    }

    // A killed postmaster leaves its shared memory segment behind; a fast shutdown removes it.
    protected override Task StopAsync() =>
        RunAsPostgresUserAsync("pg_ctl", "stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "10");

    async Task OpensConnectionAsync(CancellationToken cancellationToken)
    {
        var probe = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, Timeout = 2 };
        await using var connection = new NpgsqlConnection(probe.ConnectionString);
        await connection.OpenAsync(cancellationToken);
    }

    Task RunAsPostgresUserAsync(string program, params string[] arguments)
    {
        var (fileName, commandArguments) = AsPostgresUser(program, arguments);
        return RunAsync(fileName, commandArguments);
    }

    (string FileName, string[] Arguments) AsPostgresUser(string program, params string[] arguments)
    {
        var fileName = Path.Combine(binDirectory, program);
        return RunsAsRoot ? ("runuser", ["-u", Superuser, "--", fileName, .. arguments]) : (fileName, arguments);
    }
}
