using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Conference.Api.Data;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit.Abstractions;

namespace Conference.Tests.Api;

/// <summary>
/// Limits before work, on the api's real Kestrel: a body over its endpoint's limit is refused with 413 without being
/// read (so eight 20 MB sign-ins cost the api almost nothing), headers and URLs have limits, and a body sent too
/// slowly ends the request. Alone in its collection: it measures the bytes the process allocates.
/// </summary>
[Collection(ApiAloneCollection.Name)]
public sealed class RequestLimitsTests(ApiAloneFixture alone, ITestOutputHelper output) : IClassFixture<ApiAloneFixture>
{
    ApiFixture Fixture => alone.Platform;

    Uri StartOnKestrel()
    {
        var api = Fixture.CreateApi();
        var port = Conference.Tests.Infrastructure.LocalMachine.FreePort();
        api.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        api.StartServer();
        return new Uri($"http://127.0.0.1:{port}");
    }

    [Fact]
    public async Task Eight_parallel_20_MB_sign_ins_get_413_at_once_and_the_api_allocates_next_to_nothing()
    {
        var api = StartOnKestrel();
        await SendAsync(api, "/api/accounts/signin", 1024, chunked: false); // warm up: JIT, routing, connection set-up
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SendAsync(api, "/api/accounts/signin", 20 * 1024 * 1024, chunked: false)));

        var elapsed = clock.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        output.WriteLine($"8 × 20 MB: {elapsed.TotalMilliseconds:0} ms, {allocated / 1024.0 / 1024:0.0} MB allocated by the whole test process");
        Assert.All(answers, answer => Assert.StartsWith("HTTP/1.1 413", answer.StatusLine));
        Assert.All(answers, answer => Assert.Contains("application/problem+json", answer.Head));
        // Reading and parsing the bodies would allocate at least their 160 MB.
        Assert.True(allocated < 16 * 1024 * 1024, $"{allocated} bytes allocated");
    }

    [Fact]
    public async Task A_chunked_body_is_cut_off_at_the_limit_with_a_413_problem()
    {
        var api = StartOnKestrel();
        var answer = await SendAsync(api, "/api/accounts/signin", 20 * 1024 * 1024, chunked: true);
        Assert.True(answer.StatusLine.StartsWith("HTTP/1.1 413", StringComparison.Ordinal) && answer.Head.Contains("application/problem+json", StringComparison.Ordinal),
            answer.Head + "\n" + answer.Body);
        Assert.True(answer.Body.Contains("at most 16384 bytes", StringComparison.Ordinal), answer.Body);
    }

    [Fact]
    public async Task A_3_MB_body_with_its_length_is_a_413_problem_that_says_the_limit()
    {
        var api = StartOnKestrel();
        var answer = await SendAsync(api, "/api/meetings", 3 * 1024 * 1024, chunked: false);
        Assert.StartsWith("HTTP/1.1 413", answer.StatusLine);
        Assert.Contains("application/problem+json", answer.Head);
        Assert.Contains("at most 16384 bytes", answer.Body);
    }

    [Theory]
    [InlineData("/api/accounts/signin", 16 * 1024 + 1, 413)]
    [InlineData("/api/meetings", 16 * 1024 + 1, 413)]
    [InlineData("/api/webhooks/livekit", 1024 * 1024 + 1, 413)]
    // Within its limit a webhook body is read, then refused for what it is: unsigned.
    [InlineData("/api/webhooks/livekit", 512 * 1024, 401)]
    public async Task Each_endpoint_refuses_bodies_over_its_own_limit(string path, int size, int status)
    {
        var api = StartOnKestrel();
        var answer = await SendAsync(api, path, size, chunked: false);
        Assert.StartsWith($"HTTP/1.1 {status}", answer.StatusLine);
    }

    [Fact]
    public async Task Oversized_headers_and_urls_are_refused()
    {
        var api = StartOnKestrel();
        using var http = new HttpClient { BaseAddress = api };
        using var headers = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        headers.Headers.TryAddWithoutValidation("X-Padding", new string('a', 20 * 1024));
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await http.SendAsync(headers)).StatusCode);
        Assert.Equal(HttpStatusCode.RequestUriTooLong, (await http.GetAsync("/api/meetings/" + new string('a', 9 * 1024))).StatusCode);
    }

    [Fact]
    public async Task A_body_trickled_slower_than_the_minimum_rate_ends_the_request()
    {
        var api = StartOnKestrel();
        using var client = new TcpClient();
        await client.ConnectAsync(api.Host, api.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/accounts/signin HTTP/1.1\r\nHost: {api.Authority}\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{{\"email\":\""));
        var clock = Stopwatch.StartNew();
        try
        {
            // One byte a second: far below 240 bytes/s. Kestrel gives up after its 5 s grace period.
            while (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await stream.WriteAsync("a"u8.ToArray());
                await Task.Delay(1000);
                if (stream.DataAvailable)
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // The connection was closed: what we expect.
        }
        output.WriteLine($"ended after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "a slow body held the request for 30 s");
        // Not ended by anything else first (the JSON so far is valid, just unfinished): the grace period passed.
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(4), $"ended after {clock.Elapsed}, before the grace period");
    }

    sealed record Answer(string StatusLine, string Head, string Body);

    /// <summary>A whole HTTP/1.1 response: its Content-Length of body, or the last chunk.</summary>
    static bool IsComplete(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }
        var length = System.Text.RegularExpressions.Regex.Match(text[..end], @"(?im)^Content-Length:\s*(\d+)");
        return length.Success
            ? text.Length - end - 4 >= int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            : text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal);
    }

    /// <summary>
    /// Posts <paramref name="size"/> bytes the way an attacker would: the body keeps coming whatever the server says,
    /// while the answer is read as soon as it arrives.
    /// </summary>
    static async Task<Answer> SendAsync(Uri api, string path, int size, bool chunked)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(api.Host, api.Port);
        var stream = client.GetStream();
        var length = chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {size}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: {api.Authority}\r\nContent-Type: application/json\r\n{length}\r\n\r\n"));
        using var stop = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            // The body opens a JSON string and never closes it, so a reader must go on past any limit to find its end.
            // A body that is not JSON from its first byte would be refused as such (400) as soon as the reader's first
            // 16 KiB arrived, before Kestrel had seen more than the limit: which answer came first would be a race.
            var chunk = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
            var first = Encoding.ASCII.GetBytes("{\"email\":\"" + new string('a', 64 * 1024 - 10));
            try
            {
                for (var sent = 0; sent < size && !stop.IsCancellationRequested; sent += chunk.Length)
                {
                    var piece = sent == 0 ? first : chunk;
                    if (chunked)
                    {
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{piece.Length:x}\r\n"), stop.Token);
                    }
                    await stream.WriteAsync(piece, stop.Token);
                    if (chunked)
                    {
                        await stream.WriteAsync("\r\n"u8.ToArray(), stop.Token);
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The server stopped listening to the body: that is the point.
            }
        });
        var response = new StringBuilder();
        var buffer = new byte[16 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                response.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (IsComplete(response.ToString()))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // Closed after the answer.
        }
        stop.Cancel();
        client.Close();
        await sending;
        var all = response.ToString();
        var split = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? all : all[..split];
        return new Answer(head.Split("\r\n")[0], head, split < 0 ? "" : all[(split + 4)..]);
    }
}

/// <summary>An api platform of its own for tests that must not share the process with others (they measure it or stop its dependencies).</summary>
public sealed class ApiAloneFixture : IAsyncLifetime
{
    public ApiFixture Platform { get; } = new();

    public Task InitializeAsync() => Platform.InitializeAsync();

    public Task DisposeAsync() => Platform.DisposeAsync();
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ApiAloneCollection
{
    public const string Name = "Api alone";
}
