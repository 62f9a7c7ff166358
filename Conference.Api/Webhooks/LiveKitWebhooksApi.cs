using Conference.Api.Data;
using Conference.Api.Meetings;
using Conference.Api.Participants;
using Conference.Api.Recordings;
using Conference.LiveKit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conference.Api.Webhooks;

/// <summary>
/// LiveKit's signed webhooks. Each event is verified against the exact bytes LiveKit signed, stored once by its
/// id and applied in the same transaction; only then does LiveKit get its 200. A retried delivery answers 200
/// and changes nothing; a forged or malformed one answers 401/400 and stores nothing.
/// </summary>
public static class LiveKitWebhooksApi
{
    /// <summary>LiveKit's events are a few KB; anything this large is not one.</summary>
    const int MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapLiveKitWebhooksApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("api/webhooks/livekit", Receive)
            .WithTags("Webhooks").WithName("ReceiveLiveKitWebhook")
            .WithSummary("LiveKit's signed webhook (Authorization: the JWT whose sha256 claim is the body's hash).")
            .Accepts<WebhookEvent>("application/webhook+json", "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    static async Task<Results<Ok, ProblemHttpResult>> Receive(HttpContext http, MediaServer mediaServer, WebhookIngestion ingestion, WebhookEffects effects, AutoRecord autoRecord)
    {
        var receiver = mediaServer.Webhooks; // no LiveKit here: 503, answered where every "not configured" is
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return TypedResults.Problem("The body is too large for a LiveKit event.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var body = await ReadBodyAsync(http.Request, http.RequestAborted);
        if (body is null)
        {
            return TypedResults.Problem("The body is too large for a LiveKit event.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        WebhookEvent webhookEvent;
        try
        {
            webhookEvent = receiver.Receive(body, http.Request.Headers.Authorization);
        }
        catch (WebhookException exception)
        {
            var status = exception.Reason == WebhookRejection.MalformedJson ? StatusCodes.Status400BadRequest : StatusCodes.Status401Unauthorized;
            return TypedResults.Problem(exception.Message, statusCode: status, title: $"Webhook rejected: {exception.Reason}");
        }
        if (string.IsNullOrEmpty(webhookEvent.Id) || string.IsNullOrEmpty(webhookEvent.Event))
        {
            return TypedResults.Problem("The event has no id or no event name.", statusCode: StatusCodes.Status400BadRequest);
        }

        WebhookEffect effect;
        try
        {
            effect = await ingestion.StoreAndApplyAsync(webhookEvent, body, http.RequestAborted);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            return Unavailable(http, "The api is shutting down; LiveKit will deliver the event again.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Not even storing it worked (the database is away): a verified event is never a 500; LiveKit retries.
            http.RequestServices.GetRequiredService<ILogger<WebhookIngestion>>().LogWarning(exception, "Webhook {EventId} could not be stored", webhookEvent.Id);
            return Unavailable(http, "The event could not be stored now; LiveKit will deliver it again.");
        }
        try
        {
            await effects.RunAsync(webhookEvent.Event, effect, http.RequestAborted);
            if (effect.Slug is { } slug && webhookEvent.Event == WebhookEventNames.RoomStarted)
            {
                await autoRecord.RoomStartedAsync(slug, http.RequestAborted);
            }
        }
        catch (Exception exception) when (exception is StackExchange.Redis.RedisException)
        {
            // Stored and applied: open pages catch up on their next refresh.
            http.RequestServices.GetRequiredService<ILogger<WebhookIngestion>>().LogWarning(exception, "Webhook {EventId} applied, but pages were not told", webhookEvent.Id);
        }
        return TypedResults.Ok();
    }

    static ProblemHttpResult Unavailable(HttpContext http, string detail)
    {
        http.Response.Headers.RetryAfter = "5";
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Try again",
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = 5 });
    }

    /// <summary>The raw bytes, exactly as signed; null when over the limit.</summary>
    static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
