using Conference.AppHost.ObjectStorage;

namespace Conference.AppHost.LiveKit;

/// <summary>
/// LiveKit Egress: records rooms with headless Chrome and uploads the files to object storage. It talks to
/// LiveKit over its WebSocket URL and receives work through the same Redis.
/// </summary>
public sealed class LiveKitEgressResource(string name, LiveKitEgressConfig config) : ContainerResource(name)
{
    internal const string HealthEndpointName = "health";

    public LiveKitEgressConfig Config { get; } = config;
}

/// <summary>The settings Egress reads from its YAML config; rendered into <c>EGRESS_CONFIG_BODY</c>.</summary>
public sealed class LiveKitEgressConfig
{
    public const int HealthPort = 9090;

    public required ParameterResource ApiKey { get; init; }
    public required ParameterResource ApiSecret { get; init; }
    public required ReferenceExpression WebSocketUrl { get; init; }
    public required ReferenceExpression RedisAddress { get; init; }
    public ParameterResource? RedisPassword { get; init; }
    public required ObjectStorageSettings Storage { get; init; }

    /// <summary>
    /// CPU a room-composite recording reserves. Egress defaults to 4, which a 4-OCPU host never has free while
    /// LiveKit, Postgres and the apps run; 2 leaves room for one recording beside the live meeting.
    /// </summary>
    public double RoomCompositeCpuCost { get; set; } = 2.0;

    public double AudioRoomCompositeCpuCost { get; set; } = 0.5;

    /// <summary>Egress refuses new work above this share of the machine's CPU.</summary>
    public double MaxCpuUtilization { get; set; } = 0.8;

    public ReferenceExpression Render()
    {
        var yaml = new ReferenceExpressionBuilder();
        yaml.AppendLiteral("api_key: ");
        yaml.AppendQuoted(ApiKey);
        yaml.AppendLiteral("\napi_secret: ");
        yaml.AppendQuoted(ApiSecret);
        yaml.AppendLiteral("\nws_url: ");
        yaml.AppendQuoted(WebSocketUrl);
        // Egress and LiveKit share a private network; TLS ends at Caddy.
        yaml.AppendLiteral("\ninsecure: true\n");
        yaml.AppendLiteral($"health_port: {HealthPort}\n");
        yaml.AppendLiteral("logging:\n  level: info\n  json: true\n");
        yaml.AppendRedis(RedisAddress, RedisPassword);
        yaml.AppendLiteral("cpu_cost:\n");
        yaml.AppendLiteral(FormattableString.Invariant($"  room_composite_cpu_cost: {RoomCompositeCpuCost}\n"));
        yaml.AppendLiteral(FormattableString.Invariant($"  audio_room_composite_cpu_cost: {AudioRoomCompositeCpuCost}\n"));
        yaml.AppendLiteral(FormattableString.Invariant($"max_cpu_utilization: {MaxCpuUtilization}\n"));
        // Default upload target; the recorder names the same bucket per request. force_path_style is what
        // MinIO and Oracle Object Storage's S3 compatibility both need.
        yaml.AppendLiteral("storage:\n  s3:\n    access_key: ");
        yaml.AppendQuoted(Storage.AccessKey);
        yaml.AppendLiteral("\n    secret: ");
        yaml.AppendQuoted(Storage.SecretKey);
        yaml.AppendLiteral("\n    region: ");
        yaml.AppendQuoted(Storage.Region);
        yaml.AppendLiteral("\n    endpoint: ");
        yaml.AppendQuoted(Storage.Endpoint);
        yaml.AppendLiteral("\n    bucket: ");
        yaml.AppendQuoted(Storage.Bucket);
        yaml.AppendLiteral("\n    force_path_style: true\n");
        return yaml.Build();
    }
}
