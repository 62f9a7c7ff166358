// Makes every RoomService and Egress call with the Node SDK against a capture endpoint, for the C# conformance
// tests; the C# test makes the same calls with our client. stdin: { url, key, secret }; stdout: each call's outcome.
import { protocol as p, readInput, sdk } from './sdk.mjs';

const { url, key, secret } = readInput();
const rooms = new sdk.RoomServiceClient(url, key, secret);
const egress = new sdk.EgressClient(url, key, secret);

const s3 = {
  case: 's3',
  value: { accessKey: 'AK', secret: 'SK', region: 'us-east-1', endpoint: 'http://minio:9000', bucket: 'recordings', forcePathStyle: true },
};
const mp4 = new p.EncodedFileOutput({ fileType: p.EncodedFileType.MP4, filepath: 'rec/{room_name}-{time}.mp4', output: s3 });

const calls = {
  CreateRoom: () => rooms.createRoom({
    name: 'r1',
    emptyTimeout: 300,
    departureTimeout: 20,
    maxParticipants: 50,
    metadata: '{"topic":"demo"}',
    syncStreams: true,
    agents: [{ agentName: 'helper', metadata: 'm' }],
    egress: { room: { roomName: 'r1', layout: 'grid', fileOutputs: [mp4] } },
  }),
  ListRooms: () => rooms.listRooms(['r1', 'r2']),
  DeleteRoom: () => rooms.deleteRoom('r1'),
  ListParticipants: () => rooms.listParticipants('r1'),
  GetParticipant: () => rooms.getParticipant('r1', 'alice'),
  RemoveParticipant: () => rooms.removeParticipant('r1', 'alice', { revokeTokenTs: 1700000000n }),
  MutePublishedTrack: () => rooms.mutePublishedTrack('r1', 'alice', 'TR_1', true),
  UpdateParticipant: () => rooms.updateParticipant('r1', 'alice', {
    metadata: 'm2',
    name: 'Alice B',
    attributes: { role: 'host' },
    permission: {
      canSubscribe: true,
      canPublish: true,
      canPublishData: true,
      canPublishSources: [p.TrackSource.CAMERA, p.TrackSource.MICROPHONE],
      canUpdateMetadata: true,
    },
  }),
  UpdateSubscriptions: () => rooms.updateSubscriptions('r1', 'alice', ['TR_1', 'TR_2'], true),
  SendData: () => rooms.sendData('r1', new TextEncoder().encode('hello'), p.DataPacket_Kind.LOSSY,
    { destinationIdentities: ['bob'], topic: 'chat' }),
  UpdateRoomMetadata: () => rooms.updateRoomMetadata('r1', '{"topic":"new"}'),

  StartRoomCompositeEgress: () => egress.startRoomCompositeEgress('r1', {
    file: mp4,
    images: new p.ImageOutput({
      captureInterval: 10, width: 640, height: 360, filenamePrefix: 'img/r1',
      filenameSuffix: p.ImageFileSuffix.IMAGE_SUFFIX_TIMESTAMP, imageCodec: p.ImageCodec.IC_JPEG, output: s3,
    }),
  }, {
    layout: 'speaker',
    encodingOptions: p.EncodingOptionsPreset.H264_1080P_30,
    audioMixing: p.AudioMixing.DUAL_CHANNEL_ALTERNATE,
    customBaseUrl: 'https://layouts.example/',
    webhooks: [{ url: 'https://hooks.example/egress', signingKey: 'k1' }],
  }),
  StartParticipantEgress: () => egress.startParticipantEgress('r1', 'alice', {
    file: new p.EncodedFileOutput({
      fileType: p.EncodedFileType.OGG, filepath: 'p/{publisher_identity}.ogg',
      output: { case: 'gcp', value: { credentials: '{}', bucket: 'b' } },
    }),
  }, {
    screenShare: true,
    encodingOptions: new p.EncodingOptions({
      width: 1280, height: 720, framerate: 30, audioCodec: p.AudioCodec.OPUS, audioBitrate: 128,
      videoCodec: p.VideoCodec.H264_MAIN, videoBitrate: 3000, keyFrameInterval: 2.5,
    }),
  }),
  StartTrackCompositeEgress: () => egress.startTrackCompositeEgress('r1', {
    segments: new p.SegmentedFileOutput({
      protocol: p.SegmentedFileProtocol.HLS_PROTOCOL, filenamePrefix: 'hls/r1', playlistName: 'index.m3u8',
      livePlaylistName: 'live.m3u8', segmentDuration: 6, filenameSuffix: p.SegmentedFileSuffix.TIMESTAMP,
      output: { case: 'azure', value: { accountName: 'acct', accountKey: 'key', containerName: 'rec' } },
    }),
  }, { audioTrackId: 'TR_A', videoTrackId: 'TR_V' }),
  StartTrackEgress: () => egress.startTrackEgress('r1', new p.DirectFileOutput({
    filepath: 'tracks/{track_id}',
    output: { case: 'aliOSS', value: { accessKey: 'ak', secret: 's', region: 'r', endpoint: 'e', bucket: 'b' } },
  }), 'TR_A'),
  StartWebEgress: () => egress.startWebEgress('https://example.com/page', {
    stream: new p.StreamOutput({ protocol: p.StreamProtocol.RTMP, urls: ['rtmp://live.example/app/key'] }),
  }, { videoOnly: true, awaitStartSignal: true }),
  UpdateLayout: () => egress.updateLayout('EG_1', 'grid'),
  UpdateStream: () => egress.updateStream('EG_1', ['rtmp://a.example/x'], ['rtmp://b.example/y']),
  ListEgress: () => egress.listEgress({ roomName: 'r1', active: true, pageToken: { token: 'p2' } }),
  StopEgress: () => egress.stopEgress('EG_1'),
};

const outcomes = {};
for (const [method, call] of Object.entries(calls)) {
  try {
    const result = await call();
    outcomes[method] = { ok: true, result: JSON.parse(JSON.stringify(result ?? null, (_, v) => (typeof v === 'bigint' ? v.toString() : v))) };
  } catch (error) {
    outcomes[method] = { ok: false, error: `${error.name}: ${error.message}` };
  }
}
process.stdout.write(JSON.stringify(outcomes));
