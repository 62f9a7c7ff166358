// Egress: room composite recordings as LiveKit reports them (reference §5). The emulator's egress joins the room
// as a hidden participant of kind EGRESS with permission.recorder, records the first camera and first microphone
// track it receives into a WebM file (webmrecorder.ts; no layout is rendered), uploads it to the request's S3
// output and sends egress_started / egress_updated / egress_ended with file_results. While the file is closed and
// uploaded the egress is EGRESS_ENDING and still listed, as LiveKit's egress store keeps it. Each egress keeps a
// story (what it received, wrote, uploaded, and how its webhooks were answered) that the test controls show.
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
import { log } from "./log.js";
import type { DownTrack } from "./media.js";
import { writeWebmDuration } from "./webm.js";
import { WebmRecorder } from "./webmrecorder.js";
import { newSid, Participant, type ParticipantConnection, type PublishedTrack, type Room, type Rooms } from "./rooms.js";
import { invalid, notFound, TwirpError, type Twirp } from "./twirp.js";
import type { Webhooks } from "./webhooks.js";

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
/** How long a recording waits for the other kind of track (ms) before it starts its file with the one it has. */
const startWaitMs = 5000;

class Recording implements ParticipantConnection {
  readonly participant: Participant;
  private readonly tracks: { kind: "audio" | "video"; downTrack: DownTrack; close: () => void; packets: number; frames: number }[] = [];
  private recorder?: WebmRecorder;
  private startTimer?: NodeJS.Timeout;
  private directory?: string;
  private file?: string;
  private fileStartedAt?: bigint;
  private stopping = false;
  /** What happened to this egress, one line per step, for the test controls (GET /egress). */
  readonly story: string[] = [];
  /**
   * Per kind, ms from the last packet the file received to the stop (undefined before the stop, or for a kind that
   * sent nothing): a publisher that sent nothing for a while before the stop ends its track in the file that early.
   */
  readonly quietAtStopMs: Partial<Record<"audio" | "video", number>> = {};

  constructor(readonly info: EgressInfo, readonly room: Room, private readonly request: RoomCompositeEgressRequest,
    private readonly output: EncodedFileOutput, private readonly egress: Egress) {
    this.participant = new Participant(`EG_${info.egressId.slice(3)}`, {
      name: "",
      kind: ParticipantInfo_Kind.EGRESS,
      permission: new ParticipantPermission({ canSubscribe: true, hidden: true, recorder: true }),
    });
    this.participant.connection = this;
  }

  /** Adds a step to the story; a long recording's story stops growing at 500 lines (the first are the telling ones). */
  tell(step: string) {
    if (this.story.length < 500) this.story.push(`${new Date().toISOString()} ${step}`);
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
    if (this.tracks.some((t) => t.kind === kind)) return;
    // A subscriber like any other (LiveKit's egress is one), at the highest quality: its down track hands on one
    // continuous stream across layer switches, padding-only packets left out (werift's VP8 depacketizer throws on
    // an empty payload and loses the frame that follows: the file kept only keyframes), see rtpmunger.ts.
    const downTrack = track.forwarder.addDownTrack();
    const entry = { kind, downTrack, close: () => {}, packets: 0, frames: 0 };
    const index = this.tracks.length; // its track in the file is index + 1
    downTrack.onSwitch = (from, to) => this.tell(`${kind} layer ${from === undefined ? "(none)" : JSON.stringify(from)} → ${JSON.stringify(to)}`);
    // As a subscriber's receiver does, a lost video packet asks for a keyframe: the writer drops every frame after
    // a gap until the next one.
    let lastSequence: number | undefined;
    let gaps = 0;
    const stopListening = downTrack.onRtp((rtp) => {
      // The down track drops padding that follows the packet before it; one after a loss or out of order goes on (as
      // in LiveKit), but never to the writer, whose depacketizer would throw on it and lose a frame.
      if (rtp.payload.length === 0) return;
      entry.packets++;
      if (rtp.header.marker) entry.frames++;
      const { sequenceNumber } = rtp.header;
      const ahead = lastSequence === undefined ? 1 : (sequenceNumber - lastSequence) & 0xffff;
      if (kind === "video" && ahead > 1 && ahead < 0x8000) {
        if (++gaps <= 20) this.tell(`video: ${ahead - 1} packet(s) missing before ${sequenceNumber}; asked for a keyframe`);
        downTrack.requestKeyframe();
      }
      if (ahead >= 1 && ahead < 0x8000) lastSequence = sequenceNumber;
      this.recorder?.write(index, rtp);
    });
    entry.close = () => {
      stopListening();
      downTrack.close();
    };
    this.tracks.push(entry);
    this.tell(`subscribed to ${kind} track ${track.info.sid} of ${track.publisher.identity}`);
    // Collect what is published now, then start the file: at once when it has every kind the request records, else
    // after waiting for the other. A camera and a microphone are published together, but on a loaded machine the
    // microphone came over a second after the camera, and a file started without it stayed silent (ci43).
    clearTimeout(this.startTimer);
    const wanted = this.request.audioOnly || this.request.videoOnly ? 1 : 2;
    this.startTimer = setTimeout(() => this.startFile(), this.tracks.length >= wanted ? 0 : startWaitMs);
  }

