using Microsoft.AspNetCore.Diagnostics;

namespace Conference.Api;

/// <summary>
/// A dependency this server was set up without (no LiveKit, no recorder): every use of it answers 503. Thrown by the
/// always-registered accessors (<see cref="Participants.MediaServer"/>, <see cref="Recordings.RecorderService"/>), never by
/// handlers deciding for themselves.
/// </summary>
public sealed class ServiceNotConfiguredException(string service, string detail, string? title = null) : Exception(detail)
{
    /// <summary>What is missing, e.g. "Media server".</summary>
    public string Service { get; } = service;

    /// <summary>The problem's title: what the caller cannot do now (default "{Service} unavailable").</summary>
    public string Title { get; } = title ?? $"{service} unavailable";
}

/// <summary>The one place "not configured" becomes a 503 problem naming what is missing.</summary>
sealed class ServiceNotConfiguredHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not ServiceNotConfiguredException notConfigured)
        {
            return false;
        }
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = notConfigured.Title,
                Detail = notConfigured.Message,
            },
            Exception = exception,
        });
    }
}
