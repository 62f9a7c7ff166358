using System.Net.Sockets;
using Conference.AppHost.ObjectStorage;

namespace Conference.AppHost.LiveKit;

public static class LiveKitBuilderExtensions
{
    /// <summary>
    /// Adds LiveKit's server as a container: 7880 (API and signalling), 7881/tcp and 7882/udp (media).
    /// The media ports are not proxied and keep the same number on the host, because LiveKit advertises
    /// them to browsers in its ICE candidates.
    /// </summary>
    public static IResourceBuilder<LiveKitResource> AddLiveKit(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource> apiKey, IResourceBuilder<ParameterResource> apiSecret,
        IResourceBuilder<RedisResource> redis)
    {
        var config = new LiveKitConfig
        {
            ApiKey = apiKey.Resource,
            ApiSecret = apiSecret.Resource,
            RedisAddress = ReferenceExpression.Create($"{redis.Resource.PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}"),
            RedisPassword = redis.Resource.PasswordParameter,
            UseExternalIp = builder.ExecutionContext.IsPublishMode,
        };

        return builder.AddResource(new LiveKitResource(name, config))
            .WithImage(LiveKitImages.ServerImage, LiveKitImages.ServerTag)
            .WithImageRegistry(LiveKitImages.Registry)
            .WithHttpEndpoint(port: LiveKitConfig.HttpPort, targetPort: LiveKitConfig.HttpPort, name: LiveKitResource.HttpEndpointName)
            .WithEndpoint(port: LiveKitConfig.RtcTcpPort, targetPort: LiveKitConfig.RtcTcpPort, scheme: "tcp",
                name: LiveKitResource.RtcTcpEndpointName, isProxied: false, isExternal: true)
            .WithEndpoint(port: LiveKitConfig.RtcUdpPort, targetPort: LiveKitConfig.RtcUdpPort, scheme: "udp",
                name: LiveKitResource.RtcUdpEndpointName, isProxied: false, isExternal: true, protocol: ProtocolType.Udp)
            .WithLiveKitConfig()
            .WithHttpHealthCheck("/", endpointName: LiveKitResource.HttpEndpointName)
            // No WithReference(redis): livekit-server reads REDIS_HOST as "host:port" and lets it override the
            // config, and Aspire's REDIS_HOST is the bare host name. The config names Redis instead.
            .WithReferenceRelationship(redis)
            .WaitFor(redis);
    }

    /// <summary>
    /// Turns on LiveKit's TURN server for browsers behind firewalls that block UDP and port 7881, in the layout
    /// LiveKit's own deployment generator uses: TURN/UDP on 3478, and TURN/TLS on 443 for <c>turn.DOMAIN</c>, where
    /// <paramref name="caddy"/> (a layer-4-capable build) terminates the TLS by SNI next to the HTTPS sites and
    /// passes the plain TURN stream to LiveKit's 5349 on the private network. Caddy obtains and renews that
    /// certificate like the others; LiveKit never sees it, so nothing restarts at a renewal.
    /// </summary>
    public static IResourceBuilder<LiveKitResource> WithTurn(this IResourceBuilder<LiveKitResource> liveKit,
        IResourceBuilder<ParameterResource> domain, IResourceBuilder<ContainerResource> caddy)
    {
        var turnDomain = ReferenceExpression.Create($"turn.{domain}");
        liveKit.Resource.Config.Turn = new LiveKitTurnConfig(turnDomain);

        caddy.WithAnnotation(new TurnOverTlsAnnotation(), ResourceAnnotationMutationBehavior.Replace)
            .WithImage(LiveKitImages.CaddyLayer4Image, LiveKitImages.CaddyLayer4Tag)
            .WithImageRegistry(LiveKitImages.CaddyLayer4Registry)
            .WithEnvironment("TURN_SITE_ADDRESS", turnDomain)
            .WithEnvironment("TURN_UPSTREAM", ReferenceExpression.Create(
                $"{liveKit.Resource.GetEndpoint(LiveKitResource.TurnTlsEndpointName).Property(EndpointProperty.HostAndPort)}"));

        return liveKit
            .WithEndpoint(port: LiveKitConfig.TurnUdpPort, targetPort: LiveKitConfig.TurnUdpPort, scheme: "udp",
                name: LiveKitResource.TurnUdpEndpointName, isProxied: false, isExternal: true, protocol: ProtocolType.Udp)
            .WithEndpoint(targetPort: LiveKitConfig.TurnTlsPort, scheme: "tcp", name: LiveKitResource.TurnTlsEndpointName, isProxied: false);
    }

