using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Conference.Api;

/// <summary>
/// Turns a body the api cannot read (malformed JSON, a wrong type, too large) into a 400 problem that names
/// the field, instead of an empty 400 or a 500.
/// </summary>
sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var (field, message) = badRequest.InnerException switch
        {
            JsonException json => (FieldName(json.Path), "The value is not valid JSON of the expected type."),
            _ => ("body", badRequest.Message),
        };
        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = badRequest.StatusCode,
                Title = "The request could not be read.",
            },
            Exception = exception,
        });
    }

    /// <summary>"$.settings.maxParticipants" → "settings.maxParticipants"; the whole body when JSON itself is broken.</summary>
    static string FieldName(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');
}
