using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Conference.Tests.Infrastructure;

/// <summary>A throwaway Redis server with a generated password that keeps nothing on disk.</summary>
public sealed class RedisServer() : LocalServer("redis-server")
{
    readonly string password = NewPassword();

    /// <summary>In StackExchange.Redis form.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},password={password}";

    protected override Task StartAsync() => StartProcessAsync(
        LocalMachine.FindExecutable("redis-server"),
        ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", WorkDirectory, "--requirepass", password],
        AnswersPingAsync);

    // Nothing to keep (no persistence), so the stop is immediate; it lets a test stop Redis and start it again.
    protected override async Task StopAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"AUTH {password}\r\nSHUTDOWN NOSAVE\r\n"));
        // Redis closes the connection as it exits.
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        while (await reader.ReadLineAsync() is not null)
        {
        }
    }

    // Plain RESP over a socket: it answers as soon as Redis has loaded, with no client library in between.
    async Task AnswersPingAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"AUTH {password}\r\nPING\r\n"), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var answers = $"{await reader.ReadLineAsync(cancellationToken)} {await reader.ReadLineAsync(cancellationToken)}";
        if (answers != "+OK +PONG")
        {
            throw new InvalidOperationException($"Redis answered {answers}");
        }
    }
}