  /** The file keeps the tracks it started with; one that is unpublished simply stops sending packets. */
  unsubscribe(_track: PublishedTrack) {}

  private startFile() {
    if (this.stopping || this.recorder) return;
    this.file = join(this.directory!, "recording.webm");
    this.recorder = new WebmRecorder(this.file, this.tracks.map((t) => t.kind), (error) => {
      if (this.recorder!.errors <= 20) this.tell(`recorder error: ${error.message}`);
      log.warn("egress recorder error", { egressId: this.info.egressId, error: error.message });
    });
    this.fileStartedAt = nowNs();
    this.tell(`file started with ${this.tracks.map((t) => t.kind).join(" and ")}`);
    for (const t of this.tracks) t.downTrack.requestKeyframe();
    this.egress.update(this, EgressStatus.EGRESS_ACTIVE);
  }

  /**
   * Stops recording; returns the file with its real length (undefined when nothing was recorded). The file's
   * Duration is set here from its last frame (see webm.ts).
   */
  async finish(): Promise<{ path: string; size: number; durationMs: number } | undefined> {
    this.stopping = true;
    clearTimeout(this.startTimer);
    for (const t of this.tracks) t.close();
    this.tell(`stopping: ${this.tracks.map((t) => `${t.kind} ${t.packets} packets (${t.frames} with a marker; ${t.downTrack.paddingDropped} padding-only left out)`).join(", ") || "no tracks"}`);
    if (!this.participant.left) this.room.remove(this.participant, DisconnectReason.CLIENT_INITIATED);
    if (!this.recorder || !this.file) return undefined;
    const behindMs = this.recorder.behindMs();
    behindMs.forEach((ms, i) => { if (ms !== undefined) this.quietAtStopMs[this.tracks[i].kind] = ms; });
    const behind = behindMs.map((ms, i) => `${this.tracks[i].kind} ${ms ?? "(nothing)"} ms`).join(", ");
    this.tell(`at stop, the latest media of each track was behind by: ${behind}`);
    await this.recorder.close();
    const size = (await stat(this.file).catch(() => undefined))?.size ?? 0;
    if (size === 0) return undefined;
    const length = await writeWebmDuration(this.file);
    const perTrack = this.tracks.map((t, i) => `${length.framesByTrack.get(i + 1) ?? 0} ${t.kind}`).join(", ");
    this.tell(`file closed: ${size} bytes, ${length.frames} frames (${perTrack}), last at ${length.lastFrameMs} ms (the muxer had declared ${length.declaredMs} ms; it dropped ${this.recorder.dropped} frame(s) older than their cluster)`);
    if (length.frames === 0) return undefined;
    return { path: this.file, size, durationMs: length.lastFrameMs };
  }

  /** When the file began (its time 0), in ns since the epoch. */
  get fileStartedAtNs() {
    return this.fileStartedAt;
  }

  async cleanup() {
    if (this.directory) await rm(this.directory, { recursive: true, force: true });
  }
}

export class Egress {
  /** Recording now (STARTING, ACTIVE). */
  private readonly recordings = new Map<string, Recording>();
  /** Stopped, the file being closed and uploaded (ENDING): still listed, as LiveKit lists it. */
  private readonly ending = new Map<string, Recording>();
  private readonly finished = new Map<string, Recording>();

  constructor(private readonly rooms: Rooms, private readonly webhooks: Webhooks) {}

