using System.Net;

namespace Conference.Web.Api;

/// <summary>
/// The api said no (an RFC 7807 problem document), or could not be reached. <see cref="Message"/> is written for
/// the person using the page; <see cref="Errors"/> names the fields at fault.
/// </summary>
public sealed class ApiProblemException(int status, string title, string? detail, IReadOnlyDictionary<string, string[]>? errors = null, Exception? inner = null)
    : Exception(detail ?? title, inner)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors ?? new Dictionary<string, string[]>();

    public bool IsNotFound => Status == (int)HttpStatusCode.NotFound;

    /// <summary>The caller is not signed in, or the api no longer accepts their token.</summary>
    public bool IsUnauthorized => Status == (int)HttpStatusCode.Unauthorized;

    /// <summary>The first message for one field (names as the api spells them, e.g. "email", "settings.maxParticipants").</summary>
    public string? ErrorFor(string field) =>
        Errors.FirstOrDefault(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    /// <summary>No answer at all: the api is down or unreachable.</summary>
    public static ApiProblemException Unreachable(Exception inner) =>
        new((int)HttpStatusCode.ServiceUnavailable, "The service is unavailable",
            "The conference service cannot be reached right now. Please try again in a moment.", inner: inner);
}
