using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Conference.LiveKit;

/// <summary>
/// Reads a webhook body by hand with what <see cref="JsonSerializer"/> and <see cref="ProtoJson.CamelCase"/> would
/// give: every webhook goes through here, and the serializer's reflection-based reading took about two thirds of
/// receiving one. The records a conference gets thousands of times (<see cref="Room"/>, <see cref="ParticipantInfo"/>,
/// <see cref="TrackInfo"/> and what they hold) are read here property by property; the rare egress, ingress and
/// agent-job payloads are handed to the serializer, so they keep every field without a second copy of the model.
/// </summary>
/// <remarks>
/// The rules are the serializer's: camelCase or snake_case names, unknown properties skipped, the last of a
/// repeated property wins, null for a record, list, map or string is null (for a number, bool or enum it is an
/// error), numbers also from strings, int64 and times through <see cref="ProtoInt64"/>, enums through
/// <see cref="ProtoEnumConverter{T}"/>. Anything else is a <see cref="JsonException"/>.
/// Conference.Tests' WebhookEventReaderTests compares both readers on every record property.
/// </remarks>
internal static class WebhookEventReader
{
    private static readonly JsonTypeInfo<EgressInfo> EgressInfoType = TypeInfo<EgressInfo>();
    private static readonly JsonTypeInfo<IngressInfo> IngressInfoType = TypeInfo<IngressInfo>();
    private static readonly JsonTypeInfo<AgentJob> AgentJobType = TypeInfo<AgentJob>();

    private static readonly PropertyNames<EventField> EventNames = new();
    private static readonly PropertyNames<RoomField> RoomNames = new();
    private static readonly PropertyNames<CodecField> CodecNames = new();
    private static readonly PropertyNames<TimedVersionField> TimedVersionNames = new();
    private static readonly PropertyNames<ParticipantField> ParticipantNames = new();
    private static readonly PropertyNames<PermissionField> PermissionNames = new();
    private static readonly PropertyNames<TrackField> TrackNames = new();
    private static readonly PropertyNames<SimulcastCodecField> SimulcastCodecNames = new();
    private static readonly PropertyNames<VideoLayerField> VideoLayerNames = new();

    private const long NanosecondsPerSecond = 1_000_000_000;
    private const long NanosecondsPerMillisecond = 1_000_000;

