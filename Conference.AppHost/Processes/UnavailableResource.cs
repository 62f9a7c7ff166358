using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

    /// <summary>
    /// Adds the stand-in, and says on the console once everything is created which part cannot run and why: the
    /// console is where people look first (a newcomer missed that calls could not connect, said only on the dashboard).
    /// </summary>
    public static IResourceBuilder<UnavailableResource> AddUnavailable(this IDistributedApplicationBuilder builder,
        string name, string resourceType, string reason)
    {
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UnavailableResource))
                .LogWarning("{Resource} cannot run on this machine: {Reason}", name, reason);
            return Task.CompletedTask;
        });
        return builder.AddResource(new UnavailableResource(name, reason))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = resourceType,
                State = new ResourceStateSnapshot(State, KnownResourceStateStyles.Warn),
                Properties = [new("Reason", reason)],
            })
            .ExcludeFromManifest();
    }
}
