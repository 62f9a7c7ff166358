using System.Text.Json.Nodes;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.Deploy;

/// <summary>The repository's Caddyfile: valid for production, and routing and securing a local HTTP variant.</summary>
public sealed class CaddyfileTests
{
    static readonly string Caddyfile = File.ReadAllText(Path.Combine(LocalMachine.RepositoryRoot, "Caddyfile"));

    // What compose gives Caddy in production (deploy/docker-compose.yml).
    internal static readonly Dictionary<string, string> Production = new()
    {
        ["SITE_ADDRESS"] = "meet.example.org",
        ["LIVEKIT_SITE_ADDRESS"] = "livekit.meet.example.org",
        ["DASHBOARD_SITE_ADDRESS"] = "dashboard.meet.example.org",
        ["LIVEKIT_PUBLIC_ORIGIN"] = "wss://livekit.meet.example.org",
        ["LIVEKIT_PUBLIC_HTTP_ORIGIN"] = "https://livekit.meet.example.org",
        ["STORAGE_ORIGIN"] = "https://namespace.compat.objectstorage.eu-frankfurt-1.oraclecloud.com",
        ["WEB_UPSTREAM"] = "web:8080",
        ["API_UPSTREAM"] = "api:8080",
        ["LIVEKIT_UPSTREAM"] = "livekit:7880",
        ["DASHBOARD_UPSTREAM"] = "aspire-dashboard:18888",
    };

    [Fact]
    public async Task Caddy_validates_the_production_configuration()
    {
        var (exitCode, output, error) = await CaddyAsync(["validate", "--config", "Caddyfile", "--adapter", "caddyfile"], Production);
        Assert.True(exitCode == 0, output + error);
    }

    [Fact]
    public async Task In_production_livekit_signalling_goes_to_7880_and_api_keeps_its_prefix()
    {
        var (exitCode, output, error) = await CaddyAsync(["adapt", "--config", "Caddyfile", "--adapter", "caddyfile"], Production);
        Assert.True(exitCode == 0, error);
        var json = JsonNode.Parse(output)!.ToJsonString();

        Assert.Contains("\"dial\":\"livekit:7880\"", json);
        Assert.DoesNotContain("7881", json);
        Assert.Contains("\"dial\":\"api:8080\"", json);
        Assert.DoesNotContain("strip_path_prefix", json);
        Assert.Contains("\"admin\":{\"listen\":\"localhost:2019\"}", json);
        // Automatic HTTPS: the sites listen on 443 and name the public hosts.
        Assert.Contains("\":443\"", json);
        Assert.Contains("\"livekit.meet.example.org\"", json);
    }

    [Fact]
    public async Task A_local_http_variant_routes_by_host_and_path_and_sends_the_security_headers()
    {
        await using var web = await StubUpstream.StartAsync("web");
        await using var api = await StubUpstream.StartAsync("api");
        await using var liveKit = await StubUpstream.StartAsync("livekit");
        await using var dashboard = await StubUpstream.StartAsync("dashboard");
        await using var caddy = await CaddyServer.StartAsync(Caddyfile, port => new Dictionary<string, string>
        {
            ["SITE_ADDRESS"] = $"http://localhost:{port}",
            ["LIVEKIT_SITE_ADDRESS"] = $"http://livekit.localhost:{port}",
            ["DASHBOARD_SITE_ADDRESS"] = $"http://dashboard.localhost:{port}",
            ["LIVEKIT_PUBLIC_ORIGIN"] = $"ws://livekit.localhost:{port}",
            ["LIVEKIT_PUBLIC_HTTP_ORIGIN"] = $"http://livekit.localhost:{port}",
            ["WEB_UPSTREAM"] = web.HostAndPort,
            ["API_UPSTREAM"] = api.HostAndPort,
            ["LIVEKIT_UPSTREAM"] = liveKit.HostAndPort,
            ["DASHBOARD_UPSTREAM"] = dashboard.HostAndPort,
            ["CADDY_ADMIN"] = "off",
        });
        var port = caddy.Port;
        using var http = new HttpClient { BaseAddress = caddy.BaseUrl };

        Assert.Equal("web /", await GetAsync(http, $"localhost:{port}", "/"));
        Assert.Equal("web /meetings/abc-defg-hij", await GetAsync(http, $"localhost:{port}", "/meetings/abc-defg-hij"));
        Assert.Equal("api /api/meetings/x", await GetAsync(http, $"localhost:{port}", "/api/meetings/x"));
        Assert.Equal("livekit /rtc?access_token=t", await GetAsync(http, $"livekit.localhost:{port}", "/rtc?access_token=t"));
        Assert.Equal("dashboard /login", await GetAsync(http, $"dashboard.localhost:{port}", "/login"));

        using var response = await http.SendAsync(Request($"localhost:{port}", "/"));
        Assert.Equal("max-age=31536000; includeSubDomains", Header(response, "Strict-Transport-Security"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains($"connect-src 'self' ws://livekit.localhost:{port} http://livekit.localhost:{port};", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.False(response.Headers.Contains("Server"));

        using var liveKitResponse = await http.SendAsync(Request($"livekit.localhost:{port}", "/"));
        Assert.Equal("nosniff", Header(liveKitResponse, "X-Content-Type-Options"));
        // The dashboard's own CSP passes through untouched; ours (made for the web app) would break it.
        using var dashboardResponse = await http.SendAsync(Request($"dashboard.localhost:{port}", "/"));
        Assert.Equal("DENY", Header(dashboardResponse, "X-Frame-Options"));
        Assert.Equal("frame-ancestors 'self'", Header(dashboardResponse, "Content-Security-Policy"));
    }

    static HttpRequestMessage Request(string host, string path) => new(HttpMethod.Get, path) { Headers = { Host = host } };

    static async Task<string> GetAsync(HttpClient http, string host, string path)
    {
        using var response = await http.SendAsync(Request(host, path));
        return await response.Content.ReadAsStringAsync();
    }

    static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : "";

    /// <summary>Runs the machine's caddy on the repository's Caddyfile (or the given text) in a directory of its own.</summary>
    internal static async Task<(int ExitCode, string Output, string Error)> CaddyAsync(string[] arguments, Dictionary<string, string> environment,
        string? caddyfile = null)
    {
        var directory = Directory.CreateTempSubdirectory("conference-caddyfile-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "Caddyfile"), caddyfile ?? Caddyfile);
            // Caddy keeps certificates and state under XDG_*; keep them out of the user's home.
            var caddyEnvironment = new Dictionary<string, string>(environment) { ["XDG_DATA_HOME"] = directory, ["XDG_CONFIG_HOME"] = directory };
            return await ExternalCommand.RunAsync(LocalMachine.FindExecutable("caddy"), arguments, directory, caddyEnvironment);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
