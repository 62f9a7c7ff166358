using System.Net.Sockets;
using System.Text.Json;
using MimeKit;

namespace Conference.Tests.Infrastructure;

/// <summary>
/// A real SMTP server (npm <c>smtp-server</c>, pinned in tools/node; script tools/node/smtp-capture.js) that accepts
/// every message and keeps it as received, so a test reads the mail the api really sent: raw bytes, parsed with
/// MimeKit, and the SMTP envelope. <see cref="LocalServer.StopForNowAsync"/> stops it and keeps what it received.
/// </summary>
public sealed class SmtpCaptureServer() : LocalServer("smtp-server")
{
    string MailDirectory => Path.Combine(WorkDirectory, "mail");

    /// <summary>One message as the server received it.</summary>
    public sealed record ReceivedMail(string File, byte[] Raw, MimeMessage Message, string? MailFrom, IReadOnlyList<string> RcptTo, string? User);

    /// <summary>The api's settings for this server (plain SMTP on loopback, with a user and password it accepts).</summary>
    public IDictionary<string, string?> ApiSettings(string from = "Conference <meet@conference.test>") => new Dictionary<string, string?>
    {
        ["Mail:Host"] = "127.0.0.1",
        ["Mail:Port"] = Port.ToString(),
        ["Mail:Tls"] = "None",
        ["Mail:User"] = "conference",
        ["Mail:Password"] = "secret",
        ["Mail:From"] = from,
    };

    protected override Task StartAsync()
    {
        var script = Path.Combine(LocalMachine.RepositoryRoot, "tools/node/smtp-capture.js");
        return StartProcessAsync(LocalMachine.FindExecutable("node"), [script, MailDirectory, Port.ToString()], AnswersSmtpAsync);
    }

    protected override async Task StopAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(MailDirectory, "stop"), "");
    }

    /// <summary>Everything received so far, oldest first.</summary>
    public IReadOnlyList<ReceivedMail> Received()
    {
        if (!Directory.Exists(MailDirectory))
        {
            return [];
        }
        return Directory.GetFiles(MailDirectory, "*.eml").Order(StringComparer.Ordinal).Select(file =>
        {
            var raw = File.ReadAllBytes(file);
            using var envelope = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(file, ".json")));
            var root = envelope.RootElement;
            return new ReceivedMail(file, raw, MimeMessage.Load(new MemoryStream(raw)),
                root.GetProperty("mailFrom").GetString(),
                root.GetProperty("rcptTo").EnumerateArray().Select(r => r.GetString()!).ToList(),
                root.GetProperty("user").GetString());
        }).ToList();
    }

    /// <summary>Waits until at least <paramref name="count"/> messages arrived (polls the directory), then returns them all.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var received = Received();
            if (received.Count >= count)
            {
                return received;
            }
            if (cancellation.IsCancellationRequested)
            {
                throw new TimeoutException($"{Name}: {received.Count} of {count} messages arrived.{Environment.NewLine}{Output}");
            }
            await Task.Delay(100);
        }
    }

    async Task AnswersSmtpAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
        using var reader = new StreamReader(client.GetStream());
        var greeting = await reader.ReadLineAsync(cancellationToken);
        if (greeting?.StartsWith("220", StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException($"no SMTP greeting: {greeting}");
        }
    }
}
