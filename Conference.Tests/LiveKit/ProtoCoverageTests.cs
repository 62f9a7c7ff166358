using System.Reflection;
using System.Text.Json.Nodes;
using Conference.LiveKit;

namespace Conference.Tests.LiveKit;

/// <summary>
/// Our records against the protobuf descriptors of @livekit/protocol (the package LiveKit's Node SDK uses): every
/// JSON name we write is a real proto field (LiveKit silently drops unknown keys), every proto field is modelled
/// unless listed here with the reason, and enum names match.
/// </summary>
public sealed class ProtoCoverageTests
{
    /// <summary>C# record → proto message, with the proto fields we leave out on purpose.</summary>
    static readonly (Type Type, string Message, string[] NotModelled)[] Messages =
    [
        (typeof(Room), "Room", []),
        (typeof(Codec), "Codec", []),
        (typeof(TimedVersion), "TimedVersion", []),
        (typeof(ParticipantInfo), "ParticipantInfo", ["data_tracks", "capabilities"]), // newer client-side details
        (typeof(ParticipantPermission), "ParticipantPermission", []),
        (typeof(TrackInfo), "TrackInfo", ["packet_trailer_features"]), // client-side media detail
        (typeof(SimulcastCodecInfo), "SimulcastCodecInfo", ["video_layer_mode"]), // client-side media detail
        (typeof(VideoLayer), "VideoLayer", []),
        (typeof(CreateRoomRequest), "CreateRoomRequest", []),
        (typeof(RoomEgress), "RoomEgress", []),
        (typeof(RoomAgentDispatch), "RoomAgentDispatch", ["restart_policy", "deployment", "attributes"]), // agents are not used here
        (typeof(ListRoomsRequest), "ListRoomsRequest", []),
        (typeof(DeleteRoomRequest), "DeleteRoomRequest", []),
        (typeof(ListParticipantsRequest), "ListParticipantsRequest", []),
        (typeof(RoomParticipantIdentity), "RoomParticipantIdentity", []),
        (typeof(MuteRoomTrackRequest), "MuteRoomTrackRequest", []),
        (typeof(UpdateParticipantRequest), "UpdateParticipantRequest", []),
        (typeof(UpdateSubscriptionsRequest), "UpdateSubscriptionsRequest", []),
        (typeof(ParticipantTracks), "ParticipantTracks", []),
        (typeof(SendDataRequest), "SendDataRequest", ["destination_sids"]), // deprecated for destination_identities
        (typeof(UpdateRoomMetadataRequest), "UpdateRoomMetadataRequest", []),
        (typeof(RoomConfiguration), "RoomConfiguration", ["egress"]), // tokens reach browsers: no storage credentials
        (typeof(EgressInfo), "EgressInfo", ["egress", "replay"]), // Egress v2 / LiveKit Cloud replay requests
        (typeof(EgressFileInfo), "FileInfo", []),
        (typeof(SegmentsInfo), "SegmentsInfo", []),
        (typeof(StreamInfo), "StreamInfo", []),
        (typeof(StreamInfoList), "StreamInfoList", []),
        (typeof(ImagesInfo), "ImagesInfo", []),
        (typeof(RoomCompositeEgressRequest), "RoomCompositeEgressRequest", ["file", "stream", "segments"]), // deprecated single outputs
        (typeof(ParticipantEgressRequest), "ParticipantEgressRequest", []),
        (typeof(TrackCompositeEgressRequest), "TrackCompositeEgressRequest", ["file", "stream", "segments"]),
        (typeof(WebEgressRequest), "WebEgressRequest", ["file", "stream", "segments"]),
        (typeof(TrackEgressRequest), "TrackEgressRequest", []),
        (typeof(UpdateLayoutRequest), "UpdateLayoutRequest", []),
        (typeof(UpdateStreamRequest), "UpdateStreamRequest", []),
        (typeof(ListEgressRequest), "ListEgressRequest", []),
        (typeof(ListEgressResponse), "ListEgressResponse", []),
        (typeof(TokenPagination), "TokenPagination", []),
        (typeof(StopEgressRequest), "StopEgressRequest", []),
        (typeof(EncodedFileOutput), "EncodedFileOutput", []),
        (typeof(SegmentedFileOutput), "SegmentedFileOutput", []),
        (typeof(ImageOutput), "ImageOutput", []),
        (typeof(DirectFileOutput), "DirectFileOutput", []),
        (typeof(AutoTrackEgress), "AutoTrackEgress", []),
        (typeof(AutoParticipantEgress), "AutoParticipantEgress", []),
        (typeof(StreamOutput), "StreamOutput", []),
        (typeof(S3Upload), "S3Upload", []),
        (typeof(GcpUpload), "GCPUpload", []),
        (typeof(AzureBlobUpload), "AzureBlobUpload", []),
        (typeof(AliOssUpload), "AliOSSUpload", []),
        (typeof(ProxyConfig), "ProxyConfig", []),
        (typeof(EncodingOptions), "EncodingOptions", []),
        (typeof(WebhookConfig), "WebhookConfig", ["filter_params"]),
        (typeof(WebhookEvent), "WebhookEvent", []),
        (typeof(IngressInfo), "IngressInfo", ["input_type", "bypass_transcoding", "enable_transcoding", "audio", "video", "state"]), // no ingress here
        (typeof(AgentJob), "Job", ["type", "state", "enable_recording", "enable_redaction"]), // no agents here
    ];

