using System.Text.Json.Serialization;

namespace Conference.LiveKit;

/// <summary>
/// A LiveKit webhook (<c>livekit.WebhookEvent</c>). <see cref="Event"/> is one of <see cref="WebhookEventNames"/>;
/// which of the other members is set depends on it.
/// </summary>
public sealed record WebhookEvent
{
    /// <summary>Event name, e.g. <c>room_started</c>.</summary>
    public string Event { get; init; } = "";

    /// <summary>The room (room_*, participant_*, track_* events).</summary>
    public Room? Room { get; init; }

    /// <summary>The participant (participant_* and track_* events).</summary>
    public ParticipantInfo? Participant { get; init; }

    /// <summary>The egress (egress_* events).</summary>
    public EgressInfo? EgressInfo { get; init; }

    /// <summary>The ingress (ingress_* events).</summary>
    public IngressInfo? IngressInfo { get; init; }

    /// <summary>The track (track_* events).</summary>
    public TrackInfo? Track { get; init; }

    /// <summary>The agent job (agent_job_* events).</summary>
    public AgentJob? Job { get; init; }

    /// <summary>Unique event id: store it to apply each event once, as LiveKit retries deliveries.</summary>
    public string Id { get; init; } = "";

    /// <summary>When LiveKit created the event.</summary>
    [JsonConverter(typeof(UnixSecondsConverter))]
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Events LiveKit dropped before this one (deprecated by LiveKit).</summary>
    public int NumDropped { get; init; }

    /// <summary>Why the room ended (room_finished).</summary>
    public RoomEndReason RoomEndReason { get; init; }
}

/// <summary>The event names LiveKit sends.</summary>
public static class WebhookEventNames
{
#pragma warning disable CS1591 // the names say it
    public const string RoomStarted = "room_started";
    public const string RoomFinished = "room_finished";
    public const string ParticipantJoined = "participant_joined";
    public const string ParticipantLeft = "participant_left";
    public const string ParticipantConnectionAborted = "participant_connection_aborted";
    public const string TrackPublished = "track_published";
    public const string TrackUnpublished = "track_unpublished";
    public const string EgressStarted = "egress_started";
    public const string EgressUpdated = "egress_updated";
    public const string EgressEnded = "egress_ended";
    public const string IngressStarted = "ingress_started";
    public const string IngressEnded = "ingress_ended";
    public const string AgentJobStarted = "agent_job_started";
    public const string AgentJobEnded = "agent_job_ended";
#pragma warning restore CS1591

    /// <summary>All of them.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        RoomStarted, RoomFinished, ParticipantJoined, ParticipantLeft, ParticipantConnectionAborted,
        TrackPublished, TrackUnpublished, EgressStarted, EgressUpdated, EgressEnded,
        IngressStarted, IngressEnded, AgentJobStarted, AgentJobEnded,
    ];
}

// The basics of livekit_ingress.proto and livekit_agent.proto that webhooks carry; field meaning is in the protos.
#pragma warning disable CS1591

/// <summary>An ingress (the basics of <c>livekit.IngressInfo</c>).</summary>
public sealed record IngressInfo
{
    public string IngressId { get; init; } = "";
    public string Name { get; init; } = "";
    public string StreamKey { get; init; } = "";
    public string Url { get; init; } = "";
    public string RoomName { get; init; } = "";
    public string ParticipantIdentity { get; init; } = "";
    public string ParticipantName { get; init; } = "";
    public string ParticipantMetadata { get; init; } = "";
    public bool Reusable { get; init; }
    public bool? Enabled { get; init; }
}

/// <summary>An agent job (the basics of <c>livekit.Job</c>).</summary>
public sealed record AgentJob
{
    public string Id { get; init; } = "";
    public string DispatchId { get; init; } = "";
    public Room? Room { get; init; }
    public ParticipantInfo? Participant { get; init; }
    public string Namespace { get; init; } = "";
    public string Metadata { get; init; } = "";
    public string AgentName { get; init; } = "";
    public string Deployment { get; init; } = "";
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;
}

/// <summary><c>livekit.RoomEndReason</c>.</summary>
public enum RoomEndReason
{
    [JsonStringEnumMemberName("ROOM_END_UNKNOWN")] Unknown,
    [JsonStringEnumMemberName("ROOM_END_API_DELETE")] ApiDelete,
    [JsonStringEnumMemberName("ROOM_END_IDLE_TIMEOUT")] IdleTimeout,
    [JsonStringEnumMemberName("ROOM_END_SERVER_SHUTDOWN")] ServerShutdown,
    [JsonStringEnumMemberName("ROOM_END_SUPERSEDED")] Superseded,
    [JsonStringEnumMemberName("ROOM_END_OPEN_FAILED")] OpenFailed,
}
