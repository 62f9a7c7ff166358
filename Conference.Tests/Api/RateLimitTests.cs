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
}