  register(twirp: Twirp) {
    const record = (g: { video?: { roomRecord?: boolean } }) => g.video?.roomRecord;
    twirp.route("Egress", "StartRoomCompositeEgress", RoomCompositeEgressRequest, record, (req) => this.start(req));
    twirp.route("Egress", "StopEgress", StopEgressRequest, record, async (req) => {
      const recording = this.recordings.get(req.egressId);
      if (!recording) {
        if (this.ending.has(req.egressId)) throw new TwirpError("failed_precondition", "egress is already ending");
        if (this.finished.has(req.egressId)) throw new TwirpError("failed_precondition", "egress already ended");
        notFound("egress does not exist");
      }
      return this.stop(recording, "");
    });
    twirp.route("Egress", "ListEgress", ListEgressRequest, record, (req) => {
      // "active" is LiveKit's store's test: not ended yet (an ENDING egress still counts).
      return new ListEgressResponse({
        items: this.all().map((r) => r.info.clone()).filter((i) => (!req.roomName || i.roomName === req.roomName) &&
          (!req.egressId || i.egressId === req.egressId) && (!req.active || i.endedAt === 0n)),
      });
    });
    twirp.route("Egress", "UpdateLayout", UpdateLayoutRequest, record, (req) => {
      const recording = this.recordings.get(req.egressId) ?? notFound("egress does not exist");
      if (recording.info.request.case === "roomComposite") recording.info.request.value.layout = req.layout;
      this.update(recording, recording.info.status);
      return recording.info;
    });
  }

  private all() {
    return [...this.recordings.values(), ...this.ending.values(), ...this.finished.values()];
  }

  /** Every egress of <room> (all rooms when empty) with its story: what the test controls answer to GET /egress. */
  stories(room: string) {
    return this.all().filter((r) => !room || r.info.roomName === room).map((r) => ({
      egressId: r.info.egressId,
      roomName: r.info.roomName,
      status: EgressStatus[r.info.status],
      error: r.info.error,
      quietAtStopMs: r.quietAtStopMs,
      story: r.story,
    }));
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
    recording.tell(`started in room ${room.name} (${room.sid})`);
    this.recordings.set(info.egressId, recording);
    await recording.begin();
    room.info.activeRecording = true;
    room.sendRoomUpdate();
    this.sendWebhook(recording, "egress_started");
    log.info("egress started", { egressId: info.egressId, room: room.name });
    return info.clone();
  }

  update(recording: Recording, status: EgressStatus) {
    recording.info.status = status;
    recording.info.updatedAt = nowNs();
    this.sendWebhook(recording, "egress_updated");
  }

  /** Sends the event and writes into the egress's story how each receiver answered it. */
  private sendWebhook(recording: Recording, event: "egress_started" | "egress_updated" | "egress_ended") {
    const status = EgressStatus[recording.info.status];
    const id = this.webhooks.send({ event, egressInfo: recording.info.clone() },
      (url, outcome) => recording.tell(`${event} (${status}) ${id} → ${url}: ${outcome}`));
    recording.tell(`${event} (${status}) sent as ${id ?? "nothing (no webhook configured)"}`);
  }

  /** Ends a recording: file closed, uploaded, egress_ended. Returns the info as it is when ending begins. */
  async stop(recording: Recording, reason: string): Promise<EgressInfo> {
    if (!this.recordings.delete(recording.info.egressId)) return recording.info.clone();
    this.ending.set(recording.info.egressId, recording);
    recording.tell(`stop asked${reason ? `: ${reason}` : ""}`);
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
      recording.tell(`uploading ${file.size} bytes to ${s3!.endpoint || "AWS"} bucket ${s3!.bucket} as ${key}`);
      await client.send(new PutObjectCommand({ Bucket: s3!.bucket, Key: key, Body: await readFile(file.path), ContentType: "video/webm" }));
      recording.tell("uploaded");
      const endedAt = nowNs();
      // The file's own clock: it begins when the file began and lasts as long as its frames say.
      const startedAt = recording.fileStartedAtNs ?? info.startedAt;
      const endpoint = (s3!.endpoint || `https://s3.${s3!.region || "us-east-1"}.amazonaws.com`).replace(/\/$/, "");
      info.fileResults = [new FileInfo({
        filename: key,
        startedAt,
        endedAt,
        duration: BigInt(Math.round(file.durationMs * 1e6)),
        size: BigInt(file.size),
        location: s3!.forcePathStyle || s3!.endpoint ? `${endpoint}/${s3!.bucket}/${key}` : `https://${s3!.bucket}.s3.amazonaws.com/${key}`,
      })];
      info.status = EgressStatus.EGRESS_COMPLETE;
    } catch (e) {
      info.status = EgressStatus.EGRESS_FAILED;
      info.error = (e as Error).message;
      recording.tell(`failed: ${info.error}`);
      log.warn("egress failed", { egressId: info.egressId, error: info.error });
    }
    info.endedAt = nowNs();
    info.updatedAt = info.endedAt;
    this.ending.delete(info.egressId);
    this.finished.set(info.egressId, recording);
    this.sendWebhook(recording, "egress_ended");
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
