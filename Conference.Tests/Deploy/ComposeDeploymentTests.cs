using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Conference.Tests.AppHost;
using Conference.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Conference.Tests.Deploy;

/// <summary>The generated docker-compose.yml, .env.example and LiveKit/Egress configs, read as an operator's host would.</summary>
public sealed partial class ComposeDeploymentTests(PublishedDeployment deployment) : IClassFixture<PublishedDeployment>
{
    // The dashboard image is distroless (no shell, wget or curl): Docker cannot probe it from inside.
    const string Dashboard = "aspire-dashboard";

    static readonly string[] GeneratedFiles =
        ["docker-compose.yml", ".env.example", "livekit.yaml", "egress.yaml", "Caddyfile", "postgres-initdb/create-databases.sql"];

    IEnumerable<(string Name, YamlMappingNode Service)> Services =>
        deployment.Services.Children.Select(s => (((YamlScalarNode)s.Key).Value!, (YamlMappingNode)s.Value));

    [Fact]
    public void The_committed_deploy_folder_matches_the_model()
    {
        var stale = GeneratedFiles.Where(file =>
            File.ReadAllText(Path.Combine(LocalMachine.RepositoryRoot, "deploy", file)) != deployment.Read(file)).ToList();
        Assert.True(stale.Count == 0,
            $"deploy/ is out of date ({string.Join(", ", stale)}): run `dotnet run --project Conference.AppHost -- --operation publish --step publish-compose --output-path \"$PWD/deploy\"` in the repository root and commit it.");
    }

    [Fact]
    public void Every_service_runs_on_arm64_restarts_and_uses_a_pinned_image()
    {
        Assert.Equal(
            ["api", "aspire-dashboard", "caddy", "egress", "livekit", "postgres", "recorder", "redis", "web"],
            Services.Select(s => s.Name).Order());
        Assert.All(Services, s =>
        {
            Assert.Equal("linux/arm64", s.Service.Scalar("platform"));
            Assert.Equal("unless-stopped", s.Service.Scalar("restart"));
            var image = s.Service.Scalar("image");
            var release = image.Replace("${REGISTRY:?see .env.example}", "registry").Replace("${CONFERENCE_VERSION:?see .env.example}", "v1");
            Assert.Matches(@"^[^:/]+/[^:]+:[^:/]+$", release);
            Assert.DoesNotContain(":latest", image);
        });
    }

    [Theory]
    [InlineData("api")]
    [InlineData("web")]
    [InlineData("recorder")]
    public void Our_services_are_images_built_per_release_and_report_to_the_dashboard(string name)
    {
        var service = deployment.Services.Mapping(name);
        Assert.Equal($"${{REGISTRY:?see .env.example}}/conference-{name}:${{CONFERENCE_VERSION:?see .env.example}}", service.Scalar("image"));
        var environment = service.Mapping("environment");
        Assert.Equal("http://aspire-dashboard:18889", environment.Scalar("OTEL_EXPORTER_OTLP_ENDPOINT"));
        Assert.Equal("x-otlp-api-key=${DASHBOARD_OTLP_API_KEY:?see .env.example}", environment.Scalar("OTEL_EXPORTER_OTLP_HEADERS"));
        Assert.Equal(name, environment.Scalar("OTEL_SERVICE_NAME"));
        Assert.Equal("8080", environment.Scalar("HTTP_PORTS"));
    }

    [Fact]
    public void Every_service_but_the_distroless_dashboard_has_a_health_check_and_nothing_waits_for_the_dashboard()
    {
        var withoutHealthCheck = Services.Where(s => !s.Service.Children.ContainsKey("healthcheck")).Select(s => s.Name);
        Assert.Equal([Dashboard], withoutHealthCheck);
        Assert.All(Services, s => Assert.False(s.Service.Children.TryGetValue("depends_on", out var d) && ((YamlMappingNode)d).Children.ContainsKey(Dashboard)));
    }

