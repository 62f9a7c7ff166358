namespace Conference.AppHost.LiveKit;

/// <summary>Where browsers open LiveKit's signalling WebSocket, which is not always where the services call it.</summary>
public static class LiveKitPublicUrlExtensions
{
    /// <summary>
    /// LiveKit's public origin when browsers must use one other than its own address: <c>wss://livekit.DOMAIN</c> when
    /// publishing; a local livekit-server through Caddy's <c>livekit.localhost:PORT</c> site (the front door's port); an
    /// external LiveKit's URL (<c>Parameters:livekit-url</c>) as a WebSocket origin. Null otherwise: the api then hands
    /// out LiveKit's own address (<see cref="DirectWebSocketUrl"/>). With <paramref name="http"/>, the same origin with
    /// its HTTP scheme (<c>https://livekit.DOMAIN</c>): livekit-client fetches <c>/rtc/v1/validate</c> there to learn
    /// why a connection failed, so the page's Content-Security-Policy must allow it too.
    /// </summary>
    public static ReferenceExpression? LiveKitPublicUrl(this IDistributedApplicationBuilder builder, StackParameters parameters,
        Infrastructure infrastructure, bool http = false)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return http ? ReferenceExpression.Create($"https://livekit.{parameters.Domain.Resource}")
                : ReferenceExpression.Create($"wss://livekit.{parameters.Domain.Resource}");
        }
        if (infrastructure.LiveKit?.Resource is LiveKitProcessResource && infrastructure.FrontDoor?.Resource is IResourceWithEndpoints frontDoor)
        {
            var frontDoorPort = frontDoor.GetEndpoint("http").Property(EndpointProperty.Port);
            return http ? ReferenceExpression.Create($"http://livekit.localhost:{frontDoorPort}")
                : ReferenceExpression.Create($"ws://livekit.localhost:{frontDoorPort}");
        }
        if (infrastructure.LiveKit?.Resource is ExternalLiveKitResource
            && Uri.TryCreate(builder.Configuration["Parameters:livekit-url"], UriKind.Absolute, out var external))
        {
            // Read when the model is built (a development run's setting), so Caddy can be given an origin, which it
            // cannot compute from a URL: https becomes wss, as the browser connects (and the other way for http).
            var secure = external.Scheme is "https" or "wss";
            var scheme = (http, secure) switch { (true, true) => "https", (true, false) => "http", (false, true) => "wss", (false, false) => "ws" };
            var origin = external.IsDefaultPort ? $"{scheme}://{external.IdnHost}" : $"{scheme}://{external.IdnHost}:{external.Port}";
            return ReferenceExpression.Create($"{origin}");
        }
        return null;
    }

    /// <summary>LiveKit's own signalling address as a WebSocket URL, for a LiveKit this stack runs; null for an external one.</summary>
    public static ReferenceExpression? DirectWebSocketUrl(this ILiveKitResource liveKit) =>
        liveKit.HttpEndpoint is { } http ? ReferenceExpression.Create($"ws://{http.Property(EndpointProperty.HostAndPort)}") : null;
}
