using Conference.AppHost.LiveKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Conference.AppHost.Caddy;

/// <summary>Caddy, the front door: routes the public names to web, api and LiveKit with the repository's Caddyfile.</summary>
public static class CaddyBuilderExtensions
{
    internal const string Image = "caddy";
    internal const string Tag = "2.10.2";
    internal const string Registry = "docker.io";

    /// <summary>The volume that keeps Caddy's certificates (and ACME account) across restarts.</summary>
    public static string DataVolumeName(string name) => $"{name}-data";

    /// <summary>Caddy in a container with the repository's Caddyfile mounted; HTTPS for the domain in production.</summary>
    public static IResourceBuilder<ContainerResource> AddCaddy(this IDistributedApplicationBuilder builder, string name, string caddyfile)
    {
        var publishing = builder.ExecutionContext.IsPublishMode;
        return builder.AddContainer(name, Image, Tag)
            .WithImageRegistry(Registry)
            .WithBindMount(caddyfile, "/etc/caddy/Caddyfile", isReadOnly: true)
            .WithVolume(DataVolumeName(name), "/data")
            .WithVolume($"{name}-config", "/config")
            .WithHttpEndpoint(port: publishing ? 80 : null, targetPort: 80, name: "http")
            .WithHttpsEndpoint(port: publishing ? 443 : null, targetPort: 443, name: "https")
            .WithExternalHttpEndpoints();
    }

    /// <summary>Caddy from PATH, plain HTTP on one port for the site and <c>livekit.localhost</c>.</summary>
    public static IResourceBuilder<ExecutableResource> AddCaddyProcess(this IDistributedApplicationBuilder builder, string name,
        string caddyfile, string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var caddy = builder.AddExecutable(name, "caddy", dataDirectory, "run", "--config", caddyfile, "--adapter", "caddyfile")
            .WithHttpEndpoint(name: "http", env: "CADDY_PORT")
            .WithExternalHttpEndpoints()
            // Several Caddys (a developer's and the tests') may run at once: no shared admin port, own storage.
            .WithEnvironment("CADDY_ADMIN", "off")
            .WithEnvironment("XDG_DATA_HOME", Path.Combine(dataDirectory, "data"))
            .WithEnvironment("XDG_CONFIG_HOME", Path.Combine(dataDirectory, "config"));

        var port = caddy.GetEndpoint("http").Property(EndpointProperty.TargetPort);
        return caddy
            .WithEnvironment("SITE_ADDRESS", ReferenceExpression.Create($"http://localhost:{port}"))
            .WithEnvironment("LIVEKIT_SITE_ADDRESS", ReferenceExpression.Create($"http://livekit.localhost:{port}"))
            .WithEnvironment("DASHBOARD_SITE_ADDRESS", ReferenceExpression.Create($"http://dashboard.localhost:{port}"));
    }

    /// <summary>
    /// The object storage's origin in the page's Content-Security-Policy (media-src), so recordings play from their
    /// presigned links. The storage endpoint parameter is an origin (scheme and host); a CSP source with a trailing
    /// slash or path would still match the whole path-style bucket.
    /// </summary>
    public static IResourceBuilder<T> WithStorageOrigin<T>(this IResourceBuilder<T> caddy, ObjectStorage.ObjectStorageSettings storage)
        where T : IResourceWithEnvironment =>
        caddy.WithEnvironment("STORAGE_ORIGIN", storage.Endpoint);

    /// <summary>
    /// Points Caddy's routes at the services, wherever they run. Caddy does not wait for them: it answers 502 until they are up, which is what a browser should see.
    /// </summary>
    public static IResourceBuilder<IResourceWithEnvironment> WithRoutes(this IResourceBuilder<IResourceWithEnvironment> caddy,
        IResourceBuilder<IResourceWithEndpoints> web, IResourceBuilder<IResourceWithEndpoints> api, IResourceBuilder<ILiveKitResource>? liveKit)
    {
        caddy.WithEnvironment("WEB_UPSTREAM", web.Resource.GetEndpoint("http").Property(EndpointProperty.HostAndPort))
            .WithEnvironment("API_UPSTREAM", api.Resource.GetEndpoint("http").Property(EndpointProperty.HostAndPort));
        // An external LiveKit has its own address; browsers go there, not through Caddy.
        if (liveKit?.Resource.HttpEndpoint is { } liveKitEndpoint)
        {
            caddy.WithEnvironment("LIVEKIT_UPSTREAM", liveKitEndpoint.Property(EndpointProperty.HostAndPort));
        }
        return caddy;
    }

    /// <summary>
    /// Says on the console where to open the site once web is healthy: through the front door when it runs, else
    /// web itself. The dashboard shows it too, but the console is where people look first. Web becomes ready again
    /// after each restart (from the dashboard, or after a crash); those lines say "again", so the first one stays the
    /// one that says the product has started.
    /// </summary>
    public static void AnnounceSite(this IDistributedApplicationBuilder builder, IResourceBuilder<IResourceWithEndpoints> web,
        IResourceBuilder<IResourceWithEnvironment>? frontDoor)
    {
        var announced = 0;
        builder.Eventing.Subscribe<ResourceReadyEvent>(web.Resource, async (@event, cancellationToken) =>
        {
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CaddyBuilderExtensions));
            var site = web.Resource.GetEndpoint("http");
            if (frontDoor?.Resource is IResourceWithEndpoints caddy)
            {
                // Caddy waits for nothing and is running long before web is healthy; if it failed, web is the way in.
                var state = await @event.Services.GetRequiredService<ResourceNotificationService>().WaitForResourceAsync(caddy.Name,
                    update => update.Snapshot.State?.Text == KnownResourceStates.Running || KnownResourceStates.TerminalStates.Contains(update.Snapshot.State?.Text),
                    cancellationToken);
                if (state.Snapshot.State?.Text == KnownResourceStates.Running)
                {
                    site = caddy.GetEndpoint("http");
                }
            }
            if (Interlocked.Increment(ref announced) == 1)
            {
                logger.LogInformation("The site is ready at {Url}", site.Url);
            }
            else
            {
                logger.LogInformation("The site is ready again at {Url} ({Resource} restarted)", site.Url, web.Resource.Name);
            }
        });
    }
}
