using System.Net;
using System.Net.Http.Json;

namespace Conference.Tests.Api;

/// <summary>Limits are counted in Redis, so two api instances behind one proxy enforce one limit together.</summary>
[Collection(ApiCollection.Name)]
public sealed class RateLimitTests(ApiFixture fixture)
{
    [Fact]
    public async Task Sign_in_is_limited_per_client_address_across_two_api_instances_with_Retry_After()
    {
        var limits = new Dictionary<string, string?> { ["RateLimits:SignInPerIpPerMinute"] = "4" };
        var first = fixture.CreateApi(limits).CreateClient();
        var second = fixture.CreateApi(limits).CreateClient();
        var address = $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";
        foreach (var client in new[] { first, second })
        {
            client.DefaultRequestHeaders.Add(ClientAddressFromHeader.Header, address);
        }

        await RateLimitWindow.StartWellInsideAsync(TimeSpan.FromSeconds(15));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            var client = i % 2 == 0 ? first : second;
            var response = await client.PostAsJsonAsync("/api/accounts/signin", new { email = "nobody@example.org", password = "wrong password" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var retryAfter = int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(retryAfter, 1, 60);
            }
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);

        // Another address is not affected.
        second.DefaultRequestHeaders.Remove(ClientAddressFromHeader.Header);
        second.DefaultRequestHeaders.Add(ClientAddressFromHeader.Header, "192.0.2.77");
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await second.PostAsJsonAsync("/api/accounts/signin", new { email = "nobody@example.org", password = "wrong password" })).StatusCode);
    }

    [Fact]
    public async Task Behind_a_proxy_on_the_private_network_each_browser_has_its_own_limit_and_the_internet_cannot_pretend()
    {
        var api = fixture.CreateApi(new Dictionary<string, string?> { ["RateLimits:SignInPerIpPerMinute"] = "2" }).CreateClient();
        var proxy = $"172.18.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}"; // Caddy on the compose network
        async Task<HttpStatusCode> SignInAsync(string from, string? forwardedFor)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/accounts/signin")
            {
                Content = JsonContent.Create(new { email = "nobody@example.org", password = "wrong password" }),
            };
            request.Headers.Add(ClientAddressFromHeader.Header, from);
            if (forwardedFor is not null)
            {
                request.Headers.Add("X-Forwarded-For", forwardedFor);
            }
            return (await api.SendAsync(request)).StatusCode;
        }
        var browser = $"203.0.113.{Random.Shared.Next(1, 255)}";
        await RateLimitWindow.StartWellInsideAsync(TimeSpan.FromSeconds(15));

        // Two browsers through the same proxy: each has its own two tries.
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(proxy, browser));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(proxy, browser));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(proxy, browser));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(proxy, "198.51.100.20"));

        // A client on the internet cannot escape its limit by naming another address.
        var stranger = $"192.0.2.{Random.Shared.Next(1, 255)}";
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(stranger, "198.51.100.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(stranger, "198.51.100.2"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(stranger, "198.51.100.3"));
    }
}

/// <summary>Meeting-wide abuse: a few addresses flooding one meeting's link cannot keep anyone else out of it.</summary>
[Collection(ApiCollection.Name)]
public sealed class MeetingJoinLimitTests(ApiFixture fixture)
{
    [Fact]
    public async Task Ten_addresses_flooding_one_meeting_lock_out_only_themselves()
    {
        var api = fixture.CreateApi(new Dictionary<string, string?>
        {
            ["RateLimits:JoinPerIpPerMinute"] = "30",
            ["RateLimits:JoinPerIpPerMeetingPerMinute"] = "10",
        });
        using var host = await fixture.SignedInHostAsync(api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        var prefix = $"198.18.{Random.Shared.Next(256)}";

        // Ten addresses, thirty joins a minute each: what used to fill a 300-a-minute meeting-wide limit.
        await RateLimitWindow.StartWellInsideAsync(TimeSpan.FromSeconds(20));
        var flood = new List<HttpStatusCode>();
        for (var address = 1; address <= 10; address++)
        {
            var attacker = api.CreateClient();
            attacker.DefaultRequestHeaders.Add(ClientAddressFromHeader.Header, $"{prefix}.{address}");
            for (var i = 0; i < 30; i++)
            {
                flood.Add((await attacker.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Flood" })).StatusCode);
            }
        }
        Assert.Equal(100, flood.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(200, flood.Count(s => s == HttpStatusCode.TooManyRequests));

        // Everyone else still gets in: the host, and a guest from another address.
        host.DefaultRequestHeaders.Add(ClientAddressFromHeader.Header, "203.0.113.10");
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Host" })).StatusCode);
        var guest = api.CreateClient();
        guest.DefaultRequestHeaders.Add(ClientAddressFromHeader.Header, "203.0.113.11");
        Assert.Equal(HttpStatusCode.OK, (await guest.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Guest" })).StatusCode);
        // The flooders wait, and are told how long.
        var flooder = api.CreateClient();
        flooder.DefaultRequestHeaders.Add(ClientAddressFromHeader.Header, $"{prefix}.1");
        var refused = await flooder.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Flood" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
    }
}

/// <summary>
/// Limits count in fixed one-minute windows, so a test that crosses into the next minute sees its counts reset
/// half-way. Tests that count to a limit start early enough in a minute to finish inside it.
/// </summary>
static class RateLimitWindow
{
    public static async Task StartWellInsideAsync(TimeSpan needed)
    {
        var intoMinute = TimeSpan.FromMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() % 60_000);
        if (intoMinute + needed > TimeSpan.FromMinutes(1))
        {
            await Task.Delay(TimeSpan.FromMinutes(1) - intoMinute + TimeSpan.FromMilliseconds(50));
        }
    }
}
