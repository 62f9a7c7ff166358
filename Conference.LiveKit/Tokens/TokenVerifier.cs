using System.Buffers;
using System.Text.Json;

namespace Conference.LiveKit;

/// <summary>
/// Verifies LiveKit access tokens the way the LiveKit server does: HS256 only, issuer must be a known API key,
/// <c>exp</c> required, <c>nbf</c> checked, one minute of clock leeway.
/// </summary>
public sealed class TokenVerifier
{
    readonly Dictionary<string, string> secretsByKey;
    readonly TimeProvider timeProvider;

    /// <summary>A verifier for tokens issued by one API key.</summary>
    public TokenVerifier(string apiKey, string apiSecret, TimeProvider? timeProvider = null)
        : this(new Dictionary<string, string> { [apiKey] = apiSecret }, timeProvider)
    {
    }

    /// <summary>A verifier for tokens issued by any of <paramref name="secretsByKey"/> (API key → secret).</summary>
    public TokenVerifier(IReadOnlyDictionary<string, string> secretsByKey, TimeProvider? timeProvider = null)
    {
        this.secretsByKey = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, secret) in secretsByKey)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            ArgumentException.ThrowIfNullOrEmpty(secret);
            this.secretsByKey[key] = secret;
        }

        this.timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Allowed clock difference for <c>exp</c> and <c>nbf</c> (LiveKit's server uses one minute).</summary>
    public TimeSpan Leeway { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Verifies <paramref name="token"/> and returns its claims.</summary>
    /// <exception cref="TokenVerificationException">The token is not acceptable; see its reason.</exception>
    public TokenClaims Verify(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var firstDot = token.IndexOf('.');
        var secondDot = firstDot < 0 ? -1 : token.IndexOf('.', firstDot + 1);
        if (secondDot < 0 || token.IndexOf('.', secondDot + 1) >= 0)
        {
            throw new TokenVerificationException(TokenRejection.Malformed, "A JWT has three dot-separated parts.");
        }

        var header = token.AsSpan(0, firstDot);
        var payload = token.AsSpan(firstDot + 1, secondDot - firstDot - 1);
        var claims = ReadClaims(header, payload);

        if (claims.Issuer is null || !secretsByKey.TryGetValue(claims.Issuer, out var secret))
        {
            throw new TokenVerificationException(TokenRejection.UnknownKey, $"The token's issuer '{claims.Issuer}' is not a known API key.");
        }

        if (!Jwt.HasValidSignature(token.AsSpan(0, secondDot), token.AsSpan(secondDot + 1), secret))
        {
            throw new TokenVerificationException(TokenRejection.BadSignature, "The token's signature does not match the API secret.");
        }

        var now = timeProvider.GetUtcNow();
        if (claims.ExpiresAt is not { } expiresAt)
        {
            throw new TokenVerificationException(TokenRejection.MissingExpiry, "The token has no expiry (exp).");
        }

        if (now > expiresAt + Leeway)
        {
            throw new TokenVerificationException(TokenRejection.Expired, $"The token expired at {expiresAt:u}.");
        }

        if (claims.NotBefore is { } notBefore && now + Leeway < notBefore)
        {
            throw new TokenVerificationException(TokenRejection.NotYetValid, $"The token is not valid before {notBefore:u}.");
        }

        return claims;
    }

    static TokenClaims ReadClaims(ReadOnlySpan<char> header, ReadOnlySpan<char> payload)
    {
        // Decoded base64 is shorter than its text, so one buffer of the text's length holds either part.
        var length = Math.Max(header.Length, payload.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            if (!Jwt.TryDecode(header, rented, out var headerLength))
            {
                throw new TokenVerificationException(TokenRejection.Malformed, "The token header is not base64url.");
            }

            if (!IsHs256(rented.AsSpan(0, headerLength)))
            {
                throw new TokenVerificationException(TokenRejection.UnsupportedAlgorithm, "Only HS256 tokens are accepted.");
            }

            if (!Jwt.TryDecode(payload, rented, out var payloadLength))
            {
                throw new TokenVerificationException(TokenRejection.Malformed, "The token payload is not base64url.");
            }

            return TokenClaimsReader.Read(rented.AsSpan(0, payloadLength));
        }
        // A claim of the wrong JSON type surfaces from a converter as InvalidOperationException.
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new TokenVerificationException(TokenRejection.Malformed, $"The token is not valid JSON: {e.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    static bool IsHs256(ReadOnlySpan<byte> headerJson)
    {
        var reader = new Utf8JsonReader(headerJson);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isAlg = reader.ValueTextEquals("alg"u8);
            reader.Read();
            if (isAlg)
            {
                return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("HS256"u8);
            }

            reader.Skip();
        }

        return false;
    }
}

/// <summary>Why a token was rejected.</summary>
public enum TokenRejection
{
    /// <summary>Not a well-formed JWT.</summary>
    Malformed,
    /// <summary>Signed with something other than HS256.</summary>
    UnsupportedAlgorithm,
    /// <summary>The issuer is not a known API key.</summary>
    UnknownKey,
    /// <summary>The signature does not match the key's secret.</summary>
    BadSignature,
    /// <summary>No <c>exp</c> claim.</summary>
    MissingExpiry,
    /// <summary>Past <c>exp</c> (plus leeway).</summary>
    Expired,
    /// <summary>Before <c>nbf</c> (minus leeway).</summary>
    NotYetValid,
}

/// <summary>A LiveKit token failed verification.</summary>
public sealed class TokenVerificationException(TokenRejection reason, string message) : Exception(message)
{
    /// <summary>Why the token was rejected.</summary>
    public TokenRejection Reason { get; } = reason;
}
