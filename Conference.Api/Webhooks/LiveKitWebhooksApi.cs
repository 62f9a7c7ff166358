using Conference.Api.Data;
using Conference.Api.Meetings;
using Conference.Api.Participants;
using Conference.Contracts;
using Conference.Api.Recordings;
using Conference.LiveKit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conference.Api.Webhooks;

/// <summary>
/// LiveKit's signed webhooks. Each event is verified against the exact bytes LiveKit signed, stored once by its
/// id and applied in the same transaction; only then does LiveKit get its 200. A retried delivery answers 200
/// and changes nothing; a forged or malformed one answers 401/400 and stores nothing (<see cref="WebhookIntake"/>, shared
/// with the recorder).
/// </summary>
public static class LiveKitWebhooksApi
{
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
        // No LiveKit here: 503, answered where every "not configured" is.
        var (webhook, rejection) = await mediaServer.Webhooks.ReceiveAsync(http.Request, http.RequestAborted);
        if (webhook is null)
        {
            return rejection!;
        }
        var (webhookEvent, body) = webhook;

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
            await effects.RunAsync(effect, http.RequestAborted);
            if (effect.Change is { What: MeetingChangeKind.RoomStarted } started)
            {
                await autoRecord.RoomStartedAsync(started.Slug, http.RequestAborted);
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
}
