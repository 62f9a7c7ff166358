using System.Diagnostics;
using System.Net;
using Conference.Tests.Web;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;

namespace Conference.Tests.AppHost;

/// <summary>
/// Starts the real AppHost in its Processes variant: postgres, redis-server and caddy as local processes,
/// api, web and recorder as projects. Runs alone, so its start-up time is not shared with other tests.
/// </summary>
[Collection(nameof(ProcessesRunCollection))]
public sealed class ProcessesRunTests(RunningAppHost running, Xunit.Abstractions.ITestOutputHelper output)
{
    readonly DistributedApplication app = running.App;
    readonly string dataDirectory = running.DataDirectory;
    readonly TimeSpan timeToHealthy = running.TimeToHealthy;

    /// <summary>
    /// The time to healthy is a figure, printed, not a limit: on 2 busy cores it was 59.8 s, on a quiet one under 30 s
    /// (a timed assertion failed a test run on load alone). What is asserted is that all three get healthy at all.
    /// </summary>
    [Fact]
    public void Api_web_and_recorder_become_healthy()
    {
        output.WriteLine($"api, web and recorder healthy {timeToHealthy.TotalSeconds:F1} s after start (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        foreach (var name in new[] { "api", "web", "recorder" })
        {
            Assert.True(app.ResourceNotifications.TryGetCurrentState(name, out var resource), $"{name} is not in the model");
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, resource.Snapshot.HealthStatus);
        }
    }

    [Theory]
    [InlineData("api")]
    [InlineData("web")]
    [InlineData("recorder")]
    public async Task Health_and_liveness_answer(string resource)
    {
        using var http = app.CreateHttpClient(resource, "http");
        Assert.Equal("Healthy", await http.GetStringAsync(Extensions.HealthEndpointPath));
        Assert.Equal("Healthy", await http.GetStringAsync(Extensions.AlivenessEndpointPath));
    }

