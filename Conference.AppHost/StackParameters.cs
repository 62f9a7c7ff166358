namespace Conference.AppHost;

/// <summary>The secrets and deployment settings every variant shares; each is a parameter, never a literal.</summary>
public sealed record StackParameters(
    IResourceBuilder<ParameterResource> LiveKitApiKey,
    IResourceBuilder<ParameterResource> LiveKitApiSecret,
    IResourceBuilder<ParameterResource> PostgresPassword,
    IResourceBuilder<ParameterResource> RedisPassword,
    IResourceBuilder<ParameterResource> StorageRegion,
    IResourceBuilder<ParameterResource> StorageBucket,
    IResourceBuilder<ParameterResource> StorageAccessKey,
    IResourceBuilder<ParameterResource> StorageSecretKey,
    IResourceBuilder<ParameterResource> Domain);

public static class StackParametersBuilderExtensions
{
    /// <summary>
    /// Adds the stack's parameters: user secrets while developing (generated on first run), the .env file in
    /// production, where the operator names the domain and the storage keys.
    /// </summary>
    public static StackParameters AddStackParameters(this IDistributedApplicationBuilder builder)
    {
        var publishing = builder.ExecutionContext.IsPublishMode;
        string Configured(string name, string productDefault) =>
            publishing ? productDefault : builder.Configuration[$"Parameters:{name}"] ?? productDefault;
        return new StackParameters(
            LiveKitApiKey: builder.AddParameter("livekit-api-key", "conference", publishValueAsDefault: true),
            LiveKitApiSecret: builder.AddGeneratedSecret("livekit-api-secret", minLength: 32),
            PostgresPassword: builder.AddGeneratedSecret("postgres-password"),
            RedisPassword: builder.AddGeneratedSecret("redis-password"),
            // A parameter given a value keeps that value and never reads Parameters:NAME, so a run reads it here: a
            // bucket named on the command line or in user secrets is the one used (the journeys' s3rver bucket was
            // ignored). Publishing writes the product's defaults, never a value from this machine's configuration.
            StorageRegion: builder.AddParameter("storage-region", Configured("storage-region", "us-east-1"), publishValueAsDefault: true),
            StorageBucket: builder.AddParameter("storage-bucket", Configured("storage-bucket", "recordings"), publishValueAsDefault: true),
            // Oracle's customer secret keys in production; generated MinIO credentials while developing.
            StorageAccessKey: publishing ? builder.AddParameter("storage-access-key", secret: true) : builder.AddGeneratedSecret("storage-access-key"),
            StorageSecretKey: publishing ? builder.AddParameter("storage-secret-key", secret: true) : builder.AddGeneratedSecret("storage-secret-key"),
            Domain: publishing
                ? builder.AddParameter("domain").WithDescription("The public name, e.g. meet.example.org; livekit.DOMAIN and dashboard.DOMAIN must point here too.")
                : builder.AddParameter("domain", "localhost"));
    }
}
