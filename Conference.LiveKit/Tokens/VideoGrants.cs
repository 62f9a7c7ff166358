using System.Text.Json.Serialization;

namespace Conference.LiveKit;

/// <summary>
/// The <c>video</c> grant of a LiveKit token. Unset (null) fields are left out of the token, and the server then
/// applies its defaults: <see cref="CanPublish"/> and <see cref="CanSubscribe"/> true,
/// <see cref="CanPublishData"/> as <see cref="CanPublish"/>, <see cref="CanUpdateOwnMetadata"/> false.
/// </summary>
public sealed record VideoGrants
{
    /// <summary>May create and delete rooms.</summary>
    public bool? RoomCreate { get; init; }
    /// <summary>May list rooms.</summary>
    public bool? RoomList { get; init; }
    /// <summary>May use the Egress API.</summary>
    public bool? RoomRecord { get; init; }
    /// <summary>May administer <see cref="Room"/> (participants, metadata, data).</summary>
    public bool? RoomAdmin { get; init; }
    /// <summary>May join <see cref="Room"/>.</summary>
    public bool? RoomJoin { get; init; }
    /// <summary>The room this grant is for.</summary>
    public string? Room { get; init; }
    /// <summary>May publish tracks.</summary>
    public bool? CanPublish { get; init; }
    /// <summary>May subscribe to tracks.</summary>
    public bool? CanSubscribe { get; init; }
    /// <summary>May publish data packets.</summary>
    public bool? CanPublishData { get; init; }
    /// <summary>The sources this participant may publish; empty or null allows all.</summary>
    [JsonConverter(typeof(TrackSourceNamesConverter))]
    public IReadOnlyList<TrackSource>? CanPublishSources { get; init; }
    /// <summary>May change its own name, metadata and attributes.</summary>
    public bool? CanUpdateOwnMetadata { get; init; }
    /// <summary>May use the Ingress API.</summary>
    public bool? IngressAdmin { get; init; }
    /// <summary>Invisible to other participants.</summary>
    public bool? Hidden { get; init; }
    /// <summary>Marks a recorder.</summary>
    public bool? Recorder { get; init; }
    /// <summary>Marks an agent worker.</summary>
    public bool? Agent { get; init; }
    /// <summary>May subscribe to metrics.</summary>
    public bool? CanSubscribeMetrics { get; init; }
    /// <summary>May manage agent sessions.</summary>
    public bool? CanManageAgentSession { get; init; }
    /// <summary>Target room of ForwardParticipant/MoveParticipant.</summary>
    public string? DestinationRoom { get; init; }
}
