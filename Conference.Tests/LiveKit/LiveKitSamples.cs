namespace Conference.Tests.LiveKit;

/// <summary>
/// Server answers in the shape LiveKit's Twirp JSON has (protojson with proto names and defaults emitted: snake_case,
/// int64 as strings, enums by name) and a webhook body as LiveKit sends it (camelCase, defaults omitted).
/// Egress nanosecond times end in 00: a DateTimeOffset tick is 100 ns.
/// </summary>
static class LiveKitSamples
{
    public const string Room = """
        {
          "sid": "RM_hycBMAjmt6Ub",
          "name": "r1",
          "empty_timeout": 300,
          "departure_timeout": 20,
          "max_participants": 50,
          "creation_time": "1700000000",
          "creation_time_ms": "1700000000123",
          "turn_password": "",
          "enabled_codecs": [{ "mime": "audio/opus", "fmtp_line": "" }, { "mime": "video/VP8", "fmtp_line": "x=1" }],
          "metadata": "{\"topic\":\"demo\"}",
          "num_participants": 2,
          "num_publishers": 1,
          "active_recording": true,
          "version": { "unix_micro": "1700000000123456", "ticks": 3 }
        }
        """;

    public const string Track = """
        {
          "sid": "TR_VCx8Yb2Lk",
          "type": "VIDEO",
          "name": "camera",
          "muted": true,
          "width": 1280,
          "height": 720,
          "simulcast": true,
          "disable_dtx": false,
          "source": "CAMERA",
          "layers": [{ "quality": "HIGH", "width": 1280, "height": 720, "bitrate": 1700000, "ssrc": 1234, "spatial_layer": 2, "rid": "f", "repair_ssrc": 0 }],
          "mime_type": "video/VP8",
          "mid": "1",
          "codecs": [{ "mime_type": "video/VP8", "mid": "1", "cid": "c1", "layers": [], "video_layer_mode": "MODE_UNUSED", "sdp_cid": "s1" }],
          "stereo": false,
          "disable_red": true,
          "encryption": "GCM",
          "stream": "camera",
          "version": { "unix_micro": "1700000005000000", "ticks": 0 },
          "audio_features": ["TF_NO_DTX"],
          "backup_codec_policy": "SIMULCAST",
          "packet_trailer_features": []
        }
        """;

    public const string Participant = """
        {
          "sid": "PA_6Z3pYb8Kq2Xh",
          "identity": "alice",
          "state": "ACTIVE",
          "tracks": [
        """ + Track + """
          ],
          "metadata": "{\"role\":\"host\"}",
          "joined_at": "1700000005",
          "joined_at_ms": "1700000005250",
          "name": "Alice",
          "version": 7,
          "permission": {
            "can_subscribe": true, "can_publish": true, "can_publish_data": true,
            "can_publish_sources": ["CAMERA", "MICROPHONE"], "hidden": false, "recorder": false,
            "can_update_metadata": true, "agent": false, "can_subscribe_metrics": false, "can_manage_agent_session": false
          },
          "region": "eu-frankfurt",
          "is_publisher": true,
          "kind": "SIP",
          "attributes": { "role": "host", "sip.callID": "abc" },
          "disconnect_reason": "CLIENT_INITIATED",
          "kind_details": ["FORWARDED"],
          "data_tracks": [],
          "client_protocol": 1,
          "capabilities": []
        }
        """;

