using System.Text.RegularExpressions;

namespace Conference.Web.Meetings;

/// <summary>
/// A meeting's code as people type or paste it: <c>abc-defg-hij</c>, the same without dashes, in capitals, or a
/// whole meeting link (<c>https://meet.example.org/m/abc-defg-hij</c>, with or without its scheme, in any case).
/// </summary>
public static partial class MeetingCode
{
    public const string Example = "abc-defg-hij";

    public static bool TryParse(string? input, out string slug)
    {
        slug = "";
        if (string.IsNullOrWhiteSpace(input))
        {
            return false;
        }
        var text = input.Trim();
        if (text.Contains('/', StringComparison.Ordinal))
        {
            // A meeting link, as pasted or typed: with or without its scheme, in any case (HTTP://HOST/M/ABC-DEFG-HIJ
            // is the same address to a browser): the code is the segment after "m".
            var segments = text.Split('?', '#')[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
            var at = Array.FindIndex(segments, segment => segment.Equals("m", StringComparison.OrdinalIgnoreCase));
            if (at < 0 || at + 1 >= segments.Length)
            {
                return false;
            }
            text = Uri.UnescapeDataString(segments[at + 1]);
        }
        var letters = text.ToLowerInvariant().Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (!TenLetters().IsMatch(letters))
        {
            return false;
        }
        slug = $"{letters[..3]}-{letters[3..7]}-{letters[7..]}";
        return true;
    }

    public static bool IsSlug(string? value) => value is not null && Slug().IsMatch(value);

    [GeneratedRegex("^[a-z]{10}$")]
    private static partial Regex TenLetters();

    [GeneratedRegex("^[a-z]{3}-[a-z]{4}-[a-z]{3}$")]
    private static partial Regex Slug();
}