    static readonly (Type Type, string Enum)[] Enums =
    [
        (typeof(ParticipantState), "ParticipantInfo_State"), (typeof(ParticipantKind), "ParticipantInfo_Kind"),
        (typeof(ParticipantKindDetail), "ParticipantInfo_KindDetail"), (typeof(TrackSource), "TrackSource"),
        (typeof(TrackType), "TrackType"), (typeof(EncryptionType), "Encryption_Type"), (typeof(VideoQuality), "VideoQuality"),
        (typeof(AudioTrackFeature), "AudioTrackFeature"), (typeof(BackupCodecPolicy), "BackupCodecPolicy"),
        (typeof(DataPacketKind), "DataPacket_Kind"), (typeof(DisconnectReason), "DisconnectReason"),
        (typeof(EgressStatus), "EgressStatus"), (typeof(EgressSourceType), "EgressSourceType"), (typeof(StreamStatus), "StreamInfo_Status"),
        (typeof(EncodedFileType), "EncodedFileType"), (typeof(EncodingOptionsPreset), "EncodingOptionsPreset"),
        (typeof(AudioMixing), "AudioMixing"), (typeof(SegmentedFileProtocol), "SegmentedFileProtocol"),
        (typeof(SegmentedFileSuffix), "SegmentedFileSuffix"), (typeof(StreamProtocol), "StreamProtocol"),
        (typeof(ImageFileSuffix), "ImageFileSuffix"), (typeof(ImageCodec), "ImageCodec"), (typeof(AudioCodec), "AudioCodec"),
        (typeof(VideoCodec), "VideoCodec"), (typeof(RoomEndReason), "RoomEndReason"),
    ];

    static readonly Lazy<Task<JsonNode>> Descriptors = new(() => NodeSdk.RunAsync("fields.mjs", new
    {
        messages = Messages.Select(m => m.Message).ToArray(),
        enums = Enums.Select(e => e.Enum).ToArray(),
    }));

    public static TheoryData<string> MessageNames => new(Messages.Select(m => m.Message));

    public static TheoryData<string> EnumNames => new(Enums.Select(e => e.Enum));

    [Theory]
    [MemberData(nameof(MessageNames))]
    public async Task Record_has_exactly_the_proto_fields(string message)
    {
        var (type, _, notModelled) = Messages.Single(m => m.Message == message);
        var protoFields = (await Descriptors.Value)["messages"]![message]!.AsArray().Select(f => f!.GetValue<string>()).ToHashSet();
        // The Twirp options write proto names; our token/webhook JSON names are the protojson camelCase of the same.
        var ourFields = ProtoJson.SnakeCase.GetTypeInfo(type).Properties.Where(p => p.Get is not null).Select(p => p.Name).ToHashSet();

        Assert.Empty(ourFields.Except(protoFields));
        Assert.Empty(protoFields.Except(ourFields).Except(notModelled));
    }

    [Theory]
    [MemberData(nameof(EnumNames))]
    public async Task Enum_has_the_proto_names_and_numbers(string protoEnum)
    {
        var type = Enums.Single(e => e.Enum == protoEnum).Type;
        var protoNames = (await Descriptors.Value)["enums"]![protoEnum]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        var nameOf = typeof(ProtoEnumConverter<>).MakeGenericType(type).GetMethod("NameOf", BindingFlags.Public | BindingFlags.Static)!;
        var ourNames = Enum.GetValues(type).Cast<object>().Select(value => $"{nameOf.Invoke(null, [value])}={Convert.ToInt32(value)}").ToArray();

        Assert.Equal(protoNames, ourNames);
    }
}
