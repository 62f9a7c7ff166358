// A synthetic participant made with @livekit/rtc-node (LiveKit's Rust SDK under Node: a second client
// implementation) — the load generator for benchmarks and a second judge of the emulator.
// Usage: node bot/bot.mjs --url ws://127.0.0.1:7880 --key K --secret S --room R --identity bot [--seconds 10] [--no-publish]
// Publishes a 320x240 video whose brightness cycles (20 fps) and a 440 Hz tone (10 ms frames); subscribes to
// everything. At the end prints one line "BOT_REPORT" + JSON (rtc-node logs JSON lines too): { identity, sid, videoFrames: {identity: n}, audioFrames: {identity: n} }.
import { AccessToken } from 'livekit-server-sdk';
import {
  AudioFrame, AudioSource, AudioStream, LocalAudioTrack, LocalVideoTrack, Room, RoomEvent, TrackKind,
  TrackPublishOptions, TrackSource, VideoBufferType, VideoFrame, VideoSource, VideoStream,
} from '@livekit/rtc-node';

const args = process.argv.slice(2);
const option = (name, fallback) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback; };
const url = option('url', 'ws://127.0.0.1:7880');
const identity = option('identity', `bot-${process.pid}`);
const seconds = Number(option('seconds', '10'));
const publish = !args.includes('--no-publish');

const token = new AccessToken(option('key', 'devkey'), option('secret', 'secret'), { identity, name: identity });
token.addGrant({ roomJoin: true, room: option('room', 'bots') });

const room = new Room();
const videoFrames = {};
const audioFrames = {};
room.on(RoomEvent.TrackSubscribed, (track, _publication, participant) => {
  const counts = track.kind === TrackKind.KIND_VIDEO ? videoFrames : audioFrames;
  counts[participant.identity] ??= 0;
  const stream = track.kind === TrackKind.KIND_VIDEO ? new VideoStream(track) : new AudioStream(track);
  (async () => { for await (const _frame of stream) counts[participant.identity]++; })().catch(() => undefined);
});
await room.connect(url, await token.toJwt(), { autoSubscribe: true, dynacast: false });
// Progress on stderr, so a test that waits for the bot can say where it stopped.
const progress = (step) => console.error(`BOT_PROGRESS ${identity} ${step} after ${Math.round(performance.now())} ms`);
progress('connected');

const timers = [];
if (publish) {
  const width = 320, height = 240;
  const audio = new AudioSource(48000, 1);
  const video = new VideoSource(width, height);
  await room.localParticipant.publishTrack(LocalAudioTrack.createAudioTrack('microphone', audio),
    new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));
  progress('published microphone');
  await room.localParticipant.publishTrack(LocalVideoTrack.createVideoTrack('camera', video),
    new TrackPublishOptions({ source: TrackSource.SOURCE_CAMERA }));
  progress('published camera');
  const rgba = new Uint8Array(width * height * 4);
  let frame = 0;
  timers.push(setInterval(() => {
    rgba.fill((frame++ * 8) % 256);
    video.captureFrame(new VideoFrame(rgba, width, height, VideoBufferType.RGBA));
  }, 50));
  let sample = 0;
  timers.push(setInterval(() => {
    const samples = new Int16Array(480);
    for (let i = 0; i < samples.length; i++, sample++) samples[i] = Math.round(Math.sin((2 * Math.PI * 440 * sample) / 48000) * 8000);
    void audio.captureFrame(new AudioFrame(samples, 48000, 1, samples.length)).catch(() => undefined);
  }, 10));
}

await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
timers.forEach(clearInterval);
console.log(`BOT_REPORT ${JSON.stringify({ identity, sid: room.localParticipant?.sid, videoFrames, audioFrames })}`);
await room.disconnect();
process.exit(0);
