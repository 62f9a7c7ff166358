namespace Conference.Contracts;

/// <summary>
/// Builds the sentences people read from parts that come from elsewhere (LiveKit's error, S3's message, an
/// exception's text), which may or may not end with their own full stop.
/// </summary>
public static class Sentence
{
    /// <summary>
    /// "<paramref name="lead"/>: <paramref name="detail"/>." with exactly one closing mark: the detail's own ".", "!" or
    /// "?" is kept rather than doubled; trailing spaces go. A detail that is empty is replaced by <paramref name="whenEmpty"/>.
    /// </summary>
    public static string WithDetail(string lead, string? detail, string whenEmpty = "no reason given") =>
        End($"{lead}: {(string.IsNullOrWhiteSpace(detail) ? whenEmpty : detail.Trim())}");

    /// <summary><paramref name="text"/> ending with one full stop (or its own "!", "?" or "…"), trailing spaces removed.</summary>
    public static string End(string text)
    {
        var trimmed = text.TrimEnd();
        return trimmed.Length > 0 && trimmed[^1] is '.' or '!' or '?' or '…' ? trimmed : trimmed + ".";
    }
}
