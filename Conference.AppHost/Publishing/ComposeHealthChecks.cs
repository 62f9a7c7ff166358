using Conference.AppHost.Caddy;
using Conference.AppHost.LiveKit;

namespace Conference.AppHost.Publishing;

/// <summary>
/// The command Docker runs inside each container to decide it is healthy; <c>depends_on</c> waits for it.
/// Each uses only what its image has: the .NET images (Ubuntu) and Egress's have bash but no curl, so an HTTP
/// probe there is bash's <c>/dev/tcp</c>; LiveKit's and Caddy's images (Alpine) have busybox wget.
/// </summary>
public static class ComposeHealthChecks
{
    /// <summary>
    /// GET <paramref name="path"/> on <paramref name="port"/> and succeed on status 200, with nothing but bash.
    /// A .NET service answers /health 503 while a dependency is down, which this counts as unhealthy.
    /// </summary>
    public static string[] HttpProbeWithBash(int port, string path) =>
    [
        "CMD", "bash", "-c",
        $"exec 3<>/dev/tcp/127.0.0.1/{port} && printf 'GET {path} HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '",
    ];

    static string[] HttpProbeWithWget(int port, string path) =>
        ["CMD", "wget", "--quiet", "--output-document=/dev/null", $"http://127.0.0.1:{port}{path}"];

    /// <summary>The health check for a resource of the model; a container we do not know is an error, not a guess.</summary>
    public static string[] For(IResource resource) => resource switch
    {
        ProjectResource => HttpProbeWithBash(ComposeValues.ProjectHttpPort, "/health"),
        PostgresServerResource => ["CMD", "pg_isready", "--host=127.0.0.1", "--username=postgres"],
        // $$ reaches the container as $: the shell there reads the password from the container's environment.
        RedisResource => ["CMD-SHELL", "REDISCLI_AUTH=\"$$REDIS_PASSWORD\" redis-cli ping | grep -q PONG"],
        LiveKitResource => HttpProbeWithWget(LiveKitConfig.HttpPort, "/"),
        LiveKitEgressResource => HttpProbeWithBash(LiveKitEgressConfig.HealthPort, "/"),
        // Caddy's admin endpoint answers once its config is loaded (CADDY_ADMIN is left at its default here).
        // (The layer-4 build for TURN on 443 is the same Alpine image with one more module.)
        ContainerResource container when container.Annotations.OfType<ContainerImageAnnotation>().Any(i => i.Image == CaddyBuilderExtensions.Image)
            || container.Annotations.OfType<TurnOverTlsAnnotation>().Any()
            => HttpProbeWithWget(2019, "/config/"),
        _ => throw new InvalidOperationException(
            $"No compose health check is known for '{resource.Name}' ({resource.GetType().Name}); add one to ComposeHealthChecks."),
    };
}
