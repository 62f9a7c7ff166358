using System.Net.Sockets;
using YamlDotNet.RepresentationModel;

namespace Conference.Tests.AppHost;

/// <summary>The Containers variant, read from the model without a container engine.</summary>
public sealed class ContainersModelTests(ContainersModelFixture fixture) : IClassFixture<ContainersModelFixture>
{
    readonly DistributedApplication app = fixture.App;

    [Fact]
    public void The_whole_stack_is_in_the_model()
    {
        string[] expected = ["postgres", "conference", "recordings", "redis", "storage", "livekit", "egress", "caddy", "api", "web", "recorder"];
        var names = app.Resources().Select(r => r.Name).ToHashSet();
        Assert.All(expected, name => Assert.Contains(name, names));
    }

    [Theory]
    [InlineData("livekit", "livekit/livekit-server", "v1.13.5")]
    [InlineData("egress", "livekit/egress", "v1.14.1")]
    [InlineData("caddy", "caddy", "2.10.2")]
    [InlineData("storage", "minio/minio", "RELEASE.2025-04-22T22-12-26Z")]
    public void Images_are_pinned(string resource, string image, string tag)
    {
        var annotation = app.Resource(resource).Annotations.OfType<ContainerImageAnnotation>().Single();
        Assert.Equal(image, annotation.Image);
        Assert.Equal(tag, annotation.Tag);
    }

    [Fact]
    public void No_container_runs_an_unpinned_tag()
    {
        var images = app.Resources().OfType<ContainerResource>()
            .Select(r => (r.Name, Image: r.Annotations.OfType<ContainerImageAnnotation>().Single()));
        Assert.All(images, c => Assert.False(string.IsNullOrEmpty(c.Image.Tag) || c.Image.Tag == "latest",
            $"{c.Name} uses {c.Image.Image}:{c.Image.Tag}"));
    }

    [Fact]
    public void LiveKit_exposes_signalling_and_fixed_media_ports()
    {
        var endpoints = app.Resource("livekit").Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);

        Assert.Equal(7880, endpoints["http"].TargetPort);
        Assert.Equal(ProtocolType.Tcp, endpoints["http"].Protocol);

