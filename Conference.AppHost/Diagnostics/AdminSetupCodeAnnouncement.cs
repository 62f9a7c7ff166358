using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Conference.AppHost.Diagnostics;

/// <summary>
/// A fresh server has no admin, and its first sign-up needs the one-time setup code the api prints in its log. The
/// api's log is on the dashboard; a person who ran <c>dotnet run</c> looks at the console first. So when the api is
/// ready, the console repeats the api's setup-code line, if it printed one (never, once an admin exists).
/// </summary>
public static class AdminSetupCodeAnnouncement
{
    /// <summary>The text the api's line starts with (Conference.Api/Accounts/AdminSetup.cs).</summary>
    internal const string Marker = "This server has no admin yet.";

    static readonly TimeSpan LogReadTimeout = TimeSpan.FromSeconds(5);

    public static IDistributedApplicationBuilder AnnounceAdminSetupCode(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api)
    {
        builder.Eventing.Subscribe<ResourceReadyEvent>(api.Resource, async (@event, cancellationToken) =>
        {
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminSetupCodeAnnouncement));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(LogReadTimeout);
            try
            {
                await foreach (var batch in @event.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(api.Resource).WithCancellation(timeout.Token))
                {
                    if (batch.Select(line => line.Content).LastOrDefault(content => content.Contains(Marker, StringComparison.Ordinal)) is { } line)
                    {
                        logger.LogWarning("{Resource}: {Line}", api.Resource.Name, line[line.IndexOf(Marker, StringComparison.Ordinal)..].TrimEnd());
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The api's log could not be read in time: the dashboard still shows it.
            }
        });
        return builder;
    }
}