    /// <summary>Reads one webhook event; the body must be exactly one JSON object.</summary>
    /// <exception cref="JsonException">The body is not a webhook event.</exception>
    public static WebhookEvent Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read())
        {
            throw new JsonException("The body is empty.");
        }

        var webhook = ReadEvent(ref reader) ?? throw new JsonException("The body is null.");

        // Whitespace may follow; anything else makes Read throw.
        if (reader.Read())
        {
            throw new JsonException("Something follows the webhook object.");
        }

        return webhook;
    }

    private static WebhookEvent? ReadEvent(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        string? name = "", id = "";
        Room? room = null;
        ParticipantInfo? participant = null;
        EgressInfo? egressInfo = null;
        IngressInfo? ingressInfo = null;
        TrackInfo? track = null;
        AgentJob? job = null;
        DateTimeOffset? createdAt = null;
        var numDropped = 0;
        var roomEndReason = RoomEndReason.Unknown;

        while (NextProperty(ref reader))
        {
            var field = EventNames.Find(ref reader);
            reader.Read();
            switch (field)
            {
                case EventField.Event: name = ReadString(ref reader); break;
                case EventField.Room: room = ReadRoom(ref reader); break;
                case EventField.Participant: participant = ReadParticipant(ref reader); break;
                case EventField.EgressInfo: egressInfo = JsonSerializer.Deserialize(ref reader, EgressInfoType); break;
                case EventField.IngressInfo: ingressInfo = JsonSerializer.Deserialize(ref reader, IngressInfoType); break;
                case EventField.Track: track = ReadTrack(ref reader); break;
                case EventField.Job: job = JsonSerializer.Deserialize(ref reader, AgentJobType); break;
                case EventField.Id: id = ReadString(ref reader); break;
                case EventField.CreatedAt: createdAt = ReadTime(ref reader, NanosecondsPerSecond); break;
                case EventField.NumDropped: numDropped = ReadInt32(ref reader); break;
                
                case EventField.RoomEndReason: roomEndReason = ProtoEnumConverter<RoomEndReason>.ReadValue(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        // The serializer sets a property to null when the JSON says null, even where the record's type says it
        // is never null; so does this reader (hence the !).
        return new WebhookEvent
        {
            Event = name!, Room = room, Participant = participant, EgressInfo = egressInfo, IngressInfo = ingressInfo,
            Track = track, Job = job, Id = id!, CreatedAt = createdAt, NumDropped = numDropped, RoomEndReason = roomEndReason,
        };
    }

    private static Room? ReadRoom(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        string? sid = "", name = "", turnPassword = "", metadata = "";
        uint emptyTimeout = 0, departureTimeout = 0, maxParticipants = 0, numParticipants = 0, numPublishers = 0;
        DateTimeOffset? creationTime = null, creationTimeMs = null;
        IReadOnlyList<Codec>? enabledCodecs = [];
        var activeRecording = false;
        TimedVersion? version = null;

        while (NextProperty(ref reader))
        {
            var field = RoomNames.Find(ref reader);
            reader.Read();
            switch (field)
            {
                case RoomField.Sid: sid = ReadString(ref reader); break;
                case RoomField.Name: name = ReadString(ref reader); break;
                case RoomField.EmptyTimeout: emptyTimeout = ReadUInt32(ref reader); break;
                case RoomField.DepartureTimeout: departureTimeout = ReadUInt32(ref reader); break;
                case RoomField.MaxParticipants: maxParticipants = ReadUInt32(ref reader); break;
                case RoomField.CreationTime: creationTime = ReadTime(ref reader, NanosecondsPerSecond); break;
                case RoomField.CreationTimeMs: creationTimeMs = ReadTime(ref reader, NanosecondsPerMillisecond); break;
                case RoomField.TurnPassword: turnPassword = ReadString(ref reader); break;
                case RoomField.EnabledCodecs: enabledCodecs = ReadList(ref reader, ReadCodec)!; break;
                case RoomField.Metadata: metadata = ReadString(ref reader); break;
                case RoomField.NumParticipants: numParticipants = ReadUInt32(ref reader); break;
                case RoomField.NumPublishers: numPublishers = ReadUInt32(ref reader); break;
                case RoomField.ActiveRecording: activeRecording = ReadBoolean(ref reader); break;
                case RoomField.Version: version = ReadTimedVersion(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new Room
        {
            Sid = sid!, Name = name!, EmptyTimeout = emptyTimeout, DepartureTimeout = departureTimeout,
            MaxParticipants = maxParticipants, CreationTime = creationTime, CreationTimeMs = creationTimeMs,
            TurnPassword = turnPassword!, EnabledCodecs = enabledCodecs!, Metadata = metadata!,
            NumParticipants = numParticipants, NumPublishers = numPublishers, ActiveRecording = activeRecording,
            Version = version,
        };
    }

    private static Codec? ReadCodec(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        string? mime = "", fmtpLine = "";
        while (NextProperty(ref reader))
        {
            var field = CodecNames.Find(ref reader);
            reader.Read();
            switch (field)
            {
                case CodecField.Mime: mime = ReadString(ref reader); break;
                case CodecField.FmtpLine: fmtpLine = ReadString(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new Codec { Mime = mime!, FmtpLine = fmtpLine! };
    }

    private static TimedVersion? ReadTimedVersion(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        long unixMicro = 0;
        var ticks = 0;
        while (NextProperty(ref reader))
        {
            var field = TimedVersionNames.Find(ref reader);
            reader.Read();
            switch (field)
            {
                case TimedVersionField.UnixMicro: unixMicro = ProtoInt64.Read(ref reader); break;
                case TimedVersionField.Ticks: ticks = ReadInt32(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new TimedVersion { UnixMicro = unixMicro, Ticks = ticks };
    }

    private static ParticipantInfo? ReadParticipant(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        string? sid = "", identity = "", metadata = "", name = "", region = "";
        var state = ParticipantState.Joining;
        IReadOnlyList<TrackInfo>? tracks = [];
        DateTimeOffset? joinedAt = null, joinedAtMs = null;
        uint version = 0;
        ParticipantPermission? permission = null;
        var isPublisher = false;
        var kind = ParticipantKind.Standard;
        IReadOnlyDictionary<string, string>? attributes = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;
        var disconnectReason = DisconnectReason.UnknownReason;
        IReadOnlyList<ParticipantKindDetail>? kindDetails = [];
        var clientProtocol = 0;

        while (NextProperty(ref reader))
        {
            var field = ParticipantNames.Find(ref reader);
            reader.Read();
            switch (field)
            {
                case ParticipantField.Sid: sid = ReadString(ref reader); break;
                case ParticipantField.Identity: identity = ReadString(ref reader); break;
                case ParticipantField.State: state = ProtoEnumConverter<ParticipantState>.ReadValue(ref reader); break;
                case ParticipantField.Tracks: tracks = ReadList(ref reader, ReadTrack)!; break;
                case ParticipantField.Metadata: metadata = ReadString(ref reader); break;
                case ParticipantField.JoinedAt: joinedAt = ReadTime(ref reader, NanosecondsPerSecond); break;
                case ParticipantField.JoinedAtMs: joinedAtMs = ReadTime(ref reader, NanosecondsPerMillisecond); break;
                case ParticipantField.Name: name = ReadString(ref reader); break;
                case ParticipantField.Version: version = ReadUInt32(ref reader); break;
                case ParticipantField.Permission: permission = ReadPermission(ref reader); break;
                case ParticipantField.Region: region = ReadString(ref reader); break;
                case ParticipantField.IsPublisher: isPublisher = ReadBoolean(ref reader); break;
                case ParticipantField.Kind: kind = ProtoEnumConverter<ParticipantKind>.ReadValue(ref reader); break;
                case ParticipantField.Attributes: attributes = ReadStringMap(ref reader); break;
                case ParticipantField.DisconnectReason: disconnectReason = ProtoEnumConverter<DisconnectReason>.ReadValue(ref reader); break;
                case ParticipantField.KindDetails: kindDetails = ReadList(ref reader, ProtoEnumConverter<ParticipantKindDetail>.ReadValue); break;
                case ParticipantField.ClientProtocol: clientProtocol = ReadInt32(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new ParticipantInfo
        {
            Sid = sid!, Identity = identity!, State = state, Tracks = tracks!, Metadata = metadata!, JoinedAt = joinedAt,
            JoinedAtMs = joinedAtMs, Name = name!, Version = version, Permission = permission, Region = region!,
            IsPublisher = isPublisher, Kind = kind, Attributes = attributes!, DisconnectReason = disconnectReason,
            KindDetails = kindDetails!, ClientProtocol = clientProtocol,
        };
    }

    private static ParticipantPermission? ReadPermission(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        bool canSubscribe = false, canPublish = false, canPublishData = false, hidden = false, recorder = false;
        bool canUpdateMetadata = false, agent = false, canSubscribeMetrics = false, canManageAgentSession = false;
        IReadOnlyList<TrackSource>? canPublishSources = null;
        while (NextProperty(ref reader))
        {
            var field = PermissionNames.Find(ref reader);
            reader.Read();
            switch (field)
            {
                case PermissionField.CanSubscribe: canSubscribe = ReadBoolean(ref reader); break;
                case PermissionField.CanPublish: canPublish = ReadBoolean(ref reader); break;
                case PermissionField.CanPublishData: canPublishData = ReadBoolean(ref reader); break;
                case PermissionField.CanPublishSources: canPublishSources = ReadList(ref reader, ProtoEnumConverter<TrackSource>.ReadValue); break;
                case PermissionField.Hidden: hidden = ReadBoolean(ref reader); break;
                case PermissionField.Recorder: recorder = ReadBoolean(ref reader); break;
                case PermissionField.CanUpdateMetadata: canUpdateMetadata = ReadBoolean(ref reader); break;
                case PermissionField.Agent: agent = ReadBoolean(ref reader); break;
                case PermissionField.CanSubscribeMetrics: canSubscribeMetrics = ReadBoolean(ref reader); break;
                case PermissionField.CanManageAgentSession: canManageAgentSession = ReadBoolean(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new ParticipantPermission
        {
            CanSubscribe = canSubscribe, CanPublish = canPublish, CanPublishData = canPublishData,
            CanPublishSources = canPublishSources, Hidden = hidden, Recorder = recorder, CanUpdateMetadata = canUpdateMetadata,
            Agent = agent, CanSubscribeMetrics = canSubscribeMetrics, CanManageAgentSession = canManageAgentSession,
        };
    }

    private static TrackInfo? ReadTrack(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        string? sid = "", name = "", mimeType = "", mid = "", stream = "";
        var type = TrackType.Audio;
        bool muted = false, simulcast = false, disableDtx = false, stereo = false, disableRed = false;
        uint width = 0, height = 0;
        var source = TrackSource.Unknown;
        IReadOnlyList<VideoLayer>? layers = [];
        IReadOnlyList<SimulcastCodecInfo>? codecs = [];
        var encryption = EncryptionType.None;
        TimedVersion? version = null;
        IReadOnlyList<AudioTrackFeature>? audioFeatures = [];
        var backupCodecPolicy = BackupCodecPolicy.PreferRegression;

        while (NextProperty(ref reader))
        {
            var field = TrackNames.Find(ref reader);
            reader.Read();
            switch (field)
            {
                case TrackField.Sid: sid = ReadString(ref reader); break;
                case TrackField.Type: type = ProtoEnumConverter<TrackType>.ReadValue(ref reader); break;
                case TrackField.Name: name = ReadString(ref reader); break;
                case TrackField.Muted: muted = ReadBoolean(ref reader); break;
                case TrackField.Width: width = ReadUInt32(ref reader); break;
                case TrackField.Height: height = ReadUInt32(ref reader); break;
                case TrackField.Simulcast: simulcast = ReadBoolean(ref reader); break;
                case TrackField.DisableDtx: disableDtx = ReadBoolean(ref reader); break;
                case TrackField.Source: source = ProtoEnumConverter<TrackSource>.ReadValue(ref reader); break;
                case TrackField.Layers: layers = ReadList(ref reader, ReadVideoLayer)!; break;
                case TrackField.MimeType: mimeType = ReadString(ref reader); break;
                case TrackField.Mid: mid = ReadString(ref reader); break;
                case TrackField.Codecs: codecs = ReadList(ref reader, ReadSimulcastCodec)!; break;
                case TrackField.Stereo: stereo = ReadBoolean(ref reader); break;
                case TrackField.DisableRed: disableRed = ReadBoolean(ref reader); break;
                case TrackField.Encryption: encryption = ProtoEnumConverter<EncryptionType>.ReadValue(ref reader); break;
                case TrackField.Stream: stream = ReadString(ref reader); break;
                case TrackField.Version: version = ReadTimedVersion(ref reader); break;
                case TrackField.AudioFeatures: audioFeatures = ReadList(ref reader, ProtoEnumConverter<AudioTrackFeature>.ReadValue); break;
                case TrackField.BackupCodecPolicy: backupCodecPolicy = ProtoEnumConverter<BackupCodecPolicy>.ReadValue(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new TrackInfo
        {
            Sid = sid!, Type = type, Name = name!, Muted = muted, Width = width, Height = height, Simulcast = simulcast,
            DisableDtx = disableDtx, Source = source, Layers = layers!, MimeType = mimeType!, Mid = mid!, Codecs = codecs!,
            Stereo = stereo, DisableRed = disableRed, Encryption = encryption, Stream = stream!, Version = version,
            AudioFeatures = audioFeatures!, BackupCodecPolicy = backupCodecPolicy,
        };
    }

    private static SimulcastCodecInfo? ReadSimulcastCodec(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        string? mimeType = "", mid = "", cid = "", sdpCid = "";
        IReadOnlyList<VideoLayer>? layers = [];
        while (NextProperty(ref reader))
        {
            var field = SimulcastCodecNames.Find(ref reader);
            reader.Read();
            switch (field)
            {
                case SimulcastCodecField.MimeType: mimeType = ReadString(ref reader); break;
                case SimulcastCodecField.Mid: mid = ReadString(ref reader); break;
                case SimulcastCodecField.Cid: cid = ReadString(ref reader); break;
                case SimulcastCodecField.Layers: layers = ReadList(ref reader, ReadVideoLayer)!; break;
                case SimulcastCodecField.SdpCid: sdpCid = ReadString(ref reader); break;
                
                default: reader.Skip(); break;
            }
        }

        return new SimulcastCodecInfo { MimeType = mimeType!, Mid = mid!, Cid = cid!, Layers = layers!, SdpCid = sdpCid! };
    }

    private static VideoLayer? ReadVideoLayer(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var quality = VideoQuality.Low;
        uint width = 0, height = 0, bitrate = 0, ssrc = 0, repairSsrc = 0;
        var spatialLayer = 0;
        string? rid = "";
        while (NextProperty(ref reader))
        {
            var field = VideoLayerNames.Find(ref reader);
            reader.Read();
            switch (field)
            {
                case VideoLayerField.Quality: quality = ProtoEnumConverter<VideoQuality>.ReadValue(ref reader); break;
                case VideoLayerField.Width: width = ReadUInt32(ref reader); break;
                case VideoLayerField.Height: height = ReadUInt32(ref reader); break;
                case VideoLayerField.Bitrate: bitrate = ReadUInt32(ref reader); break;
                case VideoLayerField.Ssrc: ssrc = ReadUInt32(ref reader); break;
                case VideoLayerField.SpatialLayer: spatialLayer = ReadInt32(ref reader); break;
                case VideoLayerField.Rid: rid = ReadString(ref reader); break;
                case VideoLayerField.RepairSsrc: repairSsrc = ReadUInt32(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new VideoLayer
        {
            Quality = quality, Width = width, Height = height, Bitrate = bitrate, Ssrc = ssrc, SpatialLayer = spatialLayer,
            Rid = rid!, RepairSsrc = repairSsrc,
        };
    }

    // --- Values. Each reader starts on the value's first token and ends on its last, as Utf8JsonReader.Skip does.

    /// <summary>True on the start of an object, false on null (the record is null); anything else is an error.</summary>
    private static bool StartObject(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => true,
        JsonTokenType.Null => false,
        _ => throw new JsonException($"Expected an object, found {reader.TokenType}."),
    };

    /// <summary>Moves to the next property name of the object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    private delegate T ItemReader<out T>(ref Utf8JsonReader reader);

    // Null for a JSON null, and a null item for each null in the array, as the serializer gives; hence the ! where
    // the records' types say a list and its items are never null.

    private static IReadOnlyList<T>? ReadList<T>(ref Utf8JsonReader reader, ItemReader<T> readItem)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"Expected an array, found {reader.TokenType}.");
        }

        var items = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(readItem(ref reader));
        }

        return items;
    }

    private static IReadOnlyDictionary<string, string>? ReadStringMap(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var map = new Dictionary<string, string>();
        while (NextProperty(ref reader))
        {
            var key = GetString(ref reader);
            reader.Read();
            map[key] = ReadString(ref reader)!;
        }

        return map;
    }

    private static string? ReadString(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => GetString(ref reader),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"Expected a string, found {reader.TokenType}."),
    };

    // Ids, names and mime types are ASCII: widening their bytes costs less than GetString's UTF-8 decoding (0.1 to
    // 0.2 µs less for the 2 KB benchmark body, whose strings take about a sixth of reading it). Anything else (escapes,
    // other characters) goes to GetString.
    private static string GetString(ref Utf8JsonReader reader)
    {
        var value = reader.ValueSpan;
        return !reader.ValueIsEscaped && Ascii.IsValid(value)
            ? string.Create(value.Length, value, static (chars, bytes) => Ascii.ToUtf16(bytes, chars, out _))
            : DecodeString(ref reader);
    }

    // The reader does not check UTF-8 inside strings; GetString finds invalid bytes and throws
    // InvalidOperationException, which the serializer turns into a JsonException, as this does.
    private static string DecodeString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    private static bool ReadBoolean(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new JsonException($"Expected true or false, found {reader.TokenType}."),
    };

    // Numbers may come as strings (JsonNumberHandling.AllowReadingFromString), parsed as the serializer does.
    private static uint ReadUInt32(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out var number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            var text = Unescaped(ref reader);
            if (Utf8Parser.TryParse(text, out uint value, out var consumed) && consumed == text.Length)
            {
                return value;
            }
        }

        throw new JsonException($"Expected a uint32, found {reader.TokenType}.");
    }

    private static int ReadInt32(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            var text = Unescaped(ref reader);
            if (Utf8Parser.TryParse(text, out int value, out var consumed) && consumed == text.Length)
            {
                return value;
            }
        }

        throw new JsonException($"Expected an int32, found {reader.TokenType}.");
    }

    // The serializer unescapes a quoted number before parsing it; escapes in a number are odd enough to allocate for.
    private static ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        var unescaped = new byte[reader.ValueSpan.Length];
        try
        {
            return unescaped.AsSpan(0, reader.CopyString(unescaped));
        }
        catch (InvalidOperationException e)
        {
            // Invalid UTF-8, as in DecodeString.
            throw new JsonException(e.Message, e);
        }
    }

    // Nullable in the record, so null is null without parsing, as the serializer does for a Nullable<T>.
    private static DateTimeOffset? ReadTime(ref Utf8JsonReader reader, long nanosecondsPerUnit) =>
        reader.TokenType == JsonTokenType.Null ? null : ProtoInt64.ToDate(ProtoInt64.Read(ref reader), nanosecondsPerUnit);

    private static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)ProtoJson.CamelCase.GetTypeInfo(typeof(T));

    // The properties read by hand, named as in the records (PropertyNames derives the JSON names from these).
    private enum EventField { Unknown, Event, Room, Participant, EgressInfo, IngressInfo, Track, Job, Id, CreatedAt, NumDropped, RoomEndReason }

    private enum RoomField
    {
        Unknown, Sid, Name, EmptyTimeout, DepartureTimeout, MaxParticipants, CreationTime, CreationTimeMs, TurnPassword,
        EnabledCodecs, Metadata, NumParticipants, NumPublishers, ActiveRecording, Version,
    }

    private enum CodecField { Unknown, Mime, FmtpLine }

    private enum TimedVersionField { Unknown, UnixMicro, Ticks }

    private enum ParticipantField
    {
        Unknown, Sid, Identity, State, Tracks, Metadata, JoinedAt, JoinedAtMs, Name, Version, Permission, Region,
        IsPublisher, Kind, Attributes, DisconnectReason, KindDetails, ClientProtocol,
    }

    private enum PermissionField
    {
        Unknown, CanSubscribe, CanPublish, CanPublishData, CanPublishSources, Hidden, Recorder, CanUpdateMetadata, Agent,
        CanSubscribeMetrics, CanManageAgentSession,
    }

    private enum TrackField
    {
        Unknown, Sid, Type, Name, Muted, Width, Height, Simulcast, DisableDtx, Source, Layers, MimeType, Mid, Codecs,
        Stereo, DisableRed, Encryption, Stream, Version, AudioFeatures, BackupCodecPolicy,
    }

    private enum SimulcastCodecField { Unknown, MimeType, Mid, Cid, Layers, SdpCid }

    private enum VideoLayerField { Unknown, Quality, Width, Height, Bitrate, Ssrc, SpatialLayer, Rid, RepairSsrc }
}