        // Browsers reach the media ports at the numbers LiveKit advertises: same port outside, no proxy.
        Assert.Equal((7881, 7881, ProtocolType.Tcp, false), (endpoints["rtc-tcp"].Port, endpoints["rtc-tcp"].TargetPort, endpoints["rtc-tcp"].Protocol, endpoints["rtc-tcp"].IsProxied));
        Assert.Equal((7882, 7882, ProtocolType.Udp, false), (endpoints["rtc-udp"].Port, endpoints["rtc-udp"].TargetPort, endpoints["rtc-udp"].Protocol, endpoints["rtc-udp"].IsProxied));
        Assert.True(endpoints["rtc-udp"].IsExternal);
    }

    [Fact]
    public async Task LiveKit_config_names_keys_redis_ports_and_both_webhook_receivers()
    {
        var environment = await app.Resource("livekit").PublishedEnvironmentAsync();
        var config = Yaml(environment["LIVEKIT_CONFIG"]);

        Assert.Equal("7880", config.Scalar("port"));
        Assert.Equal("7881", config.Scalar("rtc", "tcp_port"));
        Assert.Equal("7882", config.Scalar("rtc", "udp_port"));
        Assert.Equal("{livekit-api-secret.value}", config.Scalar("keys", "{livekit-api-key.value}"));
        Assert.Equal("{redis.bindings.tcp.host}:{redis.bindings.tcp.port}", config.Scalar("redis", "address"));
        Assert.Equal("{redis-password.value}", config.Scalar("redis", "password"));
        Assert.Equal("{livekit-api-key.value}", config.Scalar("webhook", "api_key"));
        Assert.Equal(
            ["{api.bindings.http.url}/api/webhooks/livekit", "{recorder.bindings.http.url}/webhooks/livekit"],
            config.Sequence("webhook", "urls"));
        Assert.Equal("true", config.Scalar("room", "auto_create"));
    }

    [Fact]
    public async Task LiveKit_gets_no_REDIS_HOST_which_would_override_its_config_with_a_portless_address()
    {
        // livekit-server reads REDIS_HOST as "host:port" and lets it replace redis.address from the config.
        var environment = await app.Resource("livekit").PublishedEnvironmentAsync();
        Assert.DoesNotContain("REDIS_HOST", environment.Keys);
        Assert.DoesNotContain("REDIS_PASSWORD", environment.Keys);
    }

    [Fact]
    public async Task Egress_config_points_at_livekit_redis_and_the_bucket_and_fits_a_four_core_host()
    {
        var egress = app.Resource("egress");
        var config = Yaml((await egress.PublishedEnvironmentAsync())["EGRESS_CONFIG_BODY"]);

        Assert.Equal("{livekit-api-key.value}", config.Scalar("api_key"));
        Assert.Equal("{livekit-api-secret.value}", config.Scalar("api_secret"));
        Assert.Equal("ws://{livekit.bindings.http.host}:{livekit.bindings.http.port}", config.Scalar("ws_url"));
        Assert.Equal("{redis.bindings.tcp.host}:{redis.bindings.tcp.port}", config.Scalar("redis", "address"));
        Assert.Equal("{storage.bindings.http.url}", config.Scalar("storage", "s3", "endpoint"));
        Assert.Equal("{storage-bucket.value}", config.Scalar("storage", "s3", "bucket"));
        Assert.Equal("{storage-region.value}", config.Scalar("storage", "s3", "region"));
        Assert.Equal("{storage-access-key.value}", config.Scalar("storage", "s3", "access_key"));
        Assert.Equal("{storage-secret-key.value}", config.Scalar("storage", "s3", "secret"));
        Assert.Equal("true", config.Scalar("storage", "s3", "force_path_style"));
        // Egress reserves 4 CPUs per room composite by default: more than a 4-OCPU host has free.
        Assert.True(double.Parse(config.Scalar("cpu_cost", "room_composite_cpu_cost"), System.Globalization.CultureInfo.InvariantCulture) <= 2);

        var runtimeArgs = egress.Annotations.OfType<ContainerRuntimeArgsCallbackAnnotation>();
        Assert.NotEmpty(runtimeArgs);

        // The recorder's egress requests name the bucket as Egress sees it from inside its container.
        var recorder = await app.Resource("recorder").PublishedEnvironmentAsync();
        Assert.Equal("http://storage:{storage.bindings.http.targetPort}", recorder["Storage__EgressEndpoint"]);
    }

    [Fact]
    public async Task The_web_runs_with_two_malloc_arenas()
    {
        // Measured by bench/web-call.sh: glibc's default (8 arenas a core) cost the web ~7 MB of RSS in a call.
        Assert.Equal("2", (await app.Resource("web").PublishedEnvironmentAsync())["MALLOC_ARENA_MAX"]);
    }

    [Fact]
    public async Task The_api_and_only_the_api_holds_the_recorders_internal_key()
    {
        Assert.Equal("{recorder-internal-key.value}", (await app.Resource("recorder").PublishedEnvironmentAsync())["Recorder__InternalKey"]);
        Assert.Equal("{recorder-internal-key.value}", (await app.Resource("api").PublishedEnvironmentAsync())["Recorder__InternalKey"]);
        Assert.False((await app.Resource("web").PublishedEnvironmentAsync()).ContainsKey("Recorder__InternalKey"));
    }

    [Theory]
    [InlineData("api", new[] { "conference", "redis", "livekit" }, new[] { "postgres", "conference", "redis" })]
    [InlineData("recorder", new[] { "recordings", "redis", "livekit", "storage" }, new[] { "postgres", "recordings", "redis" })]
    [InlineData("web", new[] { "redis" }, new[] { "api", "redis" })]
    [InlineData("livekit", new string[0], new[] { "redis" })]
    [InlineData("egress", new string[0], new[] { "livekit", "redis", "storage" })]
    public async Task References_and_wait_order(string resource, string[] connectionStrings, string[] waitsFor)
    {
        var target = app.Resource(resource);
        var environment = await target.PublishedEnvironmentAsync();
        Assert.All(connectionStrings, name => Assert.Contains($"ConnectionStrings__{name}", environment.Keys));

        var waits = target.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).ToHashSet();
        Assert.Equal(waitsFor.ToHashSet(), waits);
    }

    [Theory]
    [InlineData("api")]
    [InlineData("web")]
    [InlineData("recorder")]
    [InlineData("livekit")]
    [InlineData("egress")]
    [InlineData("storage")]
    public void Every_service_has_a_health_check(string resource) =>
        Assert.NotEmpty(app.Resource(resource).Annotations.OfType<HealthCheckAnnotation>());

    [Fact]
    public void Only_the_front_door_web_and_livekit_media_are_external()
    {
        var external = app.Resources()
            .Where(r => r.Annotations.OfType<EndpointAnnotation>().Any(e => e.IsExternal))
            .Select(r => r.Name).ToHashSet();
        Assert.Equal(["caddy", "livekit", "web"], external.Order());
    }

    [Theory]
    [InlineData("livekit-api-secret")]
    [InlineData("postgres-password")]
    [InlineData("redis-password")]
    [InlineData("recorder-internal-key")]
    [InlineData("storage-access-key")]
    [InlineData("storage-secret-key")]
    public void Every_secret_is_a_secret_parameter(string name)
    {
        var parameter = Assert.IsType<ParameterResource>(app.Resource(name));
        Assert.True(parameter.Secret);
    }

    [Fact]
    public async Task No_secret_value_appears_literally_anywhere_in_the_model()
    {
        var secrets = new List<string>();
        foreach (var parameter in app.Resources().OfType<ParameterResource>().Where(p => p.Secret))
        {
            secrets.Add(await parameter.GetValueAsync(CancellationToken.None) ?? "");
        }
        Assert.All(secrets, secret => Assert.True(secret.Length >= 16, "generated secrets are long"));

        foreach (var resource in app.Resources().Where(r => r is not ParameterResource))
        {
            var published = string.Join('\n', (await resource.PublishedEnvironmentAsync()).Select(v => $"{v.Key}={v.Value}"))
                + string.Join('\n', await resource.PublishedArgumentsAsync())
                + (resource is IResourceWithConnectionString withConnectionString ? withConnectionString.ConnectionStringExpression.ValueExpression : "");
            Assert.All(secrets, secret => Assert.DoesNotContain(secret, published));
        }
    }

    [Fact]
    public async Task Caddy_mounts_the_repository_Caddyfile_and_keeps_its_certificates()
    {
        var caddy = app.Resource("caddy");
        var mounts = caddy.Annotations.OfType<ContainerMountAnnotation>().ToList();
        var caddyfile = Assert.Single(mounts, m => m.Target == "/etc/caddy/Caddyfile");
        Assert.True(File.Exists(caddyfile.Source));
        Assert.True(caddyfile.IsReadOnly);
        Assert.Contains(mounts, m => m.Target == "/data" && m.Type == ContainerMountType.Volume);

        var environment = await caddy.PublishedEnvironmentAsync();
        Assert.Equal("{api.bindings.http.host}:{api.bindings.http.port}", environment["API_UPSTREAM"]);
        Assert.Equal("{web.bindings.http.host}:{web.bindings.http.port}", environment["WEB_UPSTREAM"]);
        Assert.Equal("{livekit.bindings.http.host}:{livekit.bindings.http.port}", environment["LIVEKIT_UPSTREAM"]);
    }

    static YamlMappingNode Yaml(string text) => YamlPath.Load(text);
}

static class YamlPath
{
    public static YamlMappingNode Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public static YamlMappingNode Mapping(this YamlMappingNode root, params string[] path) => (YamlMappingNode)Node(root, path);

    public static string Scalar(this YamlMappingNode root, params string[] path) =>
        ((YamlScalarNode)Node(root, path)).Value ?? "";

    public static string[] Sequence(this YamlMappingNode root, params string[] path) =>
        ((YamlSequenceNode)Node(root, path)).Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToArray();

    static YamlNode Node(YamlMappingNode root, string[] path)
    {
        YamlNode node = root;
        foreach (var key in path)
        {
            var mapping = (YamlMappingNode)node;
            node = mapping.Children.TryGetValue(new YamlScalarNode(key), out var child)
                ? child
                : throw new Xunit.Sdk.XunitException($"YAML has no '{string.Join('.', path)}' (stopped at '{key}').");
        }
        return node;
    }
}

public sealed class ContainersModelFixture : IAsyncLifetime
{
    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await AppModel.BuildAsync("--Conference:Runtime=Containers");

    public async Task DisposeAsync() => await App.DisposeAsync();
}