    public const string Egress = """
        {
          "egress_id": "EG_MU4QwhXUhWf9",
          "room_id": "RM_hycBMAjmt6Ub",
          "room_name": "r1",
          "source_type": "EGRESS_SOURCE_TYPE_WEB",
          "status": "EGRESS_COMPLETE",
          "started_at": "1700000010123456700",
          "ended_at": "1700000070123456700",
          "updated_at": "1700000071000000000",
          "room_composite": {
            "room_name": "r1", "layout": "speaker", "audio_only": false, "audio_mixing": "DEFAULT_MIXING",
            "video_only": false, "custom_base_url": "", "preset": "H264_720P_30",
            "file_outputs": [{
              "file_type": "MP4", "filepath": "rec/{room_name}-{time}.mp4", "disable_manifest": false,
              "s3": {
                "access_key": "", "secret": "", "session_token": "", "assume_role_arn": "", "assume_role_external_id": "",
                "region": "us-east-1", "endpoint": "http://minio:9000", "bucket": "recordings", "force_path_style": true,
                "metadata": { "owner": "conference" }, "tagging": "", "content_disposition": "", "proxy": null
              }
            }],
            "stream_outputs": [], "segment_outputs": [], "image_outputs": [],
            "webhooks": [{ "url": "https://hooks.example/egress", "signing_key": "k1" }]
          },
          "stream_results": [{
            "url": "rtmp://live.example/app/key", "started_at": "1700000010000000000", "ended_at": "0", "duration": "0",
            "status": "FAILED", "error": "connection reset", "last_retry_at": "1700000020000000000", "retries": 2
          }],
          "file_results": [{
            "filename": "rec/r1-2023.mp4", "started_at": "1700000010123456700", "ended_at": "1700000070123456700",
            "duration": "60000000000", "size": "7340032", "location": "http://minio:9000/recordings/rec/r1-2023.mp4"
          }],
          "segment_results": [{
            "playlist_name": "index.m3u8", "live_playlist_name": "live.m3u8", "duration": "60000000000", "size": "1024",
            "playlist_location": "s3://b/index.m3u8", "live_playlist_location": "s3://b/live.m3u8", "segment_count": "10",
            "started_at": "1700000010000000000", "ended_at": "1700000070000000000"
          }],
          "image_results": [{ "filename_prefix": "img/r1", "image_count": "6", "started_at": "1700000010000000000", "ended_at": "1700000070000000000" }],
          "error": "",
          "error_code": 0,
          "details": "end reason: StopEgress",
          "manifest_location": "http://minio:9000/recordings/rec/r1.json",
          "backup_storage_used": false,
          "retry_count": 1
        }
        """;

    /// <summary>An egress_ended webhook body as LiveKit sends it.</summary>
    public const string EgressEndedWebhook = """
        {"event":"egress_ended","egressInfo":{"egressId":"EG_MU4QwhXUhWf9","roomId":"RM_hycBMAjmt6Ub","roomName":"r1","status":"EGRESS_COMPLETE","startedAt":"1700000010123456700","endedAt":"1700000070123456700","updatedAt":"1700000071000000000","roomComposite":{"roomName":"r1","layout":"speaker","fileOutputs":[{"fileType":"MP4","filepath":"rec/{room_name}-{time}.mp4","s3":{"region":"us-east-1","endpoint":"http://minio:9000","bucket":"recordings","forcePathStyle":true}}]},"fileResults":[{"filename":"rec/r1-2023.mp4","startedAt":"1700000010123456700","endedAt":"1700000070123456700","duration":"60000000000","size":"7340032","location":"http://minio:9000/recordings/rec/r1-2023.mp4"}]},"id":"EV_3sdKQ4p4b8Jq","createdAt":"1700000071"}
        """;

    /// <summary>The answer the capture endpoint gives to each Twirp method.</summary>
    public static string ResponseFor(string method) => method switch
    {
        "CreateRoom" or "UpdateRoomMetadata" => Room,
        "ListRooms" => $$"""{ "rooms": [{{Room}}] }""",
        "ListParticipants" => $$"""{ "participants": [{{Participant}}] }""",
        "GetParticipant" or "UpdateParticipant" => Participant,
        "MutePublishedTrack" => $$"""{ "track": {{Track}} }""",
        "DeleteRoom" or "RemoveParticipant" or "UpdateSubscriptions" or "SendData" => "{}",
        "ListEgress" => $$"""{ "items": [{{Egress}}], "next_page_token": null }""",
        _ => Egress,
    };
}