    [Fact]
    public void Services_start_after_what_they_wait_for_is_healthy()
    {
        var dependencies = Services
            .Where(s => s.Service.Children.ContainsKey("depends_on"))
            .SelectMany(s => s.Service.Mapping("depends_on").Children.Select(d => (s.Name, On: ((YamlScalarNode)d.Key).Value!, Condition: ((YamlMappingNode)d.Value).Scalar("condition"))))
            .ToList();
        Assert.All(dependencies, d => Assert.Equal("service_healthy", d.Condition));
        Assert.All(dependencies, d => Assert.True(deployment.Services.Mapping(d.On).Children.ContainsKey("healthcheck"), $"{d.Name} waits for {d.On}, which has no health check"));

        var waits = dependencies.GroupBy(d => d.Name).ToDictionary(g => g.Key, g => g.Select(d => d.On).Order().ToArray());
        Assert.Equal(["postgres", "redis"], waits["api"]);
        Assert.Equal(["postgres", "redis"], waits["recorder"]);
        Assert.Equal(["api", "redis"], waits["web"]);
        Assert.Equal(["redis"], waits["livekit"]);
        Assert.Equal(["livekit", "redis"], waits["egress"]);
    }

    [Fact]
    public void Only_Caddy_and_LiveKit_media_publish_ports_with_udp_kept_as_udp()
    {
        var published = Services
            .Where(s => s.Service.Children.ContainsKey("ports"))
            .ToDictionary(s => s.Name, s => s.Service.Sequence("ports"));
        Assert.Equal(["caddy", "livekit"], published.Keys.Order());
        Assert.Equal(["80:80/tcp", "443:443/tcp"], published["caddy"]);
        Assert.Equal(["7881:7881/tcp", "7882:7882/udp"], published["livekit"]);
        Assert.False(deployment.Services.Mapping("livekit").Children.ContainsKey("expose"));
    }

    [Fact]
    public void Data_lives_in_named_volumes()
    {
        var volumes = deployment.Compose.Mapping("volumes").Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet();
        Assert.Superset(new HashSet<string?> { "postgres-data", "redis-data", "caddy-data", "caddy-config", "dashboard-keys" }, volumes);
        Assert.Contains("postgres-data:/var/lib/postgresql", deployment.Services.Mapping("postgres").Sequence("volumes"));
        Assert.Contains("caddy-data:/data", deployment.Services.Mapping("caddy").Sequence("volumes"));
        Assert.Contains("dashboard-keys:/home/app/.aspnet/DataProtection-Keys", deployment.Services.Mapping(Dashboard).Sequence("volumes"));
        Assert.Contains("./Caddyfile:/etc/caddy/Caddyfile:ro", deployment.Services.Mapping("caddy").Sequence("volumes"));
    }

