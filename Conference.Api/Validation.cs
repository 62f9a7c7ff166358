using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Conference.Contracts;

namespace Conference.Api;

/// <summary>
/// Collects field errors for an RFC 7807 validation problem (<c>errors: { field: [messages] }</c>), so a client
/// learns which field is wrong and why.
/// </summary>
public sealed partial class Validation
{
    readonly Dictionary<string, string[]> errors = [];

    public bool IsValid => errors.Count == 0;

    public IDictionary<string, string[]> Errors => errors;

    public Validation Add(string field, string message)
    {
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return this;
    }

    /// <summary>
    /// Text a person types and others see (display names, titles), in any language and with any emoji. It is
    /// trimmed and normalised to NFC (<paramref name="normalized"/>), its length counted in text elements (what a
    /// reader sees as one character: 👩🏽‍💻 is one, not seven UTF-16 units), and refused when it holds control
    /// characters, characters that change how the text around it displays (bidi embeddings, overrides and isolates:
    /// U+202A–U+202E, U+2066–U+2069), or nothing visible.
    /// </summary>
    public Validation PersonText(string field, string? value, int maxLength, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, $"The {field} is required.");
        }
        if (!IsWellFormed(value) || !TryNormalize(value, out var text))
        {
            return Add(field, $"The {field} is not valid Unicode text.");
        }
        if (text.Any(char.IsControl))
        {
            return Add(field, $"The {field} must not contain control characters.");
        }
        if (text.Any(IsBidiControl))
        {
            return Add(field, $"The {field} must not contain characters that change the direction of the text around it.");
        }
        if (!HasVisibleCharacter(text))
        {
            return Add(field, $"The {field} must contain something visible.");
        }
        var length = new StringInfo(text).LengthInTextElements;
        if (length > maxLength)
        {
            return Add(field, $"The {field} must be at most {maxLength} characters; it has {length}.");
        }
        if (TextLimits.HasTooManyParts(text, maxLength))
        {
            // Within its count, but its characters are built of so many parts (emoji sequences, stacked accents) that it would not fit where it is kept.
            return Add(field, $"The {field} has too many combined characters (emoji sequences, stacked accents) to be kept; shorten it.");
        }
        normalized = text;
        return this;
    }

    /// <summary>Embeddings, overrides and isolates (Unicode bidi algorithm, UAX #9): they reorder the text that follows.</summary>
    static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    static bool HasVisibleCharacter(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var invisible = Rune.IsWhiteSpace(rune)
                || category is UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
                    or UnicodeCategory.Control or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned
                // Letters that render as blanks: Hangul fillers, the braille blank, variation selectors.
                || rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800 or >= 0xFE00 and <= 0xFE0F or >= 0xE0100 and <= 0xE01EF;
            if (!invisible)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// NFC, trimmed. ICU's normaliser refuses what it cannot map (lone surrogates, checked before; noncharacters such
    /// as U+FFFF and U+FDD0) with an <see cref="ArgumentException"/>: that is bad input, not a server error.
    /// </summary>
    static bool TryNormalize(string value, out string normalized)
    {
        try
        {
            normalized = value.Normalize(NormalizationForm.FormC).Trim();
            return true;
        }
        catch (ArgumentException)
        {
            normalized = "";
            return false;
        }
    }

    static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }
        return true;
    }

    public Validation Range(string field, int? value, int min, int max) =>
        value is { } number && (number < min || number > max) ? Add(field, $"The {field} must be between {min} and {max}.") : this;

    /// <summary>Meeting slugs look like <c>abc-defg-hij</c>.</summary>
    public static bool IsSlug(string? value) => value is not null && SlugPattern().IsMatch(value);

    [GeneratedRegex("^[a-z]{3}-[a-z]{4}-[a-z]{3}$")]
    private static partial Regex SlugPattern();
}
