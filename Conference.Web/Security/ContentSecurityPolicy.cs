using Microsoft.Extensions.Options;

namespace Conference.Web.Security;

/// <summary>
/// Where the page's media comes from, as the browser reaches it: the two origins outside the site that the page's
/// Content-Security-Policy names. The AppHost (and compose) set them.
/// </summary>
public sealed class ContentSecurityPolicyOptions
{
    /// <summary>
    /// <c>MediaServer:PublicUrl</c>: LiveKit's signalling URL as browsers reach it (the api hands the same one out with
    /// each join token), e.g. <c>wss://livekit.meet.example.org</c>. An <c>http(s)</c> URL means its <c>ws(s)</c> origin.
    /// Unset: the page may open WebSockets to the site itself only.
    /// </summary>
    public Uri? LiveKitPublicUrl { get; set; }

    /// <summary>
    /// <c>Storage:Endpoint</c>: the S3-compatible endpoint recordings play from (presigned links on its host), e.g.
    /// <c>https://NAMESPACE.compat.objectstorage.REGION.oraclecloud.com</c>. Unset: media from the site itself only.
    /// </summary>
    public Uri? StorageEndpoint { get; set; }
}

/// <summary>
/// The page's Content-Security-Policy (CSP Level 3), the same one the Caddyfile sends in front of the web: Blazor's
/// script and circuit WebSocket ('self'), inline styles (Blazor's reconnect dialog and components' style attributes),
/// LiveKit's WebSocket origin, recordings from the storage origin, blob: media and workers for the call's E2EE
/// worker and local previews, never framed. The web sends it itself, so a page reached without Caddy is protected
/// too; <c>ContentSecurityPolicyTests</c> renders both from the same origins and fails if they differ.
/// </summary>
public static class ContentSecurityPolicy
{
    /// <summary>
    /// The policy for the given origins (each <c>scheme://host[:port]</c>, or null when not configured).
    /// <paramref name="liveKitOrigin"/> is LiveKit's WebSocket origin and <paramref name="liveKitHttpOrigin"/> the same
    /// server over HTTP(S): livekit-client fetches <c>/rtc/v1/validate</c> there when a connection fails, for the reason.
    /// </summary>
    public static string Render(string? storageOrigin, string? liveKitOrigin, string? liveKitHttpOrigin = null) =>
        string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            Directive("media-src 'self' blob:", storageOrigin),
            "worker-src 'self' blob:",
            Directive(Directive("connect-src 'self'", liveKitOrigin), liveKitHttpOrigin),
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'");

    /// <summary>The policy for the configured origins.</summary>
    public static string Render(ContentSecurityPolicyOptions options) =>
        Render(Origin(options.StorageEndpoint), Origin(options.LiveKitPublicUrl, webSocket: true), Origin(options.LiveKitPublicUrl, http: true));

    /// <summary>
    /// <c>scheme://host[:port]</c> of <paramref name="url"/> (RFC 6454), the form a CSP source expression matches a whole
    /// origin by; with <paramref name="webSocket"/>, <c>http</c> and <c>https</c> become <c>ws</c> and <c>wss</c> (where the
    /// browser opens the socket); with <paramref name="http"/>, <c>ws</c> and <c>wss</c> become <c>http</c> and <c>https</c>.
    /// </summary>
    public static string? Origin(Uri? url, bool webSocket = false, bool http = false)
    {
        if (url is null)
        {
            return null;
        }
        var scheme = (webSocket, http, url.Scheme) switch
        {
            (true, _, "http") => "ws",
            (true, _, "https") => "wss",
            (_, true, "ws") => "http",
            (_, true, "wss") => "https",
            _ => url.Scheme,
        };
        return url.IsDefaultPort ? $"{scheme}://{url.IdnHost}" : $"{scheme}://{url.IdnHost}:{url.Port}";
    }

    static string Directive(string directive, string? source) => source is null ? directive : $"{directive} {source}";

    /// <summary>Reads the two origins from <c>MediaServer:PublicUrl</c> and <c>Storage:Endpoint</c>.</summary>
    public static IServiceCollection AddContentSecurityPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ContentSecurityPolicyOptions>().Configure(options =>
        {
            options.LiveKitPublicUrl = configuration.GetValue<Uri?>("MediaServer:PublicUrl");
            options.StorageEndpoint = configuration.GetValue<Uri?>("Storage:Endpoint");
        });
        return services;
    }

    /// <summary>
    /// Sends the policy on every response. Blazor's own <c>frame-ancestors</c> policy is switched off where the
    /// interactive render mode is added, so the browser gets one policy, this one.
    /// </summary>
    public static IApplicationBuilder UseContentSecurityPolicy(this IApplicationBuilder app)
    {
        var policy = Render(app.ApplicationServices.GetRequiredService<IOptions<ContentSecurityPolicyOptions>>().Value);
        return app.Use((context, next) =>
        {
            context.Response.Headers.ContentSecurityPolicy = policy;
            return next(context);
        });
    }
}
