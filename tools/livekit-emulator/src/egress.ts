// Egress: room composite recordings as LiveKit reports them (reference §5). The emulator's egress joins the room
// as a hidden participant of kind EGRESS with permission.recorder, records the first camera and first microphone
// track it receives into a WebM file (werift's recorder; no layout is rendered), uploads it to the request's S3
// output and sends egress_started / egress_updated / egress_ended with file_results.
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  DisconnectReason,
  EgressInfo,
  EgressSourceType,
  EgressStatus,
  FileInfo,
  ListEgressRequest,
  ListEgressResponse,
  ParticipantInfo_Kind,
  ParticipantPermission,
  RoomCompositeEgressRequest,
  StopEgressRequest,
  UpdateLayoutRequest,
  type EncodedFileOutput,
  type SignalResponse,
} from "@livekit/protocol";
import { MediaStreamTrack, RTCRtpCodecParameters } from "werift";
import { MediaRecorder } from "werift/nonstandard";
import { log } from "./log.js";
import { newSid, Participant, type ParticipantConnection, type PublishedTrack, type Room, type Rooms } from "./rooms.js";
import { invalid, notFound, TwirpError, type Twirp } from "./twirp.js";
import type { Webhooks } from "./webhooks.js";

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

class Recording implements ParticipantConnection {
  readonly participant: Participant;
  private readonly tracks: { source: PublishedTrack; local: MediaStreamTrack; unsubscribe: () => void }[] = [];
  private recorder?: MediaRecorder;
  private startTimer?: NodeJS.Timeout;
  private directory?: string;
  private file?: string;
  private firstPacketAt?: bigint;
  private stopping = false;

  constructor(readonly info: EgressInfo, readonly room: Room, private readonly request: RoomCompositeEgressRequest,
    private readonly output: EncodedFileOutput, private readonly egress: Egress) {
    this.participant = new Participant(`EG_${info.egressId.slice(3)}`, {
      name: "",
      kind: ParticipantInfo_Kind.EGRESS,
      permission: new ParticipantPermission({ canSubscribe: true, hidden: true, recorder: true }),
    });
    this.participant.connection = this;
  }

  async begin() {
    this.directory = await mkdtemp(join(tmpdir(), "livekit-emulator-egress-"));
    this.room.add(this.participant);
    for (const p of this.room.participants.values()) for (const t of p.tracks.values()) this.subscribe(t);
  }

  send(_response: SignalResponse) {}
  deliverData() {}

  close(_reason: DisconnectReason) {
    void this.egress.stop(this, "");
  }

  subscribe(track: PublishedTrack) {
    if (this.recorder || this.stopping || track.publisher === this.participant) return;
    const kind = track.forwarder.kind;
    if ((kind === "video" && this.request.audioOnly) || (kind === "audio" && this.request.videoOnly)) return;
    if (this.tracks.some((t) => t.source.forwarder.kind === kind)) return;
    const codec = kind === "video"
      ? new RTCRtpCodecParameters({ mimeType: "video/VP8", clockRate: 90000, payloadType: 96 })
      : new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48000, channels: 2, payloadType: 111 });
    const local = new MediaStreamTrack({ kind, codec });
    const { unSubscribe } = track.forwarder.relay.onReceiveRtp.subscribe((rtp) => {
      this.firstPacketAt ??= nowNs();
      local.writeRtp(rtp);
    });
    this.tracks.push({ source: track, local, unsubscribe: unSubscribe });
    track.forwarder.requestKeyframe();
    // Collect what is published now (a camera and a microphone come together), then start the file.
    clearTimeout(this.startTimer);
    this.startTimer = setTimeout(() => this.startFile(), 1000);
  }

  /** The file keeps the tracks it started with; one that is unpublished simply stops sending packets. */
  unsubscribe(_track: PublishedTrack) {}

  private startFile() {
    if (this.stopping || this.recorder) return;
    this.file = join(this.directory!, "recording.webm");
    this.recorder = new MediaRecorder({
      path: this.file,
      tracks: this.tracks.map((t) => t.local),
      width: 1280,
      height: 720,
      disableNtp: true,
      disableLipSync: true,
    });
    this.recorder.onError.subscribe((e) => log.warn("egress recorder error", { egressId: this.info.egressId, error: e }));
    for (const t of this.tracks) t.source.forwarder.requestKeyframe();
    this.egress.update(this, EgressStatus.EGRESS_ACTIVE);
  }

  /** Stops recording; returns the file (undefined when nothing was recorded). */
  async finish(): Promise<{ path: string; size: number } | undefined> {
    this.stopping = true;
    clearTimeout(this.startTimer);
    for (const t of this.tracks) t.unsubscribe();
    if (!this.participant.left) this.room.remove(this.participant, DisconnectReason.CLIENT_INITIATED);
    if (!this.recorder || !this.file) return undefined;
    await this.recorder.stop();
    const size = (await stat(this.file).catch(() => undefined))?.size ?? 0;
    return size > 0 ? { path: this.file, size } : undefined;
  }

  get startedAtNs() {
    return this.firstPacketAt;
  }

  async cleanup() {
    if (this.directory) await rm(this.directory, { recursive: true, force: true });
  }
}

export class Egress {
  private readonly recordings = new Map<string, Recording>();
  private readonly finished = new Map<string, EgressInfo>();

  constructor(private readonly rooms: Rooms, private readonly webhooks: Webhooks) {}

