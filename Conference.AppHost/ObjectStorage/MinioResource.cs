namespace Conference.AppHost.ObjectStorage;

/// <summary>MinIO: object storage with Oracle's S3 dialect (path style) for development.</summary>
public sealed class MinioResource(string name, ParameterResource region, ParameterResource bucket,
    ParameterResource accessKey, ParameterResource secretKey) : ContainerResource(name), IResourceWithConnectionString
{
    internal const string HttpEndpointName = "http";
    internal const string ConsoleEndpointName = "console";

    public EndpointReference HttpEndpoint => field ??= new(this, HttpEndpointName);

    public ObjectStorageSettings Settings => field ??= new(
        ReferenceExpression.Create($"{HttpEndpoint.Property(EndpointProperty.Url)}"), region, bucket, accessKey, secretKey);

    public ReferenceExpression ConnectionStringExpression => Settings.ConnectionString;

    /// <summary>Where other containers (Egress) reach MinIO: its name on the container network, not the host port.</summary>
    public ReferenceExpression ContainerNetworkUrl =>
        ReferenceExpression.Create($"http://{Name}:{HttpEndpoint.Property(EndpointProperty.TargetPort)}");
}

static class MinioImages
{
    public const string Registry = "docker.io";
    public const string ServerImage = "minio/minio";
    public const string ServerTag = "RELEASE.2025-04-22T22-12-26Z";
    public const string ClientImage = "minio/mc";
    public const string ClientTag = "RELEASE.2025-04-16T18-13-26Z";
}
