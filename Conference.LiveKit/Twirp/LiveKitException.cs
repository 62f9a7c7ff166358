using System.Net;
using System.Text.Json;

namespace Conference.LiveKit;

/// <summary>
/// LiveKit's server API refused a call: a Twirp error (<see cref="Code"/>, <see cref="ServerMessage"/>,
/// <see cref="Meta"/>) or a plain-text error of its auth middleware (then <see cref="Code"/> is null).
/// </summary>
public sealed class LiveKitException(string message, HttpStatusCode statusCode, string? code, string serverMessage,
    IReadOnlyDictionary<string, string> meta) : Exception(message)
{
    /// <summary>HTTP status of the response.</summary>
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>Twirp error code (<c>not_found</c>, <c>unauthenticated</c>, <c>internal</c>…), null for plain-text errors.</summary>
    public string? Code { get; } = code;

    /// <summary>The server's own message (Twirp <c>msg</c> or the text body).</summary>
    public string ServerMessage { get; } = serverMessage;

    /// <summary>Twirp error metadata.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; } = meta;

    /// <summary>
    /// The room, participant, track or egress does not exist (Twirp <c>not_found</c>; LiveKit answers it for a room with
    /// no call, an identity not connected, a track it does not know). Which of them, only the message says, in words
    /// that are LiveKit's and may change: callers say it in their own words for what they asked.
    /// </summary>
    public bool IsNotFound => Code == TwirpCode.NotFound || (Code is null && StatusCode == HttpStatusCode.NotFound);

    internal static async Task<LiveKitException> FromResponseAsync(HttpResponseMessage response, string rpc, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string? code = null;
        var serverMessage = body.Trim();
        var meta = new Dictionary<string, string>();
        if (response.Content.Headers.ContentType?.MediaType == "application/json" && TryParseTwirpError(body, out var error))
        {
            (code, serverMessage) = (error.Code, error.Msg ?? "");
            meta = error.Meta ?? meta;
        }

        return new LiveKitException(Explain(rpc, response.StatusCode, code, serverMessage), response.StatusCode, code, serverMessage, meta);
    }

    static string Explain(string rpc, HttpStatusCode status, string? code, string serverMessage) => serverMessage switch
    {
        _ when code == TwirpCode.NotFound =>
            $"{rpc}: LiveKit has no such room, participant or track (not_found: \"{serverMessage}\").",
        _ when serverMessage.Contains("egress not connected", StringComparison.Ordinal) =>
            $"{rpc}: no Egress worker is connected to LiveKit. Egress reaches the LiveKit server through Redis: " +
            $"run the egress service and give it and the server the same redis address (LiveKit: \"{serverMessage}\").",
        _ when status == HttpStatusCode.Unauthorized =>
            $"{rpc}: LiveKit rejected the credentials — check that ApiKey/ApiSecret match a key of the server " +
            $"(LiveKit: \"{serverMessage}\").",
        _ => $"{rpc} failed with HTTP {(int)status}{(code is null ? "" : $" ({code})")}: {serverMessage}",
    };

    static bool TryParseTwirpError(string body, out TwirpError error)
    {
        try
        {
            error = JsonSerializer.Deserialize<TwirpError>(body, ProtoJson.SnakeCase) ?? new(null, null, null);
            return true;
        }
        catch (JsonException)
        {
            error = new(null, null, null);
            return false;
        }
    }

    sealed record TwirpError(string? Code, string? Msg, Dictionary<string, string>? Meta);
}

/// <summary>Twirp's error codes (twitchtv/twirp, <c>errors.go</c>) that LiveKit's server API answers with.</summary>
public static class TwirpCode
{
    /// <summary>The room, participant, track or egress does not exist.</summary>
    public const string NotFound = "not_found";

    /// <summary>A field of the request is not valid (an empty room name, an identity too long).</summary>
    public const string InvalidArgument = "invalid_argument";

    /// <summary>The request cannot be done in the current state (stopping an egress that has ended).</summary>
    public const string FailedPrecondition = "failed_precondition";

    /// <summary>The token's grant does not allow the call.</summary>
    public const string PermissionDenied = "permission_denied";

    /// <summary>No valid token.</summary>
    public const string Unauthenticated = "unauthenticated";

    /// <summary>LiveKit (or a part it needs, such as Egress) is not available now.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>LiveKit failed.</summary>
    public const string Internal = "internal";
}