    [Fact]
    public async Task Web_serves_its_home_page()
    {
        using var http = app.CreateHttpClient("web", "http");
        var home = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("<title>Conference</title>", await home.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Caddy_routes_the_site_to_web_with_security_headers()
    {
        await app.ResourceNotifications.WaitForResourceAsync("caddy", KnownResourceStates.Running).WaitAsync(TimeSpan.FromSeconds(30));
        using var http = app.CreateHttpClient("caddy", "http");
        var home = await RetryUntilAsync(() => http.GetAsync("/"), response => response.StatusCode == HttpStatusCode.OK);

        Assert.Contains("<title>Conference</title>", await home.Content.ReadAsStringAsync());
        Assert.Equal("nosniff", home.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("frame-ancestors 'none'", home.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Web_reached_directly_sends_the_sites_policy_and_its_pages_run_under_it_in_Chromium()
    {
        var web = app.GetEndpoint("web", "http");
        await using var browser = await SiteBrowser.LaunchAsync(web);
        var home = await browser.NewPageAsync();
        var document = await home.GotoAsync("");
        // The web's own policy, the one Caddy sends too (no LiveKit or bucket on this machine: the site itself only).
        var policy = await document.HeaderValueAsync("content-security-policy");
        Assert.Equal(Conference.Web.Security.ContentSecurityPolicy.Render(null, null), policy);
        Assert.Null(await document.HeaderValueAsync("permissions-policy")); // Caddy's header: this page did not pass Caddy
        await home.ExpectLoadedAsync();
        await home.WaitForCircuitAsync(); // the circuit's WebSocket is allowed
        await home.Page.GetByLabel("Meeting link or code").FillAsync("not a code");
        await home.Page.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        await Assertions.Expect(home.Page.Locator("#meeting-code-error")).ToContainTextAsync("A code looks like abc-defg-hij");
        await home.ExpectNothingWrongAsync();

        // The first admin signs up (a plain form post: form-action 'self'), starts a meeting and sees the prejoin
        // page's camera preview, which the call module plays from a MediaStream.
        var host = await browser.NewPageAsync();
        await host.GotoAsync("account/signup");
        await host.Page.GetByLabel("Your name").FillAsync("Cora Policy");
        await host.Page.GetByLabel("Email").FillAsync($"{Guid.NewGuid():N}@example.org");
        await host.Page.GetByLabel("Password").FillAsync(WebJourney.Password);
        await host.Page.GetByLabel("Setup code").FillAsync(await AdminSetupCodeAsync());
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await WebJourney.WaitForPageAsync(host.Page, path => path == "/");
        await host.WaitForCircuitAsync();
        await host.Page.GetByLabel("Title").FillAsync("Under the policy");
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Start meeting" }).ClickAsync();
        await WebJourney.WaitForPageAsync(host.Page, path => path.StartsWith("/m/", StringComparison.Ordinal));
        await host.Page.WaitForFunctionAsync(
            "() => { const v = document.querySelector('video[aria-label=\"Camera preview\"]'); return v && v.readyState >= 2 && v.videoWidth > 0; }");
        await host.ExpectLoadedAsync("/js/call.js");

        // A violation is also a console error (checked above); the pages' own report says the same, by directive.
        foreach (var page in new[] { home, host })
        {
            Assert.Equal("[]", await page.Page.EvaluateAsync<string>("() => JSON.stringify(window.cspViolations ?? [])"));
        }
    }

    /// <summary>
    /// The one-time setup code the api prints while no admin exists, read from where it keeps it (the run-command
    /// tests read it from the log, as a person does).
    /// </summary>
    async Task<string> AdminSetupCodeAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(await app.GetConnectionStringAsync("conference"));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT \"AdminSetupCode\" FROM site_settings", connection);
        return await command.ExecuteScalarAsync() as string ?? throw new InvalidOperationException("The api holds no setup code: an admin exists already.");
    }

    [Theory]
    [InlineData("egress")]
    [InlineData("storage")]
    public async Task What_needs_containers_is_shown_unavailable(string resource)
    {
        var shown = await app.ResourceNotifications.WaitForResourceAsync(resource, e => e.Snapshot.State?.Text == "Unavailable")
            .WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("container", shown.Snapshot.Properties.Single(p => p.Name == "Reason").Value?.ToString());
    }

    [Fact]
    public async Task Postgres_and_redis_are_real_local_processes()
    {
        Assert.Contains(LocalProcesses.CommandLinesContaining(dataDirectory), command => command.Contains("postgres -D"));

        // redis-server rewrites its command line, so ask it instead.
        var redis = await app.GetConnectionStringAsync("redis");
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{redis},allowAdmin=true");
        var info = await connection.GetServer(connection.GetEndPoints()[0]).InfoRawAsync("server");
        Assert.Contains("executable:/usr/bin/redis-server", info);
    }

    static async Task<HttpResponseMessage> RetryUntilAsync(Func<Task<HttpResponseMessage>> send, Func<HttpResponseMessage, bool> done)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await send();
            if (done(response) || attempt == 20)
            {
                return response;
            }
            await Task.Delay(500);
        }
    }
}

/// <summary>
/// One AppHost for the whole class, started once. Its collection runs alone, so its start-up time is not
/// shared with other tests on a 2-core machine.
/// </summary>
[CollectionDefinition(nameof(ProcessesRunCollection), DisableParallelization = true)]
public sealed class ProcessesRunCollection : ICollectionFixture<RunningAppHost>;

public sealed class RunningAppHost : IAsyncLifetime
{
    static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(120);

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"conference-run-{Guid.NewGuid():N}");
    public DistributedApplication App { get; private set; } = null!;
    public TimeSpan TimeToHealthy { get; private set; }

    public async Task InitializeAsync()
    {
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Conference_AppHost>(
            ["--Conference:Runtime=Processes", $"--Conference:DataDirectory={DataDirectory}"]);
        App = await appHost.BuildAsync();

        using var timeout = new CancellationTokenSource(GiveUpAfter);
        var clock = Stopwatch.StartNew();
        await App.StartAsync(timeout.Token);
        await Task.WhenAll(new[] { "api", "web", "recorder" }.Select(name =>
            App.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token)));
        TimeToHealthy = clock.Elapsed;
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await LocalProcesses.WaitUntilNoneContainAsync(DataDirectory, TimeSpan.FromSeconds(30));
        Directory.Delete(DataDirectory, recursive: true);
    }
}
