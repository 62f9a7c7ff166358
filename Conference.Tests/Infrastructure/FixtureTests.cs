using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackExchange.Redis;

namespace Conference.Tests.Infrastructure;

[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests(PostgresServer postgres)
{
    [Fact]
    public async Task AnswersAQuery()
    {
        await using var database = NpgsqlDataSource.Create(postgres.ConnectionString);

        Assert.Equal(2, await ScalarAsync(database, "SELECT 1 + 1"));
    }

    [Fact]
    public async Task CreateDatabaseAsync_GivesEachCallerADatabaseOfItsOwn()
    {
        await using var first = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("isolation_first"));
        await using var second = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("isolation_second"));

        await ScalarAsync(first, "CREATE TABLE meetings (slug text)");

        var meetingsTableExists = "SELECT to_regclass('meetings') IS NOT NULL";
        Assert.Equal(true, await ScalarAsync(first, meetingsTableExists));
        Assert.Equal(false, await ScalarAsync(second, meetingsTableExists));
    }

    static async Task<object?> ScalarAsync(NpgsqlDataSource database, string sql)
    {
        await using var command = database.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisServerTests(RedisServer redis)
{
    [Fact]
    public async Task ReturnsWhatWasSet()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var database = connection.GetDatabase();

        await database.StringSetAsync("greeting", "hello");

        Assert.Equal("hello", await database.StringGetAsync("greeting"));
    }
}

[Collection(S3rverCollection.Name)]
public sealed class S3rverServerTests(S3rverServer s3)
{
    [Fact]
    public async Task ReturnsTheBytesItWasGiven()
    {
        var bytes = RandomNumberGenerator.GetBytes(1024 * 1024);
        var objectUrl = new Uri(s3.Endpoint, $"{s3.Bucket}/recordings/fixture-test.bin"); // path style
        using var http = new HttpClient();

        using var put = await http.PutAsync(objectUrl, new ByteArrayContent(bytes));
        put.EnsureSuccessStatusCode();
        var stored = await http.GetByteArrayAsync(objectUrl);

        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(stored));
    }
}

public sealed class CaddyServerTests
{
    [Fact]
    public async Task ReverseProxiesToAnUpstream()
    {
        var upstreamUrl = $"http://127.0.0.1:{LocalMachine.FreePort()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(upstreamUrl);
        builder.Logging.ClearProviders();
        await using var upstream = builder.Build();
        upstream.MapGet("/hello", (HttpRequest request) => $"hello, {request.Headers["X-Forwarded-For"]}");
        await upstream.StartAsync();

        await using var caddy = await CaddyServer.StartAsync(
            """
            http://127.0.0.1:{$CADDY_PORT} {
                reverse_proxy {$UPSTREAM}
            }
            """,
            new Dictionary<string, string> { ["UPSTREAM"] = upstreamUrl });
        using var http = new HttpClient();

        Assert.Equal("hello, 127.0.0.1", await http.GetStringAsync(new Uri(caddy.BaseUrl, "/hello")));
    }
}

public sealed class LocalServerTests
{
    public static TheoryData<string> Servers => ["postgres", "redis-server", "s3rver", "caddy", "livekit-emulator"];

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task DisposeAsync_LeavesNoProcessAndNoFiles(string name)
    {
        var server = Create(name);
        await server.InitializeAsync();
        var processes = ProcessTree(server.ProcessId);

        await server.DisposeAsync();

        // Dispose ends with Kill(entireProcessTree), which sends SIGKILL and returns: the kernel takes each process
        // down a moment later, and a dead child stays a zombie (no memory, files or port) until it is reaped. Once in
        // 900 tests the emulator's grandchild was still listed right after dispose.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (processes.Any(IsRunning) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Empty(processes.Where(IsRunning).Select(id => $"{id}: {File.ReadAllText($"/proc/{id}/cmdline").Replace('\0', ' ')}"));
        Assert.False(Directory.Exists(server.WorkDirectory));
    }

    /// <summary>Alive: listed and not a zombie (state Z in /proc/ID/stat).</summary>
    static bool IsRunning(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    [Fact]
    public async Task AFailedStartNamesTheServerShowsItsOutputAndCleansUp()
    {
        var caddy = new CaddyServer("http://127.0.0.1:{$CADDY_PORT} {\n\tno_such_directive\n}\n");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(caddy.InitializeAsync);

        Assert.StartsWith("caddy ", error.Message);
        Assert.Contains("no_such_directive", error.Message);
        Assert.False(Directory.Exists(caddy.WorkDirectory));
    }

    [Fact]
    public void AMissingProgramSaysHowToInstallIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => LocalMachine.FindExecutable("no-such-server"));

        Assert.StartsWith("no-such-server not found: run ./test.sh", error.Message);
    }

    static LocalServer Create(string name) => name switch
    {
        "postgres" => new PostgresServer(),
        "redis-server" => new RedisServer(),
        "s3rver" => new S3rverServer(),
        "livekit-emulator" => new LiveKitEmulator(),
        _ => new CaddyServer("http://127.0.0.1:{$CADDY_PORT} {\n\trespond ok\n}\n"),
    };

    /// <summary>The process and all its descendants (postgres's backends, say).</summary>
    static List<int> ProcessTree(int rootId)
    {
        var parents = Process.GetProcesses().Select(process => process.Id).ToDictionary(id => id, ParentId);
        List<int> tree = [rootId];
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(parents.Where(entry => entry.Value == tree[i]).Select(entry => entry.Key));
        }
        return tree;
    }

    // /proc/ID/stat reads "ID (name) state parent-id ..."; the name may hold spaces and parentheses.
    static int ParentId(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return 0; // it ended while we looked
        }
    }
}
