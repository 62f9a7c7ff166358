namespace Conference.AppHost;

internal static class ParameterExtensions
{
    /// <summary>
    /// A secret generated on first run and kept in user secrets; in the published deployment a value the
    /// operator sets (or the compose generator writes once) in .env.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddGeneratedSecret(this IDistributedApplicationBuilder builder, string name,
        int minLength = 24) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = minLength, Special = false }, secret: true, persist: true);

    /// <summary>References a dependency that may be missing on this machine (then the service reports it unconfigured).</summary>
    public static IResourceBuilder<ProjectResource> WithOptionalReference(this IResourceBuilder<ProjectResource> project,
        IResourceBuilder<IResourceWithConnectionString>? dependency) =>
        dependency is null ? project : project.WithReference(dependency);
}
