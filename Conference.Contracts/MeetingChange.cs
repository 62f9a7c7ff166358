namespace Conference.Contracts;

/// <summary>
/// "Something changed in meeting X", published on Redis so every open page refreshes what the change concerns. The
/// api publishes most changes (and drops its cached meeting on every one); the recorder publishes
/// <see cref="Recording"/> whenever a recording changes. <see cref="What"/> is one of the constants below or the name
/// of the LiveKit webhook event that changed the meeting (<c>room_started</c>, <c>participant_joined</c>…); the web's
/// pages read it to refresh only what changed (the lobby list on <see cref="Lobby"/>, the lock on <see cref="Lock"/>…).
/// </summary>
/// <param name="Participant">For a change to one person (<see cref="Muted"/>): their LiveKit identity.</param>
/// <param name="By">For a moderation change: the display name of the host or co-host who made it.</param>
/// <param name="Track">For <see cref="Muted"/>: the sid of the track (TR_…) that was muted.</param>
public sealed record MeetingChange(string Slug, string What, string? Participant = null, string? By = null, string? Track = null)
{
    public const string Channel = "conference:meeting-changes";

    /// <summary>Someone asked to join, or was admitted or denied.</summary>
    public const string Lobby = "lobby";

    /// <summary>A participant was removed or given another role.</summary>
    public const string Participants = "participants";

    /// <summary>
    /// A host or co-host muted one of <see cref="Participant"/>'s tracks (<see cref="Track"/>); <see cref="By"/> names
    /// them. LiveKit tells the muted browser only that its track was muted, not by whom: this tells it who.
    /// </summary>
    public const string Muted = "muted";

    /// <summary>The meeting was locked or unlocked.</summary>
    public const string Lock = "lock";

    /// <summary>The host changed the meeting's settings.</summary>
    public const string Settings = "settings";

    /// <summary>The host ended the call for everyone.</summary>
    public const string Ended = "ended";

    /// <summary>The meeting was deleted.</summary>
    public const string Deleted = "deleted";

    /// <summary>A recording started, stopped, became ready, failed or was deleted.</summary>
    public const string Recording = "recording";
}
