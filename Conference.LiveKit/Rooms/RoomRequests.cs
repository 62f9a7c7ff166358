// Properties mirror livekit_room.proto field by field; the proto documents their meaning.
#pragma warning disable CS1591

namespace Conference.LiveKit;

/// <summary>CreateRoom: creates a room ahead of the first join, with its limits and timeouts.</summary>
public sealed record CreateRoomRequest
{
    public string Name { get; init; } = "";
    public string? RoomPreset { get; init; }
    /// <summary>Seconds to keep the room open when nobody joins.</summary>
    public uint? EmptyTimeout { get; init; }
    /// <summary>Seconds to keep the room open after the last participant leaves.</summary>
    public uint? DepartureTimeout { get; init; }
    public uint? MaxParticipants { get; init; }
    public string? NodeId { get; init; }
    public string? Metadata { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public RoomEgress? Egress { get; init; }
    public uint? MinPlayoutDelay { get; init; }
    public uint? MaxPlayoutDelay { get; init; }
    public bool? SyncStreams { get; init; }
    public bool? ReplayEnabled { get; init; }
    public IReadOnlyList<RoomAgentDispatch>? Agents { get; init; }
}

/// <summary>Egress started automatically with a room.</summary>
public sealed record RoomEgress
{
    public RoomCompositeEgressRequest? Room { get; init; }
    public AutoParticipantEgress? Participant { get; init; }
    public AutoTrackEgress? Tracks { get; init; }
}

/// <summary>An agent dispatched into a room when it is created.</summary>
public sealed record RoomAgentDispatch
{
    public string AgentName { get; init; } = "";
    public string? Metadata { get; init; }
}

/// <summary>ListRooms: the named rooms, or all rooms when <see cref="Names"/> is empty.</summary>
public sealed record ListRoomsRequest
{
    public IReadOnlyList<string> Names { get; init; } = [];
}

/// <summary>DeleteRoom: ends the room and disconnects everyone.</summary>
public sealed record DeleteRoomRequest
{
    public string Room { get; init; } = "";
}

/// <summary>ListParticipants in a room.</summary>
public sealed record ListParticipantsRequest
{
    public string Room { get; init; } = "";
}

/// <summary>A participant by room and identity (GetParticipant, RemoveParticipant).</summary>
public sealed record RoomParticipantIdentity
{
    public string Room { get; init; } = "";
    public string Identity { get; init; } = "";
    /// <summary>
    /// RemoveParticipant only: tokens with an earlier not-before can no longer join (unix seconds; the server
    /// defaults to now + 1 minute).
    /// </summary>
    public long? RevokeTokenTs { get; init; }
}

/// <summary>MutePublishedTrack (unmuting needs <c>room.enable_remote_unmute</c> on the server).</summary>
public sealed record MuteRoomTrackRequest
{
    public string Room { get; init; } = "";
    public string Identity { get; init; } = "";
    public string TrackSid { get; init; } = "";
    public bool Muted { get; init; }
}

/// <summary>UpdateParticipant: metadata, name, attributes (only given keys; "" deletes) and permission.</summary>
public sealed record UpdateParticipantRequest
{
    public string Room { get; init; } = "";
    public string Identity { get; init; } = "";
    public string? Metadata { get; init; }
    /// <summary>Replaces the participant's whole permission set.</summary>
    public ParticipantPermission? Permission { get; init; }
    public string? Name { get; init; }
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }
}

/// <summary>UpdateSubscriptions: subscribes or unsubscribes a participant to tracks.</summary>
public sealed record UpdateSubscriptionsRequest
{
    public string Room { get; init; } = "";
    public string Identity { get; init; } = "";
    public IReadOnlyList<string>? TrackSids { get; init; }
    public bool Subscribe { get; init; }
    public IReadOnlyList<ParticipantTracks>? ParticipantTracks { get; init; }
}

/// <summary>Tracks of one publisher.</summary>
public sealed record ParticipantTracks
{
    public string ParticipantSid { get; init; } = "";
    public IReadOnlyList<string> TrackSids { get; init; } = [];
}

/// <summary>SendData: a data packet to everyone or to the given identities.</summary>
public sealed record SendDataRequest
{
    public string Room { get; init; } = "";
    public byte[] Data { get; init; } = [];
    public DataPacketKind Kind { get; init; }
    public IReadOnlyList<string>? DestinationIdentities { get; init; }
    public string? Topic { get; init; }
    /// <summary>Lets the server drop a retried duplicate; the client fills in 16 random bytes when null.</summary>
    public byte[]? Nonce { get; init; }
}

/// <summary>UpdateRoomMetadata.</summary>
public sealed record UpdateRoomMetadataRequest
{
    public string Room { get; init; } = "";
    public string Metadata { get; init; } = "";
}

sealed record ListRoomsResponse(IReadOnlyList<Room>? Rooms);

sealed record ListParticipantsResponse(IReadOnlyList<ParticipantInfo>? Participants);

sealed record MuteRoomTrackResponse(TrackInfo? Track);
