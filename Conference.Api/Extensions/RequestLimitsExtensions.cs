using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Conference.Api.Extensions;

/// <summary>
/// Limits checked before any work: request bodies per endpoint, header and URL sizes, and how slowly a client may
/// send. A body over its endpoint's limit is refused from its Content-Length (413, not read at all), or after the
/// limit when it has none (chunked). Caddy enforces the same body limits in front (see the Caddyfile).
/// </summary>
static class RequestLimitsExtensions
{
    /// <summary>Every JSON body the api takes (sign-in, meetings, moderation) is far below this.</summary>
    public const long JsonBodyLimit = 16 * 1024;

    /// <summary>LiveKit's webhook events carry a room and its participants; large rooms make large events.</summary>
    public const long WebhookBodyLimit = 1024 * 1024;

    public static void AddRequestLimits(this IHostApplicationBuilder builder)
    {
        // A key twice in one object is refused (400), not "last one wins": two readers of one body (a proxy, a log,
        // this api) must never see different values. Nesting stays within System.Text.Json's default depth of 64.
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.AllowDuplicateProperties = false);
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            // The most any endpoint takes; each endpoint's own limit is set per request below.
            kestrel.Limits.MaxRequestBodySize = WebhookBodyLimit;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 64;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            // A body trickled slower than 240 bytes/s (after a 5 s grace) ends the request: no slowloris.
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        });
    }

    /// <summary>Per endpoint: its own <see cref="IRequestSizeLimitMetadata"/>, else 1 MB for webhooks and 16 KB for the rest.</summary>
    public static IApplicationBuilder UseRequestBodyLimits(this WebApplication app) =>
        app.Use(async (context, next) =>
        {
            var limit = BodyLimit(context);
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }
            if (context.Request.ContentLength > limit)
            {
                // Not reading a byte of it; Kestrel closes the connection rather than drain a body this large.
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]>
                    {
                        ["body"] = [$"This endpoint takes a body of at most {limit} bytes; this one is {context.Request.ContentLength} bytes."],
                    })
                    {
                        Status = StatusCodes.Status413PayloadTooLarge,
                        Title = "The request body is too large.",
                    },
                });
                return;
            }
            await next(context);
        });

    static long BodyLimit(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize
        ?? (context.Request.Path.StartsWithSegments("/api/webhooks") ? WebhookBodyLimit : JsonBodyLimit);
}
