using System.Text.Json.Serialization;

namespace Conference.Contracts;

/// <summary>
/// "Something changed in meeting X", published as JSON on <see cref="Channel"/> so every open page refreshes what the
/// change concerns. The api publishes most changes (and drops its cached meeting on every one); the recorder publishes
/// <see cref="MeetingChangeKind.Recording"/> whenever a recording changes. The web's pages read <see cref="What"/> to
/// refresh only what changed (the lobby list on <see cref="MeetingChangeKind.Lobby"/>, the lock on
/// <see cref="MeetingChangeKind.Lock"/>…).
/// </summary>
/// <param name="Participant">For a change to one person (<see cref="MeetingChangeKind.Muted"/>): their LiveKit identity.</param>
/// <param name="By">For a moderation change: the display name of the host or co-host who made it.</param>
/// <param name="Track">For <see cref="MeetingChangeKind.Muted"/>: the sid of the track (TR_…) that was muted.</param>
public sealed record MeetingChange(string Slug, MeetingChangeKind What, string? Participant = null, string? By = null, string? Track = null)
{
    public const string Channel = "conference:meeting-changes";

    /// <summary>The web's own catch-up after its link to Redis came back (<see cref="MeetingChangeKind.Resync"/>).</summary>
    [JsonIgnore]
    public bool IsResync => What == MeetingChangeKind.Resync;
}

/// <summary>
/// What changed in a meeting. On the channel each kind is its name in snake case (<c>"lobby"</c>,
/// <c>"room_started"</c>): the strings the services published before this was a type, and for the LiveKit kinds the
/// webhook event's own name.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<MeetingChangeKind>))]
public enum MeetingChangeKind
{
    /// <summary>Someone asked to join, or was admitted or denied.</summary>
    [JsonStringEnumMemberName("lobby")] Lobby,

    /// <summary>A participant was removed or given another role.</summary>
    [JsonStringEnumMemberName("participants")] Participants,

    /// <summary>
    /// A host or co-host muted one of <see cref="MeetingChange.Participant"/>'s tracks (<see cref="MeetingChange.Track"/>);
    /// <see cref="MeetingChange.By"/> names them. LiveKit tells the muted browser only that its track was muted, not
    /// by whom: this tells it who.
    /// </summary>
    [JsonStringEnumMemberName("muted")] Muted,

    /// <summary>The meeting was locked or unlocked.</summary>
    [JsonStringEnumMemberName("lock")] Lock,

    /// <summary>The host changed the meeting's settings (or its schedule: the title may have changed).</summary>
    [JsonStringEnumMemberName("settings")] Settings,

    /// <summary>The host ended the call for everyone.</summary>
    [JsonStringEnumMemberName("ended")] Ended,

    /// <summary>The meeting was deleted.</summary>
    [JsonStringEnumMemberName("deleted")] Deleted,

    /// <summary>A recording started, stopped, became ready, failed or was deleted (published by the recorder).</summary>
    [JsonStringEnumMemberName("recording")] Recording,

    /// <summary>LiveKit's <c>room_started</c> webhook was applied: a call began.</summary>
    [JsonStringEnumMemberName("room_started")] RoomStarted,

    /// <summary>LiveKit's <c>room_finished</c> webhook was applied: the call is over.</summary>
    [JsonStringEnumMemberName("room_finished")] RoomFinished,

    /// <summary>LiveKit's <c>participant_joined</c> webhook was applied.</summary>
    [JsonStringEnumMemberName("participant_joined")] ParticipantJoined,

    /// <summary>LiveKit's <c>participant_left</c> webhook was applied.</summary>
    [JsonStringEnumMemberName("participant_left")] ParticipantLeft,

    /// <summary>LiveKit's <c>participant_connection_aborted</c> webhook was applied (the connection dropped).</summary>
    [JsonStringEnumMemberName("participant_connection_aborted")] ParticipantConnectionAborted,

    /// <summary>
    /// Never published: the web tells its own pages this after its link to Redis came back, because changes published
    /// while it was down are lost (Redis pub/sub keeps nothing). Pages read their data again.
    /// </summary>
    [JsonStringEnumMemberName("resync")] Resync,
}