    [Fact]
    public void Egress_may_run_chrome_and_fits_a_four_ocpu_host()
    {
        Assert.Equal(["SYS_ADMIN"], deployment.Services.Mapping("egress").Sequence("cap_add"));
        var egress = Yaml(deployment.Read("egress.yaml"));
        var cost = double.Parse(egress.Scalar("cpu_cost", "room_composite_cpu_cost"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(cost, 0.5, 2); // Egress's default (4) is the whole host.
        Assert.Equal("ws://livekit:7880", egress.Scalar("ws_url"));
        Assert.Equal("${STORAGE_ENDPOINT:?see .env.example}", egress.Scalar("storage", "s3", "endpoint"));
        Assert.Equal("true", egress.Scalar("storage", "s3", "force_path_style"));
    }

    [Fact]
    public void LiveKit_config_is_what_compose_hands_the_container_with_webhooks_to_api_and_recorder()
    {
        var file = deployment.Read("livekit.yaml");
        Assert.Equal(deployment.Services.Mapping("livekit").Mapping("environment").Scalar("LIVEKIT_CONFIG"), WithoutComments(file));
        var config = Yaml(file);
        Assert.Equal("7881", config.Scalar("rtc", "tcp_port"));
        Assert.Equal("7882", config.Scalar("rtc", "udp_port"));
        Assert.Equal("redis:6379", config.Scalar("redis", "address"));
        Assert.Equal(["http://api:8080/api/webhooks/livekit", "http://recorder:8080/webhooks/livekit"], config.Sequence("webhook", "urls"));
        Assert.False(config.Children.ContainsKey("turn"));

        Assert.Equal(WithoutComments(deployment.Read("egress.yaml")),
            deployment.Services.Mapping("egress").Mapping("environment").Scalar("EGRESS_CONFIG_BODY"));
    }

    [Fact]
    public void No_parameter_value_is_written_anywhere()
    {
        // Defaults (the key name "conference", region and bucket) may be written; these were given as overrides.
        foreach (var file in GeneratedFiles)
        {
            var text = deployment.Read(file);
            Assert.All(deployment.ParameterValues, p => Assert.False(text.Contains(p.Value), $"{file} holds the value of {p.Key}"));
        }
    }

    [Fact]
    public void The_environment_example_lists_every_variable_with_a_comment_and_no_secret()
    {
        var example = deployment.Read(".env.example");
        var listed = ExampleVariables(example);
        var withoutComments = GeneratedFiles.SelectMany(file => deployment.Read(file).Split('\n')).Where(line => !line.StartsWith('#'));
        var used = VariablePattern().Matches(string.Join('\n', withoutComments))
            .Select(m => m.Groups["name"].Value).ToHashSet();
        Assert.Superset(used, listed.Keys.ToHashSet());
        Assert.All(listed, v => Assert.True(
            v.Key is "COMPOSE_PROJECT_NAME" or "LIVEKIT_API_KEY" or "STORAGE_REGION" or "STORAGE_BUCKET" or "MAIL_PORT" or "MAIL_TLS" || v.Value == "",
            $"{v.Key} has an example value"));
        Assert.All(listed.Keys, name => Assert.Matches($@"# [^\n]+\n{name}=", example));
        Assert.Contains("openssl rand -hex 32", example);
    }

    [Fact]
    public async Task Docker_compose_validates_it_and_fills_every_variable_from_the_env_file()
    {
        var environment = ExampleVariables(deployment.Read(".env.example"))
            .ToDictionary(v => v.Key, v => v.Value == "" ? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)) : v.Value);
        var resolved = await DockerComposeConfigAsync(environment);
        Assert.True(resolved.ExitCode == 0, resolved.Error);

        var services = (YamlMappingNode)Yaml(resolved.Output)["services"];
        Assert.Equal(environment["POSTGRES_PASSWORD"], services.Mapping("postgres").Mapping("environment").Scalar("POSTGRES_PASSWORD"));
        // The local socket asks for the password too (--auth-local=scram-sha-256): backup.sh's and restore.sh's
        // docker compose exec postgres pg_dump/psql find it in the container's environment.
        Assert.Contains("--auth-local=scram-sha-256", services.Mapping("postgres").Mapping("environment").Scalar("POSTGRES_INITDB_ARGS"));
        Assert.Equal(environment["POSTGRES_PASSWORD"], services.Mapping("postgres").Mapping("environment").Scalar("PGPASSWORD"));
        Assert.Contains($"\"{environment["LIVEKIT_API_SECRET"]}\"", services.Mapping("livekit").Mapping("environment").Scalar("LIVEKIT_CONFIG"));
        // docker-compose writes the long port syntax: the media port is still UDP after interpolation.
        var udp = Assert.Single(((YamlSequenceNode)services.Mapping("livekit")["ports"]).Children.Cast<YamlMappingNode>(), p => p.Scalar("protocol") == "udp");
        Assert.Equal("7882", udp.Scalar("published"));
        // Redis gets its password from its own environment, at start, not from compose.
        Assert.Contains("$REDIS_PASSWORD", string.Join(' ', services.Mapping("redis").Sequence("command")));

        environment.Remove("LIVEKIT_API_SECRET");
        var missing = await DockerComposeConfigAsync(environment);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("see .env.example", missing.Error);
    }

