namespace Conference.AppHost.Processes;

/// <summary>
/// Stands in the dashboard for a part of the stack that cannot run on this machine, saying why, so nobody
/// waits for it. Nothing waits for it either.
/// </summary>
public sealed class UnavailableResource(string name, string reason) : Resource(name)
{
    public string Reason { get; } = reason;
}

public static class UnavailableResourceExtensions
{
    public const string State = "Unavailable";

    public static IResourceBuilder<UnavailableResource> AddUnavailable(this IDistributedApplicationBuilder builder,
        string name, string resourceType, string reason) =>
        builder.AddResource(new UnavailableResource(name, reason))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = resourceType,
                State = new ResourceStateSnapshot(State, KnownResourceStateStyles.Warn),
                Properties = [new("Reason", reason)],
            })
            .ExcludeFromManifest();
}
