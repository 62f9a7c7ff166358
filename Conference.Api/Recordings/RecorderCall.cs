using Conference.Contracts;

namespace Conference.Api.Recordings;

/// <summary>
/// One way every endpoint calls the recorder: its problems pass through; one that cannot be reached is 503 with
/// Retry-After, never 500 (none configured: <see cref="RecorderService"/> answers one 503).
/// </summary>
public static class RecorderCall
{
    public static Task<IResult> CallAsync<T>(HttpContext http, Func<RecorderClient, Task<RecorderReply<T>>> call, Func<T, IResult> onSuccess) =>
        CallAsync(http, call, value => Task.FromResult(onSuccess(value)));

    public static async Task<IResult> CallAsync<T>(HttpContext http, Func<RecorderClient, Task<RecorderReply<T>>> call, Func<T, Task<IResult>> onSuccess)
    {
        var recorder = http.RequestServices.GetRequiredService<RecorderService>().Client; // none here: 503, answered in one place
        RecorderReply<T> reply;
        try
        {
            reply = await call(recorder);
        }
        catch (Polly.Timeout.TimeoutRejectedException exception) when (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            // The recorder had the request and did not answer in time: a start or stop may have happened all the same.
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RecorderClient))
                .LogWarning(exception, "The recorder did not answer in time");
            AskToRetry(http);
            return TypedResults.Problem("The recorder did not answer in time, so this may still have happened. Check before trying again.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "No answer in time");
        }
        catch (Exception exception) when (exception is HttpRequestException or Polly.ExecutionRejectedException)
        {
            // Not answering, timed out, or the circuit is open after repeated failures: worth asking again shortly.
            // Its address and the socket's error are the operator's business (logged), not the caller's.
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RecorderClient))
                .LogWarning(exception, "The recorder cannot be reached");
            AskToRetry(http);
            return TypedResults.Problem("The recorder cannot be reached now; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Recording is not available");
        }
        if (reply.IsKeyRefused)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RecorderClient))
                .LogError("The recorder refused the api's internal key: give both the same {Setting}.", InternalApiKey.ConfigurationKey);
        }
        else if (reply.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            AskToRetry(http); // the recorder's own dependency (its database, LiveKit, storage) is down
        }
        return reply.Succeeded ? await onSuccess(reply.Value!) : reply.ToProblem();
    }

    static void AskToRetry(HttpContext http) =>
        http.Response.Headers.RetryAfter = Extensions.ResilienceExtensions.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
