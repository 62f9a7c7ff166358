namespace Conference.AppHost;

static class ParameterExtensions
{
    /// <summary>
    /// A secret generated on first run and kept in user secrets; in the published deployment a value the
    /// operator sets (or the compose generator writes once) in .env.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddGeneratedSecret(this IDistributedApplicationBuilder builder, string name,
        int minLength = 24) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = minLength, Special = false }, secret: true, persist: true);

    /// <summary>
    /// The edge from <paramref name="caller"/> to <paramref name="service"/>'s internal interface: both get the same
    /// secret as <c>Recorder__InternalKey</c>, which the service requires on every internal call, so no other
    /// service on the network can make them.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithInternalKey(this IResourceBuilder<ProjectResource> caller,
        IResourceBuilder<ProjectResource> service, IResourceBuilder<ParameterResource> key)
    {
        service.WithEnvironment("Recorder__InternalKey", key);
        return caller.WithEnvironment("Recorder__InternalKey", key);
    }

    /// <summary>Sets <paramref name="name"/> when the model has a value for it on this machine.</summary>
    public static IResourceBuilder<ProjectResource> WithOptionalEnvironment(this IResourceBuilder<ProjectResource> project,
        string name, ReferenceExpression? value) =>
        value is null ? project : project.WithEnvironment(name, value);

    /// <summary>References a dependency that may be missing on this machine (then the service reports it unconfigured).</summary>
    public static IResourceBuilder<ProjectResource> WithOptionalReference(this IResourceBuilder<ProjectResource> project,
        IResourceBuilder<IResourceWithConnectionString>? dependency) =>
        dependency is null ? project : project.WithReference(dependency);
}
