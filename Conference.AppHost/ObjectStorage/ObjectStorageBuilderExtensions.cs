namespace Conference.AppHost.ObjectStorage;

public static class ObjectStorageBuilderExtensions
{
    /// <summary>
    /// Adds a MinIO container and a one-shot <c>mc</c> container that creates the bucket, so recordings have
    /// somewhere to go the moment the stack is up.
    /// </summary>
    public static IResourceBuilder<MinioResource> AddMinio(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource> region, IResourceBuilder<ParameterResource> bucket,
        IResourceBuilder<ParameterResource> accessKey, IResourceBuilder<ParameterResource> secretKey)
    {
        var minio = builder.AddResource(new MinioResource(name, region.Resource, bucket.Resource, accessKey.Resource, secretKey.Resource))
            .WithImage(MinioImages.ServerImage, MinioImages.ServerTag)
            .WithImageRegistry(MinioImages.Registry)
            .WithArgs("server", "/data", "--console-address", ":9001")
            .WithEnvironment("MINIO_ROOT_USER", accessKey)
            .WithEnvironment("MINIO_ROOT_PASSWORD", secretKey)
            .WithHttpEndpoint(targetPort: 9000, name: MinioResource.HttpEndpointName)
            .WithHttpEndpoint(targetPort: 9001, name: MinioResource.ConsoleEndpointName)
            .WithHttpHealthCheck("/minio/health/live", endpointName: MinioResource.HttpEndpointName)
            .WithVolume($"{name}-data", "/data");

        // mc reads the server and credentials from MC_HOST_<alias>, so no secret appears in its arguments.
        builder.AddContainer($"{name}-init", MinioImages.ClientImage, MinioImages.ClientTag)
            .WithImageRegistry(MinioImages.Registry)
            .WithEnvironment(context =>
            {
                var endpoint = minio.Resource.HttpEndpoint;
                context.EnvironmentVariables["MC_HOST_local"] = ReferenceExpression.Create(
                    $"http://{accessKey}:{secretKey}@{endpoint.Property(EndpointProperty.HostAndPort)}");
            })
            .WithArgs("mb", "--ignore-existing", ReferenceExpression.Create($"local/{bucket}"))
            .WithParentRelationship(minio)
            .WaitFor(minio);

        return minio;
    }
}
