using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Api.Participants;
using Conference.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Conference.Tests.Api;

/// <summary>
/// The real Redis and Postgres fixtures are stopped while the api serves requests, then started again: joining goes on
/// without Redis (rate limits counted per instance, said in the log and a metric), what needs a dependency answers
/// 503 with Retry-After within a couple of seconds (never 500, never a hang), health says degraded or unhealthy, and
/// everything works again when the dependency returns, without restarting the api.
/// </summary>
[Collection(ApiAloneCollection.Name)]
public sealed class DependencyOutageTests(ApiAloneFixture alone) : IClassFixture<ApiAloneFixture>
{
    static readonly TimeSpan Quick = TimeSpan.FromSeconds(2.5);

    ApiFixture Fixture => alone.Platform;

    [Fact]
    public async Task Without_Redis_joining_goes_on_the_lobby_answers_503_and_all_recovers_when_it_returns()
    {
        var log = new LogCapture();
        // The production limits: small enough to be counted in Redis on every join.
        var api = Fixture.CreateApi(new Dictionary<string, string?> { ["RateLimits:JoinPerIpPerMinute"] = "30", ["RateLimits:JoinPerIpPerMeetingPerMinute"] = "10" },
            services => services.AddSingleton<ILoggerProvider>(log));
        using var host = await Fixture.SignedInHostAsync(api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        var lobbySlug = await MeetingsApiTests.CreateAsync(host, new { title = "Lobby", settings = new { lobbyEnabled = true } });
        var guest = api.CreateClient();
        using var localDecisions = new MeasurementCount("conference.rate_limit.local_decisions");

        await Fixture.Redis.StopForNowAsync();
        try
        {
            // Every request below is answered quickly, during the outage.
            var (join, joinTime) = await TimedAsync(() => guest.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Guest Gil" }));
            Assert.Equal(HttpStatusCode.OK, join.StatusCode);
            Assert.InRange(joinTime, TimeSpan.Zero, Quick);
            Assert.Equal(HttpStatusCode.OK, (await host.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Host" })).StatusCode);

            var (lobby, lobbyTime) = await TimedAsync(() => guest.PostAsJsonAsync($"/api/meetings/{lobbySlug}/join", new { displayName = "Guest Gil" }));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, lobby.StatusCode);
            Assert.True(lobby.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
            Assert.Contains("Redis", (await lobby.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
            Assert.InRange(lobbyTime, TimeSpan.Zero, Quick);

            var (health, _) = await TimedAsync(() => guest.GetAsync("/api/health"));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("Degraded", (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

            Assert.True(localDecisions.Count > 0, "no local rate-limit decision was counted");
            Assert.Contains(log.Lines, m => m.Contains("rate limits are counted by this api instance alone", StringComparison.Ordinal));

            // Ending sign-ins goes on too, as quickly: only its news to the open pages (AccountChanges) is lost, and
            // they learn it at their next request, as this one does.
            var (signOut, signOutTime) = await TimedAsync(() => host.PostAsync("/api/accounts/signout-everywhere", null));
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
            Assert.InRange(signOutTime, TimeSpan.Zero, Quick);
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.GetAsync("/api/accounts/me")).StatusCode);
        }
        finally
        {
            await Fixture.Redis.StartAgainAsync();
        }

        // The multiplexer reconnects by itself (health says so), then the lobby works again, on the same api. Health is
        // what is polled: every join is a hit on the guest's per-meeting limit (10 a minute), so polling the lobby
        // through a slow reconnect would use it up and rightly get 429.
        // Unhealthy is a 503 with the same document: read whatever the status code.
        await Eventually.ReadAsync(async () => (await (await guest.GetAsync("/api/health")).Content.ReadFromJsonAsync<HealthAnswer>())!.Status,
            status => status == "Healthy",
            "health to say Healthy again after Redis returned", within: Recovery, every: RecoveryPolls);
        var afterOutage = await guest.PostAsJsonAsync($"/api/meetings/{lobbySlug}/join", new { displayName = "Guest Gil" });
        Assert.True(afterOutage.StatusCode == HttpStatusCode.Accepted,
            $"the lobby did not recover after Redis returned: {(int)afterOutage.StatusCode} {await afterOutage.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Without_Postgres_requests_get_503_with_Retry_After_at_once_and_work_again_when_it_returns()
    {
        var api = Fixture.CreateApi();
        using var host = await Fixture.SignedInHostAsync(api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        var anonymous = api.CreateClient();

        // Requests keep coming while the database goes away under them.
        using var stop = new CancellationTokenSource();
        var traffic = Task.Run(async () =>
        {
            var seen = new List<(HttpStatusCode Status, TimeSpan Time)>();
            while (!stop.IsCancellationRequested)
            {
                var (response, time) = await TimedAsync(() => host.GetAsync("/api/meetings"));
                seen.Add((response.StatusCode, time));
            }
            return seen;
        });
        await Task.Delay(300);
        await Fixture.Postgres.StopForNowAsync();
        try
        {
            var (list, listTime) = await TimedAsync(() => host.GetAsync("/api/meetings"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, list.StatusCode);
            Assert.True(list.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
            Assert.Contains("database", (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
            Assert.InRange(listTime, TimeSpan.Zero, Quick);

            var (signIn, signInTime) = await TimedAsync(() => anonymous.PostAsJsonAsync("/api/accounts/signin",
                new { email = ApiFixture.AdminEmail, password = ApiFixture.AdminPassword }));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, signIn.StatusCode);
            Assert.InRange(signInTime, TimeSpan.Zero, Quick);

            var (health, _) = await TimedAsync(() => anonymous.GetAsync("/api/health"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            await Task.Delay(500);
        }
        finally
        {
            await Fixture.Postgres.StartAgainAsync();
        }
        stop.Cancel();
        var seen = await traffic;

        Assert.Contains(seen, s => s.Status == HttpStatusCode.ServiceUnavailable);
        Assert.All(seen, s => Assert.True(s.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"answered {s.Status}"));
        Assert.All(seen, s => Assert.InRange(s.Time, TimeSpan.Zero, Quick));

        await Eventually.ReadAsync(async () => (await host.GetAsync("/api/meetings")).StatusCode, status => status == HttpStatusCode.OK,
            "the api to recover after Postgres returned", within: Recovery, every: RecoveryPolls);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Back" })).StatusCode);
    }

    [Fact]
    public async Task Without_LiveKit_health_is_Degraded_naming_it_and_Healthy_again_when_it_returns()
    {
        var log = new LogCapture();
        var api = Fixture.CreateApi(configureServices: log.AddTo);
        using var host = await Fixture.SignedInHostAsync(api);
        var anonymous = api.CreateClient();
        var before = await HealthAsync(anonymous);
        Assert.Equal("Healthy", before.Status);
        Assert.Equal("Healthy", before.Checks["livekit"]);

        await Fixture.LiveKit.StopForNowAsync();
        try
        {
            // The answer of a moment ago may stand for a few seconds (health polls do not hammer LiveKit); then it is
            // Degraded, not Unhealthy: a 200, and everything but calls goes on.
            var down = await Eventually.ReadAsync(() => HealthAsync(anonymous), health => health.Checks["livekit"] == "Degraded",
                "health to see LiveKit gone", within: Recovery, every: RecoveryPolls);
            Assert.Equal("Degraded", down.Status);
            Assert.All(down.Checks.Where(check => check.Key != "livekit"), check => Assert.Equal("Healthy", check.Value));
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/health")).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await host.PostAsJsonAsync("/api/meetings", new { title = "Planned while LiveKit is away" })).StatusCode);
            // The why is in the api's log, once, for the operator.
            Assert.Single(log.Lines, line => line.Contains("Health check livekit is Degraded", StringComparison.Ordinal));
            // What the one attempt met, not a retry's timeout.
            Assert.Contains(log.Lines, line => line.Contains("LiveKit cannot be reached: Connection refused", StringComparison.Ordinal));
        }
        finally
        {
            await Fixture.LiveKit.StartAgainAsync();
        }

        var back = await Eventually.ReadAsync(() => HealthAsync(anonymous), health => health.Status == "Healthy",
            "health to say Healthy again after LiveKit returned", within: Recovery, every: RecoveryPolls);
        Assert.Equal("Healthy", back.Checks["livekit"]);
        Assert.Contains(log.Lines, line => line.Contains("Health check livekit is Healthy again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Probes_while_LiveKit_is_away_log_one_warning_with_the_reason_and_one_line_when_it_is_back()
    {
        var log = new LogCapture();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // The api's own log levels (the fixture's servers log warnings only), and what its console would show of them.
        var api = Fixture.CreateApi(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" }, services =>
        {
            log.AddAsConfiguredTo(services);
            // An answer stands for CacheFor; on this clock every probe below asks LiveKit again, at once.
            services.AddSingleton(provider => ActivatorUtilities.CreateInstance<LiveKitHealthCheck>(provider, (TimeProvider)clock));
        });
        var anonymous = api.CreateClient();
        Assert.Equal("Healthy", (await HealthAsync(anonymous)).Checks["livekit"]);

        await Fixture.LiveKit.StopForNowAsync();
        List<LogCapture.Entry> whileAway;
        try
        {
            var before = log.Entries.Count;
            for (var probe = 0; probe < 6; probe++)
            {
                clock.Advance(LiveKitHealthCheck.CacheFor);
                Assert.Equal("Degraded", (await HealthAsync(anonymous)).Checks["livekit"]);
            }
            whileAway = log.Entries.Skip(before).ToList();
        }
        finally
        {
            await Fixture.LiveKit.StartAgainAsync();
        }
        var warning = Assert.Single(whileAway, entry => entry.Level >= LogLevel.Warning);
        // Its reason is the check's own (refused, or no answer within 3 s while the server is still going away).
        Assert.StartsWith("Health check livekit is Degraded: LiveKit ", warning.Message);
        Assert.All(whileAway, entry => Assert.Null(entry.Exception));
        Assert.DoesNotContain(whileAway, entry => entry.Category.StartsWith($"System.Net.Http.HttpClient.{LiveKitHealthCheck.HttpClientName}", StringComparison.Ordinal));

        var returning = log.Entries.Count;
        await Eventually.ReadAsync(async () =>
            {
                clock.Advance(LiveKitHealthCheck.CacheFor);
                return await HealthAsync(anonymous);
            }, health => health.Checks["livekit"] == "Healthy", "health to see LiveKit back", within: Recovery, every: RecoveryPolls);
        var back = log.Entries.Skip(returning).ToList();
        Assert.Single(back, entry => entry.Level == LogLevel.Information && entry.Message.StartsWith("Health check livekit is Healthy again", StringComparison.Ordinal));
        Assert.DoesNotContain(back, entry => entry.Level >= LogLevel.Warning);
        Assert.DoesNotContain(back, entry => entry.Category.StartsWith($"System.Net.Http.HttpClient.{LiveKitHealthCheck.HttpClientName}", StringComparison.Ordinal));
    }

    /// <summary>Reads <c>/api/health</c> whatever its status code (Unhealthy is a 503 with the same document).</summary>
    static async Task<HealthReportAnswer> HealthAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/health")).Content.ReadFromJsonAsync<HealthReportAnswer>())!;

    sealed record HealthReportAnswer(string Status, Dictionary<string, string> Checks);

    static async Task<(HttpResponseMessage Response, TimeSpan Time)> TimedAsync(Func<Task<HttpResponseMessage>> send)
    {
        var clock = Stopwatch.StartNew();
        var response = await send();
        return (response, clock.Elapsed);
    }

    /// <summary>How long a dependency's return may take to show, and how often the test asks meanwhile.</summary>
    static readonly TimeSpan Recovery = TimeSpan.FromSeconds(15);

    static readonly TimeSpan RecoveryPolls = TimeSpan.FromMilliseconds(200);

    /// <summary>What <c>/api/health</c> answers: Healthy, Degraded or Unhealthy.</summary>
    sealed record HealthAnswer(string Status);

    /// <summary>Counts what an instrument (by name) records, from any meter in the process.</summary>
    sealed class MeasurementCount : IDisposable
    {
        readonly MeterListener listener = new();
        long count;

        public MeasurementCount(string instrument)
        {
            listener.InstrumentPublished = (published, l) =>
            {
                if (published.Name == instrument)
                {
                    l.EnableMeasurementEvents(published);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref count, value));
            listener.Start();
        }

        public long Count => Interlocked.Read(ref count);

        public void Dispose() => listener.Dispose();
    }
}
