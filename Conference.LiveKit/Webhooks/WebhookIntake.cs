using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conference.LiveKit;

/// <summary>A webhook that passed <see cref="WebhookReceiver.Receive"/>, with the exact bytes LiveKit signed.</summary>
/// <param name="Event">The event; its <c>Id</c> and <c>Event</c> name are never empty.</param>
/// <param name="Body">The body as received (what the signature covers), for services that store it.</param>
public sealed record VerifiedWebhook(WebhookEvent Event, byte[] Body);

/// <summary>
/// The HTTP end of LiveKit's webhooks, one for every service that takes them (api, recorder): reads the body up to
/// <see cref="MaxBodyBytes"/>, verifies it (<see cref="WebhookReceiver"/>) and turns each way it can be wrong into the
/// RFC 7807 problem LiveKit gets: 413 too large, 401 not signed by our key or not matching its hash, 400 not a
/// LiveKit event (or one without an id or event name). LiveKit retries on anything but 2xx.
/// </summary>
public static class WebhookIntake
{
    /// <summary>LiveKit's events are a few KB; anything this large is not one.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The verified webhook, or (null, the problem to answer).</summary>
    public static async Task<(VerifiedWebhook? Webhook, ProblemHttpResult? Rejection)> ReceiveAsync(
        this WebhookReceiver receiver, HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes || await ReadBodyAsync(request, cancellationToken) is not { } body)
        {
            return (null, TypedResults.Problem("The body is too large for a LiveKit event.", statusCode: StatusCodes.Status413PayloadTooLarge));
        }
        WebhookEvent webhookEvent;
        try
        {
            webhookEvent = receiver.Receive(body, request.Headers.Authorization);
        }
        catch (WebhookException exception)
        {
            var status = exception.Reason == WebhookRejection.MalformedJson ? StatusCodes.Status400BadRequest : StatusCodes.Status401Unauthorized;
            return (null, TypedResults.Problem(exception.Message, statusCode: status, title: $"Webhook rejected: {exception.Reason}"));
        }
        if (string.IsNullOrEmpty(webhookEvent.Id) || string.IsNullOrEmpty(webhookEvent.Event))
        {
            return (null, TypedResults.Problem("The event has no id or no event name.", statusCode: StatusCodes.Status400BadRequest));
        }
        return (new VerifiedWebhook(webhookEvent, body), null);
    }

    /// <summary>The raw bytes, exactly as signed; null as soon as they pass the limit (a missing or false Content-Length included).</summary>
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
