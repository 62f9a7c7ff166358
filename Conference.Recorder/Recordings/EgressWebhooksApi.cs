using Conference.LiveKit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conference.Recorder.Recordings;

/// <summary>
/// LiveKit's signed webhooks, of which the recorder uses the egress ones. Applying is idempotent and ignores
/// stale news (<see cref="RecordingStates.Apply"/>), so retried and reordered deliveries need no event log here.
/// Reading and verifying is the api's too (<see cref="WebhookIntake"/>).
/// </summary>
public static class EgressWebhooksApi
{
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
        var (webhook, rejection) = await receiver.ReceiveAsync(http.Request, http.RequestAborted);
        if (webhook is null)
        {
            return rejection!;
        }
        var webhookEvent = webhook.Event;
        if (webhookEvent.Event is WebhookEventNames.EgressStarted or WebhookEventNames.EgressUpdated or WebhookEventNames.EgressEnded
            && webhookEvent.EgressInfo is { EgressId.Length: > 0 } egress)
        {
            var recording = await recorder.ApplyAsync(egress, http.RequestAborted);
            logger.LogDebug("{Event} for egress {Egress}: recording {Recording} is {Status}", webhookEvent.Event, egress.EgressId, recording?.Id, recording?.Status);
        }
        return TypedResults.Ok();
    }
}
