using System.Text.RegularExpressions;

namespace Conference.Web.Components.Call;

/// <summary>Splits a chat message into plain text and web links, so links can be clicked (as in LiveKit Meet).</summary>
public static partial class ChatText
{
    public readonly record struct Part(string Text, bool IsLink);

    public static IEnumerable<Part> Split(string text)
    {
        var at = 0;
        foreach (Match match in Link().Matches(text))
        {
            // A sentence's closing punctuation is not part of the link.
            var link = match.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', '\'', '"');
            if (!IsWebAddress(link))
            {
                continue; // stays text, with the rest around it
            }
            if (match.Index > at)
            {
                yield return new Part(text[at..match.Index], false);
            }
            yield return new Part(link, true);
            at = match.Index + link.Length;
        }
        if (at < text.Length)
        {
            yield return new Part(text[at..], false);
        }
    }

    /// <summary>An absolute http(s) address with a host: "https://" alone, or one .NET cannot parse, is not a link.</summary>
    static bool IsWebAddress(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0;

    // Only http(s): a javascript: or data: "link" stays text.
    [GeneratedRegex(@"https?://[^\s<>""]+", RegexOptions.IgnoreCase)]
    private static partial Regex Link();
}
