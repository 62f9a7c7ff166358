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

    /// <summary>
    /// The api sent field errors and no detail, so <see cref="Detail"/> is those errors' messages joined: a form that
    /// shows them by their fields need not say them again above the form (<see cref="DetailWithout"/>).
    /// </summary>
    public bool DetailRepeatsErrors { get; init; }

    /// <summary>
    /// The detail to show apart from the fields named in <paramref name="shownAtFields"/>: the messages of the other
    /// fields when the detail only repeats field errors (null when none is left), else the api's own detail.
    /// </summary>
    public string? DetailWithout(IReadOnlyCollection<string> shownAtFields)
    {
        if (!DetailRepeatsErrors || shownAtFields.Count == 0)
        {
            return Detail;
        }
        var others = Errors.Where(e => !shownAtFields.Contains(e.Key, StringComparer.OrdinalIgnoreCase)).SelectMany(e => e.Value).ToList();
        return others.Count == 0 ? null : string.Join(" ", others);
    }

    /// <summary>How long the api asked the caller to wait before asking again (a 503's or 429's Retry-After), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public bool IsNotFound => Status == (int)HttpStatusCode.NotFound;

    /// <summary>
    /// Whether asking again may go otherwise: the service was away or busy (5xx, 429, 408). A refusal (400, 401, 403,
    /// 404, 409, 410) is the same answer next time, so a page offers no "Try again" for it.
    /// </summary>
    public bool MayPassOnRetry => Status >= 500 || Status is (int)HttpStatusCode.TooManyRequests or (int)HttpStatusCode.RequestTimeout;

    /// <summary>The caller is not signed in, or the api no longer accepts their token.</summary>
    public bool IsUnauthorized => Status == (int)HttpStatusCode.Unauthorized;

    /// <summary>The first message for one field (names as the api spells them, e.g. "email", "settings.maxParticipants").</summary>
    public string? ErrorFor(string field) =>
        Errors.FirstOrDefault(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    /// <summary>
    /// The request was sent but its answer did not come within the attempt timeout (10 s). For a change (POST, PUT,
    /// DELETE) the api may have made it all the same, so the page must not say it could not be reached; a read is
    /// simply worth asking again. Still a 503 to the page: the service is not answering now.
    /// </summary>
    public static ApiProblemException NoAnswerInTime(HttpMethod method, Exception inner) =>
        new((int)HttpStatusCode.ServiceUnavailable, "No answer in time",
            method == HttpMethod.Get || method == HttpMethod.Head
                ? "The conference service did not answer in time. Please try again in a moment."
                : "The conference service did not answer in time, so this may still have happened. Check before trying again.",
            inner: inner)
        { AnswerMissing = true };

    /// <summary>The request went out and no answer came in time (see <see cref="NoAnswerInTime"/>): it may have taken effect.</summary>
    public bool AnswerMissing { get; init; }

    /// <summary>No answer at all: the api is down or unreachable.</summary>
    public static ApiProblemException Unreachable(Exception inner) =>
        new((int)HttpStatusCode.ServiceUnavailable, "The service is unavailable",
            "The conference service cannot be reached right now. Please try again in a moment.", inner: inner);
}
