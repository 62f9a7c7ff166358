using System.Text.RegularExpressions;

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
    /// A name a person types: 1–<paramref name="maxLength"/> characters, no control characters, something visible
    /// (not only zero-width or formatting characters), and no bidirectional overrides or isolates, which make a name
    /// display as something else ("Ada\u202Enimda" shows as "Adaadmin").
    /// </summary>
    public Validation Name(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, $"The {field} is required.");
        }
        if (value.Trim().Length > maxLength)
        {
            return Add(field, $"The {field} must be at most {maxLength} characters.");
        }
        if (value.Any(char.IsControl))
        {
            return Add(field, $"The {field} must not contain control characters.");
        }
        if (value.Any(c => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069'))
        {
            return Add(field, $"The {field} must not contain text-direction overrides.");
        }
        if (!value.Any(c => char.IsLetterOrDigit(c) || char.IsPunctuation(c) || char.IsSymbol(c) || char.IsSurrogate(c)))
        {
            return Add(field, $"The {field} must contain something visible.");
        }
        return this;
    }

    public Validation Range(string field, int? value, int min, int max) =>
        value is { } number && (number < min || number > max) ? Add(field, $"The {field} must be between {min} and {max}.") : this;

    /// <summary>Meeting slugs look like <c>abc-defg-hij</c>.</summary>
    public static bool IsSlug(string? value) => value is not null && SlugPattern().IsMatch(value);

    [GeneratedRegex("^[a-z]{3}-[a-z]{4}-[a-z]{3}$")]
    private static partial Regex SlugPattern();
}
