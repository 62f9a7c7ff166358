using Microsoft.AspNetCore.Diagnostics;

namespace Conference.Api;

/// <summary>A dependency this server was set up without (no LiveKit, no recorder): every use of it answers 503.</summary>
public sealed class ServiceNotConfiguredException(string service, string detail) : Exception(detail)
{
    public string Service { get; } = service;
}

/// <summary>The one place "not configured" becomes a 503 problem naming what is missing.</summary>
internal sealed class ServiceNotConfiguredHandler(IProblemDetailsService problems) : IExceptionHandler
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
                Title = $"{notConfigured.Service} unavailable",
                Detail = notConfigured.Message,
            },
            Exception = exception,
        });
    }
}