  register(twirp: Twirp) {
    const record = (g: { video?: { roomRecord?: boolean } }) => g.video?.roomRecord;
    twirp.route("Egress", "StartRoomCompositeEgress", RoomCompositeEgressRequest, record, (req) => this.start(req));
    twirp.route("Egress", "StopEgress", StopEgressRequest, record, async (req) => {
      const recording = this.recordings.get(req.egressId);
      if (!recording) {
        if (this.finished.has(req.egressId)) throw new TwirpError("failed_precondition", "egress already ended");
        notFound("egress does not exist");
      }
      return this.stop(recording, "");
    });
    twirp.route("Egress", "ListEgress", ListEgressRequest, record, (req) => {
      const all = [...[...this.recordings.values()].map((r) => r.info), ...this.finished.values()];
      return new ListEgressResponse({
        items: all.filter((i) => (!req.roomName || i.roomName === req.roomName) && (!req.egressId || i.egressId === req.egressId) &&
          (!req.active || this.recordings.has(i.egressId))),
      });
    });
    twirp.route("Egress", "UpdateLayout", UpdateLayoutRequest, record, (req) => {
      const recording = this.recordings.get(req.egressId) ?? notFound("egress does not exist");
      if (recording.info.request.case === "roomComposite") recording.info.request.value.layout = req.layout;
      this.update(recording, recording.info.status);
      return recording.info;
    });
  }

  private async start(req: RoomCompositeEgressRequest): Promise<EgressInfo> {
    const room = this.rooms.get(req.roomName) ?? notFound("requested room does not exist");
    const output = req.fileOutputs[0] ?? (req.output.case === "file" ? req.output.value : undefined);
    if (!output) invalid("a file output is required (the emulator records files only)");
    if (output.output.case !== "s3") invalid("the emulator uploads to S3 outputs only");
    const info = new EgressInfo({
      egressId: newSid("EG_"),
      roomId: room.sid,
      roomName: room.name,
      sourceType: EgressSourceType.WEB,
      status: EgressStatus.EGRESS_STARTING,
      startedAt: nowNs(),
      updatedAt: nowNs(),
      request: { case: "roomComposite", value: req },
    });
    const recording = new Recording(info, room, req, output, this);
    this.recordings.set(info.egressId, recording);
    await recording.begin();
    room.info.activeRecording = true;
    room.sendRoomUpdate();
    this.webhooks.send({ event: "egress_started", egressInfo: info.clone() });
    log.info("egress started", { egressId: info.egressId, room: room.name });
    return info.clone();
  }

  update(recording: Recording, status: EgressStatus) {
    recording.info.status = status;
    recording.info.updatedAt = nowNs();
    this.webhooks.send({ event: "egress_updated", egressInfo: recording.info.clone() });
  }

  /** Ends a recording: file closed, uploaded, egress_ended. Returns the info as it is when ending begins. */
  async stop(recording: Recording, reason: string): Promise<EgressInfo> {
    if (!this.recordings.delete(recording.info.egressId)) return recording.info.clone();
    const info = recording.info;
    this.update(recording, EgressStatus.EGRESS_ENDING);
    const room = recording.room;
    if (![...this.recordings.values()].some((r) => r.room === room)) {
      room.info.activeRecording = false;
      room.sendRoomUpdate();
    }
    const ending = info.clone();
    void this.complete(recording, reason);
    return ending;
  }

  private async complete(recording: Recording, reason: string) {
    const info = recording.info;
    try {
      const file = await recording.finish();
      if (!file) throw new Error(reason || "no media was received; nothing was recorded");
      const request = info.request.case === "roomComposite" ? info.request.value : undefined;
      const output = request?.fileOutputs[0] ?? (request?.output.case === "file" ? request.output.value : undefined);
      const s3 = output!.output.case === "s3" ? output!.output.value : undefined;
      const key = fileName(output!.filepath, info);
      const client = new S3Client({
        region: s3!.region || "us-east-1",
        endpoint: s3!.endpoint || undefined,
        forcePathStyle: s3!.forcePathStyle,
        credentials: { accessKeyId: s3!.accessKey, secretAccessKey: s3!.secret, sessionToken: s3!.sessionToken || undefined },
      });
      await client.send(new PutObjectCommand({ Bucket: s3!.bucket, Key: key, Body: await readFile(file.path), ContentType: "video/webm" }));
      const endedAt = nowNs();
      const startedAt = recording.startedAtNs ?? info.startedAt;
      const endpoint = (s3!.endpoint || `https://s3.${s3!.region || "us-east-1"}.amazonaws.com`).replace(/\/$/, "");
      info.fileResults = [new FileInfo({
        filename: key,
        startedAt,
        endedAt,
        duration: endedAt - startedAt,
        size: BigInt(file.size),
        location: s3!.forcePathStyle || s3!.endpoint ? `${endpoint}/${s3!.bucket}/${key}` : `https://${s3!.bucket}.s3.amazonaws.com/${key}`,
      })];
      info.status = EgressStatus.EGRESS_COMPLETE;
    } catch (e) {
      info.status = EgressStatus.EGRESS_FAILED;
      info.error = (e as Error).message;
      log.warn("egress failed", { egressId: info.egressId, error: info.error });
    }
    info.endedAt = nowNs();
    info.updatedAt = info.endedAt;
    this.finished.set(info.egressId, info);
    this.webhooks.send({ event: "egress_ended", egressInfo: info.clone() });
    await recording.cleanup();
  }
}

/** LiveKit's filepath templates: {room_name}, {room_id}, {time}, {utc}; a path ending in / gets a generated name. */
function fileName(template: string, info: EgressInfo): string {
  const time = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "");
  let name = (template || "{room_name}-{time}")
    .replaceAll("{room_name}", info.roomName)
    .replaceAll("{room_id}", info.roomId)
    .replaceAll("{time}", time)
    .replaceAll("{utc}", time);
  if (name.endsWith("/")) name += `${info.roomName}-${time}`;
  if (!/\.[a-z0-9]+$/i.test(name)) name += ".webm";
  return name;
}
