using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Conference.LiveKit;

/// <summary>
/// Verifies and reads LiveKit webhooks: the <c>Authorization</c> header holds a token (LiveKit sends it without
/// <c>Bearer </c>) signed by a known API key whose <c>sha256</c> claim is the base64 SHA-256 of the exact body bytes.
/// Hash the bytes as received, before any JSON binding.
/// </summary>
public sealed class WebhookReceiver(TokenVerifier verifier)
{
    /// <summary>Verifies <paramref name="rawBody"/> against <paramref name="authorizationHeader"/> and parses it.</summary>
    /// <exception cref="WebhookException">The webhook is rejected; see its reason.</exception>
    public WebhookEvent Receive(ReadOnlySpan<byte> rawBody, string? authorizationHeader)
    {
        if (string.IsNullOrWhiteSpace(authorizationHeader))
        {
            throw new WebhookException(WebhookRejection.MissingAuthorization, "The webhook has no Authorization header.");
        }

        var token = authorizationHeader.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorizationHeader[7..].Trim()
            : authorizationHeader.Trim();

        TokenClaims claims;
        try
        {
            claims = verifier.Verify(token);
        }
        catch (TokenVerificationException e)
        {
            throw new WebhookException(ReasonFor(e.Reason), $"The webhook's token is rejected: {e.Message}", e);
        }

        if (!HashMatches(rawBody, claims.Sha256))
        {
            throw new WebhookException(WebhookRejection.BodyHashMismatch, "The webhook body does not match the sha256 its token vouches for.");
        }

        try
        {
            return Read(rawBody);
        }
        // InvalidOperationException is what a converter may let through for a token of the wrong kind.
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new WebhookException(WebhookRejection.MalformedJson, $"The webhook body is not a LiveKit event: {e.Message}", e);
        }
    }

    /// <summary>
    /// Parses a body that was verified when it arrived (e.g. one stored, to apply again later). It checks no
    /// signature: never call it on a body that did not pass <see cref="Receive"/>.
    /// </summary>
    /// <exception cref="JsonException">The body is not a LiveKit event.</exception>
    public static WebhookEvent ReadVerifiedBody(ReadOnlySpan<byte> rawBody) => Read(rawBody);

    // The serializer with protojson's rules (camelCase or snake_case names, int64 as strings, enums by name). A
    // hand-written reader was ~3 µs faster per body, which webhook ingestion end to end did not show (bench/README.md).
    static WebhookEvent Read(ReadOnlySpan<byte> rawBody) =>
        JsonSerializer.Deserialize<WebhookEvent>(rawBody, ProtoJson.CamelCase)
        ?? throw new JsonException("The webhook body is null, not an event.");

    /// <inheritdoc cref="Receive"/>
    public Task<WebhookEvent> ReceiveAsync(ReadOnlyMemory<byte> rawBody, string? authorizationHeader, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return Task.FromResult(Receive(rawBody.Span, authorizationHeader));
        }
        catch (WebhookException e)
        {
            return Task.FromException<WebhookEvent>(e);
        }
    }

    /// <summary>Reads the whole request body, then verifies and parses it as <see cref="Receive"/> does.</summary>
    public async Task<WebhookEvent> ReceiveAsync(Stream body, string? authorizationHeader, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        return Receive(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), authorizationHeader);
    }

    static bool HashMatches(ReadOnlySpan<byte> rawBody, string? expectedBase64)
    {
        if (expectedBase64 is null)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(rawBody, hash);

        // Both sides as base64 in ASCII bytes, not UTF-16 chars: FixedTimeEquals runs unoptimised, one byte at a time,
        // so half the bytes is half its time. A claim of another length or not ASCII cannot match anyway.
        Span<byte> actual = stackalloc byte[Base64Length];
        Base64.EncodeToUtf8(hash, actual, out _, out _);
        Span<byte> expected = stackalloc byte[Base64Length];
        return expectedBase64.Length == Base64Length
            && Ascii.FromUtf16(expectedBase64, expected, out _) == OperationStatus.Done
            && CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    const int Base64Length = (SHA256.HashSizeInBytes + 2) / 3 * 4;

    static WebhookRejection ReasonFor(TokenRejection reason) => reason switch
    {
        TokenRejection.UnknownKey => WebhookRejection.UnknownKey,
        TokenRejection.BadSignature => WebhookRejection.BadSignature,
        TokenRejection.Expired => WebhookRejection.Expired,
        _ => WebhookRejection.InvalidToken,
    };
}

/// <summary>Why a webhook was rejected.</summary>
public enum WebhookRejection
{
    /// <summary>No Authorization header.</summary>
    MissingAuthorization,
    /// <summary>The header is not an acceptable HS256 token (malformed, no exp, not yet valid).</summary>
    InvalidToken,
    /// <summary>Signed by an API key we do not know.</summary>
    UnknownKey,
    /// <summary>The token's signature does not match the key's secret.</summary>
    BadSignature,
    /// <summary>The token has expired.</summary>
    Expired,
    /// <summary>The body is not the one the token vouches for.</summary>
    BodyHashMismatch,
    /// <summary>The body is not a LiveKit webhook event.</summary>
    MalformedJson,
}

/// <summary>A LiveKit webhook was rejected; answer 401 (or 400 for <see cref="WebhookRejection.MalformedJson"/>).</summary>
public sealed class WebhookException(WebhookRejection reason, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>Why the webhook was rejected.</summary>
    public WebhookRejection Reason { get; } = reason;
}
