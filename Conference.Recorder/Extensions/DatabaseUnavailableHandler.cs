using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Conference.Recorder.Extensions;

/// <summary>
/// The recorder's database cannot be reached: 503 with Retry-After (which the api passes on), never a 500. A
/// Postgres error that is not an outage (the server answered) stays a 500.
/// </summary>
sealed class DatabaseUnavailableHandler(IProblemDetailsService problems, ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not NpgsqlException outage || outage is PostgresException { IsTransient: false })
        {
            return false;
        }
        logger.LogWarning("The recordings database is unavailable: {Method} {Path} answered 503 ({Error})",
            httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Recording is not available",
                Detail = "The recorder's database is unavailable; try again in a few seconds.",
            },
        });
    }
}
