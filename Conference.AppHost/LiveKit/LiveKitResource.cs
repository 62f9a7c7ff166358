namespace Conference.AppHost.LiveKit;

/// <summary>A LiveKit server, wherever it runs: the model hands api and recorder its connection string.</summary>
public interface ILiveKitResource : IResourceWithConnectionString
{
    /// <summary>Its keys and, for one this stack runs, the webhook receivers rendered into its configuration.</summary>
    LiveKitConfig Config { get; }

    /// <summary>Its API and signalling endpoint (7880) when this stack runs it; null for an external LiveKit.</summary>
    EndpointReference? HttpEndpoint { get; }
}

/// <summary>
/// LiveKit's server in a container. Its connection string, <c>Endpoint=http://host:7880;ApiKey=...;ApiSecret=...</c>,
/// is what <c>AddLiveKitClient("livekit")</c> reads in the api and the recorder.
/// </summary>
public sealed class LiveKitResource(string name, LiveKitConfig config) : ContainerResource(name), ILiveKitResource
{
    internal const string HttpEndpointName = "http";
    internal const string RtcTcpEndpointName = "rtc-tcp";
    internal const string RtcUdpEndpointName = "rtc-udp";
    internal const string TurnUdpEndpointName = "turn-udp";
    internal const string TurnTlsEndpointName = "turn-tls";

    public LiveKitConfig Config { get; } = config;

    public EndpointReference HttpEndpoint => field ??= new(this, HttpEndpointName);

    public ReferenceExpression ConnectionStringExpression => LiveKitConnectionString.For(HttpEndpoint, Config);
}

/// <summary><c>livekit-server --dev</c> as a local process, for machines without a container engine.</summary>
public sealed class LiveKitProcessResource(string name, string command, string workingDirectory, LiveKitConfig config)
    : ExecutableResource(name, command, workingDirectory), ILiveKitResource
{
    public LiveKitConfig Config { get; } = config;

    public EndpointReference HttpEndpoint => field ??= new(this, LiveKitResource.HttpEndpointName);

    public ReferenceExpression ConnectionStringExpression => LiveKitConnectionString.For(HttpEndpoint, Config);
}

/// <summary>
/// A LiveKit this stack does not run (e.g. LiveKit Cloud), at <c>Parameters:livekit-url</c>. Its webhook receivers
/// are set where it runs, so the ones the model adds are not rendered anywhere, and nothing routes to it.
/// </summary>
public sealed class ExternalLiveKitResource(string name, ParameterResource url, LiveKitConfig config) : Resource(name), ILiveKitResource
{
    public LiveKitConfig Config { get; } = config;

    public EndpointReference? HttpEndpoint => null;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Endpoint={url};ApiKey={Config.ApiKey};ApiSecret={Config.ApiSecret}");
}

static class LiveKitConnectionString
{
    public static ReferenceExpression For(EndpointReference http, LiveKitConfig config) =>
        ReferenceExpression.Create(
            $"Endpoint=http://{http.Property(EndpointProperty.HostAndPort)};ApiKey={config.ApiKey};ApiSecret={config.ApiSecret}");
}