    [Fact]
    public async Task Yamllint_accepts_the_compose_file_and_the_workflows()
    {
        var files = new[] { Path.Combine(deployment.Directory, "docker-compose.yml") }
            .Concat(Directory.GetFiles(Path.Combine(LocalMachine.RepositoryRoot, ".github", "workflows"), "*.yml"));
        // Relaxed: long lines (commands, CSP) and GitHub's bare "on:" key are fine.
        var result = await ExternalCommand.RunAsync(LocalMachine.FindExecutable("yamllint"),
            ["-d", "{extends: relaxed, rules: {line-length: disable, truthy: disable}}", "--strict", .. files], LocalMachine.RepositoryRoot);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
    }

    Task<(int ExitCode, string Output, string Error)> DockerComposeConfigAsync(Dictionary<string, string> environment)
    {
        var envFile = Path.Combine(deployment.Directory, $"test-{Guid.NewGuid():N}.env");
        File.WriteAllLines(envFile, environment.Select(v => $"{v.Key}={v.Value}"));
        return ExternalCommand.RunAsync(LocalMachine.FindExecutable("docker-compose"), ["--env-file", envFile, "-f", "docker-compose.yml", "config"], deployment.Directory);
    }

    static Dictionary<string, string> ExampleVariables(string example) =>
        example.Split('\n').Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2)).ToDictionary(parts => parts[0], parts => parts[1]);

    static string WithoutComments(string file) =>
        string.Concat(file.Split('\n').SkipWhile(line => line.StartsWith('#') || line.Length == 0).Select(line => line + "\n")).TrimEnd('\n') + "\n";

    static YamlMappingNode Yaml(string text) => YamlPath.Load(text);

    [GeneratedRegex(@"\$\{(?<name>[A-Z_]+)[:}]")]
    private static partial Regex VariablePattern();
}

/// <summary>
/// With TURN on (LiveKit's own single-host layout): TURN/UDP on 3478, and TURN/TLS on 443 for turn.DOMAIN, which a
/// layer-4-capable Caddy terminates by SNI and passes to LiveKit's 5349 on the private network.
/// </summary>
public sealed partial class ComposeDeploymentWithTurnTests(PublishedDeploymentWithTurn deployment) : IClassFixture<PublishedDeploymentWithTurn>
{
    [Fact]
    public void LiveKit_serves_TURN_for_turn_DOMAIN_behind_Caddys_TLS_and_publishes_only_TURN_UDP()
    {
        var liveKit = deployment.Services.Mapping("livekit");
        Assert.Equal(["7881:7881/tcp", "7882:7882/udp", "3478:3478/udp"], liveKit.Sequence("ports"));
        // LiveKit holds no certificate (Caddy's volume is not mounted): a renewal restarts nothing.
        Assert.False(liveKit.Children.ContainsKey("volumes"));

        var turn = YamlPath.Load(deployment.Read("livekit.yaml"));
        Assert.Equal("true", turn.Scalar("turn", "enabled"));
        Assert.Equal("turn.${DOMAIN:?see .env.example}", turn.Scalar("turn", "domain"));
        Assert.Equal("3478", turn.Scalar("turn", "udp_port"));
        Assert.Equal("5349", turn.Scalar("turn", "tls_port"));
        Assert.Equal("true", turn.Scalar("turn", "external_tls"));
        Assert.False(((YamlMappingNode)turn["turn"]).Children.ContainsKey("cert_file"));
        Assert.Equal(["caddy", "livekit"], deployment.Services.Children
            .Where(s => ((YamlMappingNode)s.Value).Children.ContainsKey("ports")).Select(s => ((YamlScalarNode)s.Key).Value).Order());
    }

