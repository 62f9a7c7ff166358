using System.Text.Json.Nodes;
using Conference.Tests.AppHost;
using Conference.Tests.Infrastructure;
using Conference.Web.Security;

namespace Conference.Tests.Deploy;

/// <summary>
/// The page's Content-Security-Policy is sent twice, by Caddy (the Caddyfile) and by the web itself (for a page reached
/// without Caddy). Both must say the same for the same origins, and the AppHost and compose must give both the same
/// origins; otherwise one of them blocks what the other allows.
/// </summary>
public sealed class ContentSecurityPolicyTests
{
    public static TheoryData<string, string?, string?> Origins => new()
    {
        // Production: what compose gives Caddy and the web (deploy/docker-compose.yml).
        { "production", "https://namespace.compat.objectstorage.eu-frankfurt-1.oraclecloud.com", "wss://livekit.meet.example.org" },
        // The Processes variant: a local livekit-server through Caddy's livekit.localhost site, no bucket.
        { "processes", null, "ws://livekit.localhost:41234" },
        // An external LiveKit and bucket on ports of their own.
        { "external", "http://127.0.0.1:9000", "wss://example.livekit.cloud:7443" },
        // Neither configured: the site itself only.
        { "nothing", null, null },
    };

    [Theory]
    [MemberData(nameof(Origins))]
    public async Task Caddy_and_the_web_send_the_same_policy_for_the_same_origins(string variant, string? storage, string? liveKit)
    {
        var caddy = await CaddysPolicyAsync(storage, liveKit);
        var web = ContentSecurityPolicy.Render(new ContentSecurityPolicyOptions
        {
            StorageEndpoint = storage is null ? null : new Uri(storage),
            LiveKitPublicUrl = liveKit is null ? null : new Uri(liveKit),
        });

        Assert.True(Directives(caddy).SequenceEqual(Directives(web)), $"{variant}:{Environment.NewLine}caddy: {caddy}{Environment.NewLine}web:   {web}");
        Assert.Contains($"media-src 'self' blob:{(storage is null ? "" : " " + storage)};", web);
        Assert.Contains($"connect-src 'self'{(liveKit is null ? "" : $" {liveKit} {HttpOrigin(liveKit)}")};", web);
    }

    // livekit-client opens the WebSocket, and when that fails fetches GET /rtc/v1/validate on the same server over
    // HTTP(S) for the reason (a newcomer's console showed the policy blocking that fetch): both origins are allowed.
    [Theory]
    [InlineData("https://livekit.example.org/", "wss://livekit.example.org https://livekit.example.org")]
    [InlineData("http://localhost:7880", "ws://localhost:7880 http://localhost:7880")]
    [InlineData("wss://livekit.example.org:443/rtc", "wss://livekit.example.org https://livekit.example.org")]
    [InlineData("ws://livekit.localhost:41234", "ws://livekit.localhost:41234 http://livekit.localhost:41234")]
    public void The_webs_livekit_sources_are_the_websocket_and_http_origins_of_the_public_url(string url, string origins) =>
        Assert.Contains($"connect-src 'self' {origins};",
            ContentSecurityPolicy.Render(new ContentSecurityPolicyOptions { LiveKitPublicUrl = new Uri(url) }));

    static string HttpOrigin(string liveKit) => ContentSecurityPolicy.Origin(new Uri(liveKit), http: true)!;

    [Fact]
    public async Task The_published_deployment_gives_the_web_and_caddy_the_same_origins()
    {
        var resources = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(LocalMachine.RepositoryRoot, "aspire-manifest.json")))!["resources"]!;
        var web = resources["web"]!["env"]!;
        var caddy = resources["caddy"]!["env"]!;
        Assert.Equal(caddy["LIVEKIT_PUBLIC_ORIGIN"]!.GetValue<string>(), web["MediaServer__PublicUrl"]!.GetValue<string>());
        Assert.Equal("https://livekit.{domain.value}", caddy["LIVEKIT_PUBLIC_HTTP_ORIGIN"]!.GetValue<string>());
        Assert.Equal(caddy["STORAGE_ORIGIN"]!.GetValue<string>(), web["Storage__Endpoint"]!.GetValue<string>());

        var compose = await File.ReadAllTextAsync(Path.Combine(LocalMachine.RepositoryRoot, "deploy", "docker-compose.yml"));
        Assert.Contains("MediaServer__PublicUrl: \"wss://livekit.${DOMAIN:?see .env.example}\"", compose);
        Assert.Contains("Storage__Endpoint: \"${STORAGE_ENDPOINT:?see .env.example}\"", compose);
    }

    [Fact]
    public async Task A_development_run_gives_the_web_and_caddy_the_same_origins()
    {
        await using var app = await AppModel.BuildAsync("--Conference:Runtime=Processes",
            $"--Conference:DataDirectory={Path.GetTempPath()}/conference-model-test",
            "--Parameters:storage-endpoint=https://storage.example.org", "--Parameters:livekit-url=https://example.livekit.cloud");
        var web = await app.Resource("web").PublishedEnvironmentAsync();
        var caddy = await app.Resource("caddy").PublishedEnvironmentAsync();

        Assert.Equal("wss://example.livekit.cloud", web["MediaServer__PublicUrl"]);
        Assert.Equal(caddy["LIVEKIT_PUBLIC_ORIGIN"], web["MediaServer__PublicUrl"]);
        Assert.Equal("https://example.livekit.cloud", caddy["LIVEKIT_PUBLIC_HTTP_ORIGIN"]);
        Assert.Equal(caddy["STORAGE_ORIGIN"], web["Storage__Endpoint"]);
    }

    /// <summary>The site's Content-Security-Policy as Caddy adapts the repository's Caddyfile with these origins.</summary>
    static async Task<string> CaddysPolicyAsync(string? storage, string? liveKit)
    {
        var environment = new Dictionary<string, string>
        {
            ["SITE_ADDRESS"] = "meet.example.org",
            ["LIVEKIT_SITE_ADDRESS"] = "livekit.meet.example.org",
            ["DASHBOARD_SITE_ADDRESS"] = "dashboard.meet.example.org",
            ["STORAGE_ORIGIN"] = storage ?? "",
            ["LIVEKIT_PUBLIC_ORIGIN"] = liveKit ?? "",
            ["LIVEKIT_PUBLIC_HTTP_ORIGIN"] = liveKit is null ? "" : HttpOrigin(liveKit),
        };
        var (exitCode, output, error) = await CaddyfileTests.CaddyAsync(["adapt", "--config", "Caddyfile", "--adapter", "caddyfile"], environment);
        Assert.True(exitCode == 0, error);
        var policies = JsonNode.Parse(output)!.DescendantsNamed("Content-Security-Policy").ToList();
        return Assert.Single(Assert.Single(policies).AsArray())!.GetValue<string>();
    }

    /// <summary>The policy as a browser parses it (CSP3 §2.2.1): directives split on ';', sources on whitespace.</summary>
    static List<string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(directive => string.Join(' ', directive.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .ToList();
}

static class JsonNodeSearch
{
    /// <summary>Every value under a property named <paramref name="name"/>, anywhere below <paramref name="node"/>.</summary>
    public static IEnumerable<JsonNode> DescendantsNamed(this JsonNode node, string name) => node switch
    {
        JsonObject obj => obj.SelectMany(property => property.Key == name && property.Value is not null
            ? [property.Value]
            : property.Value?.DescendantsNamed(name) ?? []),
        JsonArray array => array.SelectMany(item => item?.DescendantsNamed(name) ?? []),
        _ => [],
    };
}
