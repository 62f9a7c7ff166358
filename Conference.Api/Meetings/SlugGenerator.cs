using System.Security.Cryptography;

namespace Conference.Api.Meetings;

/// <summary>
/// Readable meeting codes like <c>abc-defg-hij</c>: easy to read aloud, and with 26^10 (about 1.4e14) of them,
/// not guessable at the rate limits join allows.
/// </summary>
public static class SlugGenerator
{
    public static string Next() => string.Create(12, 0, static (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = i is 3 or 8 ? '-' : (char)('a' + RandomNumberGenerator.GetInt32(26));
        }
    });
}