    [Fact]
    public void Caddy_is_the_pinned_layer_4_build_and_routes_TLS_for_the_TURN_name_to_LiveKit()
    {
        var caddy = deployment.Services.Mapping("caddy");
        Assert.Equal("${REGISTRY:?see .env.example}/conference-caddy-l4:${CONFERENCE_VERSION:?see .env.example}", caddy.Scalar("image"));
        Assert.Equal(["80:80/tcp", "443:443/tcp"], caddy.Sequence("ports"));
        var environment = caddy.Mapping("environment");
        Assert.Equal("turn.${DOMAIN:?see .env.example}", environment.Scalar("TURN_SITE_ADDRESS"));
        Assert.Equal("livekit:5349", environment.Scalar("TURN_UPSTREAM"));
        Assert.Equal(["CMD", "wget", "--quiet", "--output-document=/dev/null", "http://127.0.0.1:2019/config/"], caddy.Mapping("healthcheck").Sequence("test"));

        var caddyfile = deployment.Read("Caddyfile");
        Assert.Contains("\t\t\tlayer4 {\n\t\t\t\t@turn tls sni {$TURN_SITE_ADDRESS}\n\t\t\t\troute @turn {\n\t\t\t\t\ttls\n\t\t\t\t\tproxy {$TURN_UPSTREAM}\n", caddyfile);
        Assert.Contains("\n{$TURN_SITE_ADDRESS} {\n", caddyfile);
        // Only added to: without the two TURN parts it is the repository's Caddyfile, byte for byte.
        var repository = File.ReadAllText(Path.Combine(LocalMachine.RepositoryRoot, "Caddyfile"));
        var withoutTurn = caddyfile.Replace(Conference.AppHost.Publishing.CaddyTurnRoute.GlobalOptions, "", StringComparison.Ordinal)
            .Replace(Conference.AppHost.Publishing.CaddyTurnRoute.SiteBlock.TrimEnd('\n') + "\n", "", StringComparison.Ordinal);
        Assert.Equal(repository.TrimEnd('\n') + "\n", withoutTurn);
        // The layer-4 route sits inside the global options block, before the first site.
        Assert.True(caddyfile.IndexOf("listener_wrappers", StringComparison.Ordinal) < caddyfile.IndexOf("{$SITE_ADDRESS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Around_its_layer_4_block_the_TURN_Caddyfile_validates_and_makes_the_TURN_name_a_site_on_443()
    {
        // Debian's caddy (2.6.2) has no layer4 module, so the block is replaced by a listener wrapper it has: caddy
        // itself then checks the rest (the :443 server options the block sits in, the wrappers' order, the TURN site
        // whose certificate Caddy manages). The layer4 block is validated by the built image in release.yml
        // (docs/testing.md, "What is not checked here").
        var caddyfile = deployment.Read("Caddyfile");
        var layer4 = Layer4Block().Match(caddyfile);
        Assert.True(layer4.Success, caddyfile);
        var standIn = caddyfile.Replace(layer4.Value, "\t\t\thttp_redirect\n", StringComparison.Ordinal);
        var environment = new Dictionary<string, string>(CaddyfileTests.Production)
        {
            ["TURN_SITE_ADDRESS"] = "turn.meet.example.org",
            ["TURN_UPSTREAM"] = "livekit:5349",
        };

        var (exitCode, output, error) = await CaddyfileTests.CaddyAsync(["validate", "--config", "Caddyfile", "--adapter", "caddyfile"], environment, standIn);
        Assert.True(exitCode == 0, output + error);

        (exitCode, output, error) = await CaddyfileTests.CaddyAsync(["adapt", "--config", "Caddyfile", "--adapter", "caddyfile"], environment, standIn);
        Assert.True(exitCode == 0, error);
        var server = Assert.Single(JsonNode.Parse(output)!["apps"]!["http"]!["servers"]!.AsObject()).Value!;
        Assert.Equal("[\":443\"]", server["listen"]!.ToJsonString());
        Assert.Equal("[{\"wrapper\":\"http_redirect\"},{\"wrapper\":\"tls\"}]", server["listener_wrappers"]!.ToJsonString());
        Assert.Contains("{\"host\":[\"turn.meet.example.org\"]}", server["routes"]!.ToJsonString());
    }

    [GeneratedRegex(@"\t\t\tlayer4 \{\n.*?\n\t\t\t\}\n", RegexOptions.Singleline)]
    private static partial Regex Layer4Block();

    [Fact]
    public void The_layer_4_image_builds_the_same_Caddy_version_the_deployment_otherwise_runs_with_a_pinned_caddy_l4()
    {
        var dockerfile = File.ReadAllText(Path.Combine(LocalMachine.RepositoryRoot, "Conference.AppHost", "Publishing", "caddy-l4.Dockerfile"));
        Assert.Contains($"ARG CADDY_VERSION={Conference.AppHost.Caddy.CaddyBuilderExtensions.Tag}\n", dockerfile);
        Assert.Matches(@"--with github\.com/mholt/caddy-l4@[0-9a-f]{40}\n", dockerfile);
    }

    [Fact]
    public async Task Docker_compose_validates_the_TURN_deployment()
    {
        var example = deployment.Read(".env.example").Split('\n').Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2)).ToDictionary(parts => parts[0], parts => parts[1] == "" ? "x0" : parts[1]);
        var envFile = Path.Combine(deployment.Directory, $"turn-{Guid.NewGuid():N}.env");
        File.WriteAllLines(envFile, example.Select(v => $"{v.Key}={v.Value}"));
        var (exitCode, output, error) = await ExternalCommand.RunAsync(LocalMachine.FindExecutable("docker-compose"),
            ["--env-file", envFile, "-f", "docker-compose.yml", "config"], deployment.Directory);
        Assert.True(exitCode == 0, error);
        Assert.Contains("TURN_UPSTREAM: livekit:5349", output);
    }
}

/// <summary>The operator's scripts in deploy/: shellcheck finds nothing, and what they source is shipped with them.</summary>
public sealed partial class DeployScriptTests
{
    static readonly string Deploy = Path.Combine(LocalMachine.RepositoryRoot, "deploy");

