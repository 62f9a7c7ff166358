namespace Conference.LiveKit;

/// <summary>
/// The basics of <c>livekit.RoomConfiguration</c>, carried in a join token's <c>roomConfig</c> claim and applied
/// when this participant's join creates the room. Egress settings are left out on purpose: tokens reach
/// browsers, and storage credentials must not.
/// </summary>
public sealed record RoomConfiguration
{
    /// <summary>Room name.</summary>
    public string? Name { get; init; }
    /// <summary>Seconds to keep the room open when nobody joins.</summary>
    public uint? EmptyTimeout { get; init; }
    /// <summary>Seconds to keep the room open after the last participant leaves.</summary>
    public uint? DepartureTimeout { get; init; }
    /// <summary>Participant limit (0 = none).</summary>
    public uint? MaxParticipants { get; init; }
    /// <summary>Room metadata.</summary>
    public string? Metadata { get; init; }
    /// <summary>Minimum playout delay in milliseconds.</summary>
    public uint? MinPlayoutDelay { get; init; }
    /// <summary>Maximum playout delay in milliseconds.</summary>
    public uint? MaxPlayoutDelay { get; init; }
    /// <summary>Synchronise audio and video of each participant.</summary>
    public bool? SyncStreams { get; init; }
    /// <summary>Agents to dispatch when the room is created.</summary>
    public IReadOnlyList<RoomAgentDispatch>? Agents { get; init; }
    /// <summary>Room tags.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
