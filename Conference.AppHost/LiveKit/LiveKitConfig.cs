namespace Conference.AppHost.LiveKit;

/// <summary>
/// The settings LiveKit's server reads from its YAML config, kept in the model so the same values reach the
/// container, the local process and the published deployment. Rendered into <c>LIVEKIT_CONFIG</c>.
/// </summary>
public sealed class LiveKitConfig
{
    /// <summary>HTTP API (Twirp) and WebSocket signalling.</summary>
    public const int HttpPort = 7880;

    /// <summary>ICE over TCP: the fallback when UDP is blocked.</summary>
    public const int RtcTcpPort = 7881;

    /// <summary>One UDP port for all media (UDP mux) instead of a 10,000-port range.</summary>
    public const int RtcUdpPort = 7882;

    /// <summary>TURN over UDP, for networks that allow UDP only to well-known ports.</summary>
    public const int TurnUdpPort = 3478;

    /// <summary>
    /// TURN over TLS, for networks that allow nothing but TLS: Caddy terminates the TLS on 443 and hands LiveKit the
    /// plain TURN stream here (LiveKit's <c>external_tls</c>), so this port is never published.
    /// </summary>
    public const int TurnTlsPort = 5349;

    /// <summary>
    /// The port the server listens on, when it is not <see cref="HttpPort"/>: a local process gets a free port from
    /// the orchestrator (its endpoint's target port), so two runs on one machine — a developer's and a test's — do not
    /// collide. Containers keep 7880 inside their own network.
    /// </summary>
    public ReferenceExpression? ListenPort { get; set; }

    public required ParameterResource ApiKey { get; init; }
    public required ParameterResource ApiSecret { get; init; }

    /// <summary>Redis lets Egress reach LiveKit; without it LiveKit answers "egress not connected (redis required)".</summary>
    public ReferenceExpression? RedisAddress { get; set; }
    public ParameterResource? RedisPassword { get; set; }

    /// <summary>Where LiveKit posts signed webhooks (api: rooms and participants, recorder: egress).</summary>
    public List<ReferenceExpression> WebhookUrls { get; } = [];

    /// <summary>Discover the public IP by STUN: right on a cloud host, wrong on a laptop.</summary>
    public bool UseExternalIp { get; set; }

    /// <summary>Addresses the server listens on; <c>--dev</c> alone binds only to loopback.</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>A room closes this long after the last person leaves.</summary>
    public int EmptyTimeoutSeconds { get; set; } = 300;

    /// <summary>A room closes this long after the last person drops (network loss) rather than leaves.</summary>
    public int DepartureTimeoutSeconds { get; set; } = 20;

    public int MaxParticipants { get; set; } = 100;

    /// <summary>LiveKit's TURN server; off unless the deployment turns it on.</summary>
    public LiveKitTurnConfig? Turn { get; set; }

    public ReferenceExpression Render()
    {
        var yaml = new ReferenceExpressionBuilder();
        if (ListenPort is null)
        {
            yaml.AppendLiteral($"port: {HttpPort}\n");
        }
        else
        {
            yaml.AppendLiteral("port: ");
            yaml.AppendFormatted(ListenPort);
            yaml.AppendLiteral("\n");
        }
        yaml.AppendLiteral($"bind_addresses:\n  - \"{BindAddress}\"\n");
        yaml.AppendLiteral("rtc:\n");
        yaml.AppendLiteral($"  tcp_port: {RtcTcpPort}\n");
        yaml.AppendLiteral($"  udp_port: {RtcUdpPort}\n");
        yaml.AppendLiteral($"  use_external_ip: {Yaml(UseExternalIp)}\n");
        yaml.AppendLiteral("keys:\n  ");
        yaml.AppendQuoted(ApiKey);
        yaml.AppendLiteral(": ");
        yaml.AppendQuoted(ApiSecret);
        yaml.AppendLiteral("\n");
        if (RedisAddress is not null)
        {
            yaml.AppendRedis(RedisAddress, RedisPassword);
        }
        if (WebhookUrls.Count > 0)
        {
            yaml.AppendLiteral("webhook:\n  api_key: ");
            yaml.AppendQuoted(ApiKey);
            yaml.AppendLiteral("\n  urls:\n");
            foreach (var url in WebhookUrls)
            {
                yaml.AppendLiteral("    - ");
                yaml.AppendQuoted(url);
                yaml.AppendLiteral("\n");
            }
        }
        if (Turn is not null)
        {
            yaml.AppendLiteral("turn:\n  enabled: true\n  domain: ");
            yaml.AppendQuoted(Turn.Domain);
            // external_tls: TLS ends at Caddy (443, by SNI), which renews the certificate without touching LiveKit;
            // LiveKit then tells browsers to use TURN/TLS on 443.
            yaml.AppendLiteral($"\n  udp_port: {TurnUdpPort}\n  tls_port: {TurnTlsPort}\n  external_tls: true\n");
        }
        yaml.AppendLiteral("room:\n");
        yaml.AppendLiteral("  auto_create: true\n");
        yaml.AppendLiteral($"  empty_timeout: {EmptyTimeoutSeconds}\n");
        yaml.AppendLiteral($"  departure_timeout: {DepartureTimeoutSeconds}\n");
        yaml.AppendLiteral($"  max_participants: {MaxParticipants}\n");
        yaml.AppendLiteral("logging:\n  level: info\n  json: true\n");
        return yaml.Build();
    }

    static string Yaml(bool value) => value ? "true" : "false";
}

/// <summary>The name browsers reach TURN at (its own DNS name: Caddy routes TLS for it to LiveKit by SNI).</summary>
public sealed record LiveKitTurnConfig(ReferenceExpression Domain);

static class YamlReferenceExpressionBuilderExtensions
{
    /// <summary>
    /// Writes a value as a double-quoted YAML scalar. Generated secrets are letters and digits, and LiveKit's
    /// keys never contain quotes, so quoting without escaping is safe and keeps YAML from reading "0123" as a number.
    /// </summary>
    /// <summary>The <c>redis:</c> section LiveKit and Egress read alike (they must name the same Redis).</summary>
    public static void AppendRedis(this ReferenceExpressionBuilder yaml, ReferenceExpression address, ParameterResource? password)
    {
        yaml.AppendLiteral("redis:\n  address: ");
        yaml.AppendQuoted(address);
        yaml.AppendLiteral("\n");
        if (password is not null)
        {
            yaml.AppendLiteral("  password: ");
            yaml.AppendQuoted(password);
            yaml.AppendLiteral("\n");
        }
    }

    public static void AppendQuoted<T>(this ReferenceExpressionBuilder yaml, T value)
        where T : IValueProvider, IManifestExpressionProvider
    {
        yaml.AppendLiteral("\"");
        yaml.AppendFormatted(value);
        yaml.AppendLiteral("\"");
    }
}
