// What one server-side WebSocket costs in memory with and without permessage-deflate (RFC 7692), as Conference.Web
// holds one per call page (Blazor's circuit). The server ends live in this process; the client ends (the browsers'
// side) in a child process, so this process's RSS counts only what a server keeps. Prints figures; asserts nothing.
// See bench/README.md ("Web: the server's cost of a call").
//
// Usage: dotnet run -c Release --project bench/websocket-deflate [-- count]   (WebSockets measured, 300 unless given)
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

if (args is ["client", var portText, var countText, var modeText])
{
    await RunClientsAsync(int.Parse(portText, CultureInfo.InvariantCulture), int.Parse(countText, CultureInfo.InvariantCulture), modeText);
    return;
}

var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
Console.WriteLine($"Server-side RSS per WebSocket, {count} WebSockets, each after 20 messages each way (~700 bytes down, ~500 up), after a full GC;");
Console.WriteLine("every mode twice, in turn (the first pass also pays what warms up):");
var results = Modes.All.ToDictionary(mode => mode, _ => new List<double>());
for (var pass = 0; pass < 2; pass++)
{
    foreach (var mode in Modes.All)
    {
        results[mode].Add(await MeasureAsync(mode, count));
    }
}
foreach (var (mode, perSocket) in results)
{
    Console.WriteLine($"  {mode,-28} {string.Join(" / ", perSocket.Select(bytes => $"{bytes / 1024,4:0} KB"))}");
}

// RSS gained per server-side WebSocket, from a warmed-up process's, once `count` of them have carried traffic.
static async Task<double> MeasureAsync(string mode, int count)
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start(count + 16);
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    var self = Environment.ProcessPath!;
    var dll = typeof(Modes).Assembly.Location;
    using var clients = Process.Start(new ProcessStartInfo(self, [dll, "client", port.ToString(CultureInfo.InvariantCulture), (count + 10).ToString(CultureInfo.InvariantCulture), mode]))!;

    var sockets = new List<WebSocket>();
    // Ten first, to pay the code and the pools before measuring.
    for (var i = 0; i < 10; i++)
    {
        sockets.Add(await AcceptAsync(listener, mode));
    }
    await TrafficAsync(sockets);
    var before = SettledRss();
    for (var i = 0; i < count; i++)
    {
        sockets.Add(await AcceptAsync(listener, mode));
    }
    await TrafficAsync(sockets[10..]);
    var after = SettledRss();
    foreach (var socket in sockets)
    {
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }
    await clients.WaitForExitAsync();
    return (after - before) / (double)count;
}

static async Task<WebSocket> AcceptAsync(TcpListener listener, string mode)
{
    var socket = await listener.AcceptSocketAsync();
    return WebSocket.CreateFromStream(new NetworkStream(socket, ownsSocket: true),
        new WebSocketCreationOptions { IsServer = true, DangerousDeflateOptions = Modes.Options(mode) });
}

// Every server socket sends a render-batch-sized message and reads the client's reply, 20 times.
static async Task TrafficAsync(IEnumerable<WebSocket> sockets)
{
    var buffer = new byte[64 * 1024];
    for (var round = 0; round < 20; round++)
    {
        foreach (var socket in sockets)
        {
            await socket.SendAsync(Message(700, round), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            while (!received.EndOfMessage)
            {
                received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            }
        }
    }
}

// The browsers' side: one WebSocket per server socket, each answering every message with one of its own.
static async Task RunClientsAsync(int port, int count, string mode)
{
    var tasks = new List<Task>();
    for (var i = 0; i < count; i++)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var webSocket = WebSocket.CreateFromStream(new NetworkStream(socket, ownsSocket: true),
            new WebSocketCreationOptions { IsServer = false, DangerousDeflateOptions = Modes.Options(mode) });
        tasks.Add(AnswerAsync(webSocket));
    }
    await Task.WhenAll(tasks);

    static async Task AnswerAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        for (var round = 0; ; round++)
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return;
            }
            if (received.EndOfMessage)
            {
                await socket.SendAsync(Message(500, round), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
    }
}

// Participant-state-like JSON: the same shape each time with changing values, as a call's messages are.
static byte[] Message(int size, int seed)
{
    var random = new Random(seed);
    var text = new StringBuilder();
    while (text.Length < size)
    {
        text.Append(CultureInfo.InvariantCulture, $"{{\"sid\":\"PA_{random.Next():x8}\",\"isSpeaking\":{(random.Next(2) == 0 ? "true" : "false")},\"audioLevel\":{random.NextDouble():0.000}}},");
    }
    return Encoding.UTF8.GetBytes(text.ToString());
}

static long SettledRss()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    Thread.Sleep(500);
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}

/// <summary>The permessage-deflate settings compared: what the server negotiates (RFC 7692 §7.1).</summary>
static class Modes
{
    /// <summary>Every mode, in the order printed.</summary>
    public static readonly string[] All = ["off", "deflate (Blazor's default)", "server_no_context_takeover", "server_max_window_bits=9"];

    /// <summary>The deflate options for a mode; null for no compression.</summary>
    public static WebSocketDeflateOptions? Options(string mode) => mode switch
    {
        "off" => null,
        "deflate (Blazor's default)" => new WebSocketDeflateOptions(),
        "server_no_context_takeover" => new WebSocketDeflateOptions { ServerContextTakeover = false },
        "server_max_window_bits=9" => new WebSocketDeflateOptions { ServerMaxWindowBits = 9 },
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown mode"),
    };
}
