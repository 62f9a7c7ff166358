using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Conference.LiveKit;

/// <summary>
/// HS256 JSON Web Tokens built by hand: LiveKit's development secret ("secret", 6 bytes) is shorter than
/// Microsoft.IdentityModel accepts for HMAC keys, and minting sits on every join, so it avoids string churn.
/// </summary>
static class Jwt
{
    // base64url of {"alg":"HS256","typ":"JWT"}
    static ReadOnlySpan<byte> EncodedHeader => "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"u8;

    const int MacLength = HMACSHA256.HashSizeInBytes;
    const int StackLimit = 1024;

    [ThreadStatic] static ArrayBufferWriter<byte>? payloadBuffer;
    [ThreadStatic] static Utf8JsonWriter? payloadWriter;

    public static string Sign(TokenClaims claims, string secret)
    {
        var buffer = payloadBuffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var writer = payloadWriter ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        TokenClaimsWriter.Write(writer, claims);

        return Sign(buffer.WrittenSpan, secret);
    }

    static string Sign(ReadOnlySpan<byte> payload, string secret)
    {
        var signedLength = EncodedHeader.Length + 1 + Base64Url.GetEncodedLength(payload.Length);
        var length = signedLength + 1 + Base64Url.GetEncodedLength(MacLength);
        byte[]? rented = null;
        var token = length <= StackLimit ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));

        EncodedHeader.CopyTo(token);
        token[EncodedHeader.Length] = (byte)'.';
        Base64Url.EncodeToUtf8(payload, token[(EncodedHeader.Length + 1)..]);
        Span<byte> mac = stackalloc byte[MacLength];
        ComputeMac(secret, token[..signedLength], mac);
        token[signedLength] = (byte)'.';
        Base64Url.EncodeToUtf8(mac, token[(signedLength + 1)..]);

        var jwt = Encoding.ASCII.GetString(token[..length]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return jwt;
    }

    /// <summary>True if the signature over <c>header.payload</c> matches, compared in constant time.</summary>
    public static bool HasValidSignature(ReadOnlySpan<char> signedPart, ReadOnlySpan<char> signature, string secret)
    {
        byte[]? rented = null;
        var input = signedPart.Length <= StackLimit ? stackalloc byte[signedPart.Length] : (rented = ArrayPool<byte>.Shared.Rent(signedPart.Length));
        try
        {
            // A non-ASCII character becomes '?', which can only make the signature fail.
            var inputLength = Encoding.ASCII.GetBytes(signedPart, input);
            Span<byte> expected = stackalloc byte[MacLength];
            ComputeMac(secret, input[..inputLength], expected);

            Span<byte> actual = stackalloc byte[MacLength + 3];
            return Base64Url.TryDecodeFromChars(signature, actual, out var actualLength)
                && actualLength == MacLength
                && CryptographicOperations.FixedTimeEquals(expected, actual[..MacLength]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // The one-shot HMACSHA256.HashData sets up a native context per call, several times the cost of the hash of
    // a token; a keyed instance per thread is reused instead (a service signs with one or a few secrets).
    [ThreadStatic] static HMACSHA256? hmac;
    [ThreadStatic] static string? hmacSecret;

    static void ComputeMac(string secret, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        if (hmac is null || !string.Equals(hmacSecret, secret, StringComparison.Ordinal))
        {
            hmac?.Dispose();
            hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
            hmacSecret = secret;
        }

        hmac.TryComputeHash(data, mac, out _);
    }

    /// <summary>Decodes a base64url segment into <paramref name="destination"/>; false if it is not base64url.</summary>
    public static bool TryDecode(ReadOnlySpan<char> segment, Span<byte> destination, out int written) =>
        Base64Url.TryDecodeFromChars(segment, destination, out written);
}