    [Fact]
    public async Task Shellcheck_accepts_the_deploy_scripts()
    {
        Assert.Equal(["backup.sh", "doctor.sh", "install-release.sh", "lib/settings-and-bucket.sh", "restore.sh", "upgrade.sh"], DeployDirectory.ShippedScripts);
        // -x: the sourced files are checked together with the scripts that source them.
        var (exitCode, output, _) = await ExternalCommand.RunAsync(LocalMachine.FindExecutable("shellcheck"), ["-x", .. DeployDirectory.ShippedScripts], Deploy);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public void Every_file_a_script_sources_is_in_deploy_beside_it_and_the_release_packs_deploy_whole()
    {
        var sourced = DeployDirectory.ShippedScripts
            .SelectMany(script => SourceLine().Matches(File.ReadAllText(Path.Combine(Deploy, script))).Select(match => (Script: script, File: match.Groups["file"].Value)))
            .ToList();
        Assert.Equal([("backup.sh", "lib/settings-and-bucket.sh"), ("restore.sh", "lib/settings-and-bucket.sh")], sourced);
        // A path relative to the script's own directory (each script cds there first), so cron and any working
        // directory find it.
        Assert.All(sourced, s => Assert.Contains("cd \"$(dirname \"$0\")\"\n", File.ReadAllText(Path.Combine(Deploy, s.Script))));
        Assert.All(sourced, s => Assert.Contains(s.File, DeployDirectory.ShippedScripts));
        var release = File.ReadAllText(Path.Combine(LocalMachine.RepositoryRoot, ".github", "workflows", "release.yml"));
        Assert.Contains("cp -a deploy/. \"dist/$name/\"", release);
    }

    [GeneratedRegex(@"^\s*(?:source|\.)\s+(?<file>\S+)", RegexOptions.Multiline)]
    private static partial Regex SourceLine();
}
