using System.Globalization;

namespace Conference.Contracts;

/// <summary>
/// How long the things people type may be: one definition for the api, which refuses anything longer with a problem
/// naming the field (never cutting it short), and the web, whose inputs show the limit and say when a text is over it
/// (never letting the browser cut a paste short). Names and titles are counted in text elements, what a reader sees
/// as one character (👩🏽‍💻 is one); chat in UTF-16 code units, as the call's browser module counts it.
/// </summary>
public static class TextLimits
{
    /// <summary>A person's name in meetings and on their account, in text elements.</summary>
    public const int DisplayName = 64;

    /// <summary>A meeting's title, in text elements.</summary>
    public const int MeetingTitle = 120;

    /// <summary>A scheduled meeting's description, in UTF-16 code units.</summary>
    public const int Description = 4000;

    /// <summary>One chat message, in UTF-16 code units (Conference.Web/Client/src/messages.ts, maxChatLength, says the same).</summary>
    public const int ChatMessage = 2000;

    /// <summary>
    /// Unicode code points stored per text element, on average at most: 👩🏽‍💻 is four. A text element may hold any
    /// number of combining marks or emoji parts, and names and titles are stored in columns of
    /// <see cref="StoredLength"/> code points (PostgreSQL counts a varchar's length so), so a text within its count
    /// but built of more parts than that is refused too, rather than failing to store.
    /// </summary>
    public const int StoredCodePointsPerCharacter = 4;

    /// <summary>The most code points stored for a text of <paramref name="characters"/> text elements.</summary>
    public static int StoredLength(int characters) => characters * StoredCodePointsPerCharacter;

    /// <summary>The length of a name or title as its limit counts it: text elements of the trimmed text.</summary>
    public static int CountCharacters(string? text) => string.IsNullOrWhiteSpace(text) ? 0 : new StringInfo(text.Trim()).LengthInTextElements;

    /// <summary>
    /// Whether a text within <paramref name="characters"/> text elements is still built of more code points than
    /// <see cref="StoredLength"/> allows (64 family emoji of 7 parts each): the api refuses it, so the web says so too.
    /// </summary>
    public static bool HasTooManyParts(string? text, int characters) =>
        !string.IsNullOrWhiteSpace(text) && text.Trim().EnumerateRunes().Count() > StoredLength(characters);

    /// <summary>Whether a name or title is within its limit as the api counts it: text elements, and their parts.</summary>
    public static bool FitsCharacters(string? text, int characters) =>
        CountCharacters(text) <= characters && !HasTooManyParts(text, characters);

    /// <summary>The length of a chat message or a description as its limit counts it: UTF-16 code units of the trimmed text.</summary>
    public static int CountUtf16(string? text) => text?.Trim().Length ?? 0;
}
