using Conference.LiveKit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conference.Recorder.Recordings;

/// <summary>
/// LiveKit's signed webhooks, of which the recorder uses the egress ones. Applying is idempotent and ignores
/// stale news (<see cref="RecordingStates.Apply"/>), so retried and reordered deliveries need no event log here.
/// </summary>
public static class EgressWebhooksApi
{
    /// <summary>LiveKit's events are a few KB; anything this large is not one.</summary>
    const int MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapEgressWebhooksApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("webhooks/livekit", Receive).WithTags("Webhooks").WithName("ReceiveLiveKitWebhook");
        return app;
    }

    static async Task<Results<Ok, ProblemHttpResult>> Receive(HttpContext http, Recorder recorder, ILogger<Recorder> logger)
    {
        if (http.RequestServices.GetService<WebhookReceiver>() is not { } receiver)
        {
            return TypedResults.Problem("LiveKit is not configured on this server.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return TypedResults.Problem("The body is too large for a LiveKit event.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        if (body.Length > MaxBodyBytes)
        {
            return TypedResults.Problem("The body is too large for a LiveKit event.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        WebhookEvent webhookEvent;
        try
        {
            webhookEvent = receiver.Receive(body.GetBuffer().AsSpan(0, (int)body.Length), http.Request.Headers.Authorization);
        }
        catch (WebhookException exception)
        {
            var status = exception.Reason == WebhookRejection.MalformedJson ? StatusCodes.Status400BadRequest : StatusCodes.Status401Unauthorized;
            return TypedResults.Problem(exception.Message, statusCode: status, title: $"Webhook rejected: {exception.Reason}");
        }

        if (webhookEvent.Event is WebhookEventNames.EgressStarted or WebhookEventNames.EgressUpdated or WebhookEventNames.EgressEnded
            && webhookEvent.EgressInfo is { EgressId.Length: > 0 } egress)
        {
            var recording = await recorder.ApplyAsync(egress, http.RequestAborted);
            logger.LogDebug("{Event} for egress {Egress}: recording {Recording} is {Status}", webhookEvent.Event, egress.EgressId, recording?.Id, recording?.Status);
        }
        return TypedResults.Ok();
    }
}