    /// <summary>
    /// Adds <c>livekit-server --dev</c> from PATH as a local process: signalling and API on a free port, media on the
    /// usual ports (the browser needs 7881/7882 as advertised). Without Redis: egress cannot run without containers anyway.
    /// </summary>
    public static IResourceBuilder<LiveKitProcessResource> AddLiveKitProcess(this IDistributedApplicationBuilder builder,
        string name, string command, IResourceBuilder<ParameterResource> apiKey, IResourceBuilder<ParameterResource> apiSecret)
    {
        var config = new LiveKitConfig { ApiKey = apiKey.Resource, ApiSecret = apiSecret.Resource, BindAddress = "127.0.0.1" };

        var resource = new LiveKitProcessResource(name, command, builder.AppHostDirectory, config);
        // A free port, not 7880: browsers reach it through Caddy's livekit site, the services through its endpoint.
        config.ListenPort = ReferenceExpression.Create($"{resource.HttpEndpoint.Property(EndpointProperty.TargetPort)}");
        return builder.AddResource(resource)
            .WithArgs("--dev")
            .WithHttpEndpoint(name: LiveKitResource.HttpEndpointName, isProxied: false)
            .WithLiveKitConfig()
            .WithHttpHealthCheck("/", endpointName: LiveKitResource.HttpEndpointName);
    }

    /// <summary>
    /// A LiveKit this stack does not run, e.g. LiveKit Cloud: the services connect to <paramref name="url"/> with these
    /// keys; its webhooks are configured there.
    /// </summary>
    public static IResourceBuilder<ExternalLiveKitResource> AddExternalLiveKit(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource> url, IResourceBuilder<ParameterResource> apiKey, IResourceBuilder<ParameterResource> apiSecret) =>
        builder.AddResource(new ExternalLiveKitResource(name, url.Resource, new LiveKitConfig { ApiKey = apiKey.Resource, ApiSecret = apiSecret.Resource }))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "LiveKit",
                State = KnownResourceStates.Running,
                Properties = [],
            })
            .ExcludeFromManifest();

    /// <summary>Tells LiveKit to post its signed webhooks to <paramref name="receiver"/> at <paramref name="path"/>.</summary>
    public static IResourceBuilder<T> WithWebhookReceiver<T>(this IResourceBuilder<T> liveKit,
        IResourceBuilder<IResourceWithEndpoints> receiver, string path) where T : ILiveKitResource
    {
        var endpoint = receiver.Resource.GetEndpoint("http");
        liveKit.Resource.Config.WebhookUrls.Add(ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.Url)}{path}"));
        return liveKit;
    }

    /// <summary>
    /// Adds LiveKit Egress in a container, configured from the model: the LiveKit it records, the shared Redis
    /// it takes work from, and the bucket it uploads to.
    /// </summary>
    public static IResourceBuilder<LiveKitEgressResource> AddLiveKitEgress(this IDistributedApplicationBuilder builder,
        string name, IResourceBuilder<LiveKitResource> liveKit, IResourceBuilder<RedisResource> redis, ObjectStorageSettings storage)
    {
        var config = new LiveKitEgressConfig
        {
            ApiKey = liveKit.Resource.Config.ApiKey,
            ApiSecret = liveKit.Resource.Config.ApiSecret,
            WebSocketUrl = ReferenceExpression.Create($"ws://{liveKit.Resource.HttpEndpoint.Property(EndpointProperty.HostAndPort)}"),
            RedisAddress = ReferenceExpression.Create($"{redis.Resource.PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}"),
            RedisPassword = redis.Resource.PasswordParameter,
            Storage = storage,
        };

        return builder.AddResource(new LiveKitEgressResource(name, config))
            .WithImage(LiveKitImages.EgressImage, LiveKitImages.EgressTag)
            .WithImageRegistry(LiveKitImages.Registry)
            // Chrome inside Egress needs SYS_ADMIN for its sandbox.
            .WithContainerRuntimeArgs("--cap-add=SYS_ADMIN")
            .WithEnvironment(context => context.EnvironmentVariables["EGRESS_CONFIG_BODY"] = config.Render())
            .WithHttpEndpoint(targetPort: LiveKitEgressConfig.HealthPort, name: LiveKitEgressResource.HealthEndpointName)
            .WithHttpHealthCheck("/", endpointName: LiveKitEgressResource.HealthEndpointName)
            .WaitFor(liveKit).WaitFor(redis);
    }

    // Rendered late, in the environment callback, so webhook receivers added after AddLiveKit are included.
    static IResourceBuilder<T> WithLiveKitConfig<T>(this IResourceBuilder<T> liveKit) where T : ILiveKitResource, IResourceWithEnvironment =>
        liveKit.WithEnvironment(context => context.EnvironmentVariables["LIVEKIT_CONFIG"] = liveKit.Resource.Config.Render());
}
