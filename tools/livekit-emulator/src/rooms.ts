// Rooms and participants with LiveKit's lifecycle (reference §1–2): sids, auto-create, empty/departure timeouts,
// duplicate identities, ParticipantUpdate/webhooks on every change.
import { randomBytes } from "node:crypto";
import {
  DisconnectReason,
  ParticipantInfo,
  ParticipantInfo_Kind,
  ParticipantInfo_State,
  ParticipantPermission,
  Room as RoomInfo,
  SignalResponse,
  SpeakerInfo,
  TrackInfo,
} from "@livekit/protocol";
import type { EmulatorConfig } from "./config.js";
import { log } from "./log.js";
import type { Forwarder } from "./media.js";
import type { Webhooks } from "./webhooks.js";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** LiveKit-style ids: a prefix and 12 base62 characters. */
export function newSid(prefix: string) {
  return prefix + [...randomBytes(12)].map((b) => alphabet[b % 62]).join("");
}

const now = () => BigInt(Math.floor(Date.now() / 1000));

/** What a participant's connection does; implemented by the signalling session. */
export interface ParticipantConnection {
  send(response: SignalResponse): void;
  /** Ends the connection: sends LeaveRequest with the reason, closes the socket and peer connections. */
  close(reason: DisconnectReason): void;
  subscribe(track: PublishedTrack): void;
  unsubscribe(track: PublishedTrack): void;
  /** Delivers a data packet (already encoded) on the reliable or lossy channel. */
  deliverData(bytes: Uint8Array, reliable: boolean): void;
  /**
   * The participant's name, metadata, attributes or permission changed: LiveKit sends the client a fresh token
   * carrying them (RoomManager: OnClaimsChanged → refresh_token), which a later full reconnect joins with.
   */
  claimsChanged?(): void;
  /** What the connection went through (resumes, ICE restarts, its peer connections' states), for a failing test. */
  describe?(): unknown;
}

export class PublishedTrack {
  constructor(readonly info: TrackInfo, readonly forwarder: Forwarder, readonly publisher: Participant) {}
}

export class Participant {
  readonly info: ParticipantInfo;
  readonly tracks = new Map<string, PublishedTrack>();
  /** Track sids this participant has chosen not to receive. */
  readonly unsubscribed = new Set<string>();
  autoSubscribe = true;
  connection?: ParticipantConnection;
  left = false;

  constructor(identity: string, init: Partial<ParticipantInfo>) {
    this.info = new ParticipantInfo({
      sid: newSid("PA_"),
      identity,
      state: ParticipantInfo_State.ACTIVE,
      joinedAt: now(),
      joinedAtMs: BigInt(Date.now()),
      version: 1,
      ...init,
    });
  }

  get sid() { return this.info.sid; }
  get identity() { return this.info.identity; }
  get hidden() { return this.info.permission?.hidden ?? false; }
  get permission() { return this.info.permission ?? new ParticipantPermission(); }

  /** Copy with the current tracks and a new version, for ParticipantUpdate. */
  snapshot(): ParticipantInfo {
    this.info.tracks = [...this.tracks.values()].map((t) => t.info);
    return this.info.clone();
  }

  bump() {
    this.info.version++;
  }
}

export class Room {
  readonly info: RoomInfo;
  readonly participants = new Map<string, Participant>();
  private closeTimer?: NodeJS.Timeout;
  private everJoined = false;
  /** How long the room stays open after the last participant leaves. */
  private readonly departureMs: number;
  closed = false;

  constructor(name: string, private readonly rooms: Rooms, init?: Partial<RoomInfo>) {
    const config = rooms.config.room;
    this.info = new RoomInfo({
      sid: newSid("RM_"),
      name,
      emptyTimeout: Math.round(config.emptyTimeoutMs / 1000),
      departureTimeout: Math.round(config.departureTimeoutMs / 1000),
      maxParticipants: config.maxParticipants,
      creationTime: now(),
      creationTimeMs: BigInt(Date.now()),
      enabledCodecs: [{ mime: "audio/opus" }, { mime: "video/VP8" }],
      ...init,
    });
    this.departureMs = init?.departureTimeout ? init.departureTimeout * 1000 : config.departureTimeoutMs;
    this.scheduleClose(init?.emptyTimeout ? init.emptyTimeout * 1000 : config.emptyTimeoutMs);
  }

  get sid() { return this.info.sid; }
  get name() { return this.info.name; }

  /** Everyone but hidden participants, as other clients see them. */
  visible(except?: Participant) {
    return [...this.participants.values()].filter((p) => p !== except && !p.hidden);
  }

  snapshot(): RoomInfo {
    const info = this.info.clone();
    info.numParticipants = this.visible().length;
    info.numPublishers = this.visible().filter((p) => p.tracks.size > 0).length;
    return info;
  }

  add(participant: Participant) {
    if (!participant.permission.recorder) clearTimeout(this.closeTimer);
    this.everJoined = true;
    this.participants.set(participant.sid, participant);
    if (!participant.hidden) this.broadcast(participant, participant);
    this.rooms.webhooks.send({ event: "participant_joined", room: this.snapshot(), participant: participant.snapshot() });
  }

  /** Removes a participant, tells the others, and starts the departure timeout when the room is empty. */
  remove(participant: Participant, reason: DisconnectReason) {
    if (participant.left) return;
    participant.left = true;
    this.participants.delete(participant.sid);
    for (const track of participant.tracks.values()) {
      this.unpublish(track, false);
    }
    participant.info.state = ParticipantInfo_State.DISCONNECTED;
    participant.info.disconnectReason = reason;
    participant.bump();
    if (!participant.hidden) this.broadcast(participant, undefined);
    this.rooms.webhooks.send({ event: "participant_left", room: this.snapshot(), participant: participant.snapshot() });
    log.info("participant left", { room: this.name, identity: participant.identity, sid: participant.sid, reason: DisconnectReason[reason] });
    if (this.onlyRecordersLeft && !this.closed) {
      this.scheduleClose(this.departureMs);
    }
  }

  publish(track: PublishedTrack) {
    const publisher = track.publisher;
    publisher.tracks.set(track.info.sid, track);
    publisher.bump();
    if (!publisher.hidden) this.broadcast(publisher, undefined);
    this.rooms.webhooks.send({ event: "track_published", room: this.snapshot(), participant: publisher.snapshot(), track: track.info });
    for (const other of this.participants.values()) {
      if (other !== publisher && other.autoSubscribe && other.permission.canSubscribe) other.connection?.subscribe(track);
    }
  }

  unpublish(track: PublishedTrack, announce = true) {
    const publisher = track.publisher;
    if (!publisher.tracks.delete(track.info.sid)) return;
    for (const other of this.participants.values()) other.connection?.unsubscribe(track);
    track.forwarder.stop();
    this.rooms.webhooks.send({ event: "track_unpublished", room: this.snapshot(), participant: publisher.snapshot(), track: track.info });
    if (announce) {
      publisher.bump();
      if (!publisher.hidden) this.broadcast(publisher, undefined);
    }
  }

  /** Sends a ParticipantUpdate about {@link about} to everyone (but {@link skip}). */
  broadcast(about: Participant, skip: Participant | undefined) {
    const update = new SignalResponse({ message: { case: "update", value: { participants: [about.snapshot()] } } });
    for (const p of this.participants.values()) {
      if (p !== skip && p !== about) p.connection?.send(update);
    }
    if (about !== skip && !about.left) about.connection?.send(update);
  }

  sendRoomUpdate() {
    const update = new SignalResponse({ message: { case: "roomUpdate", value: { room: this.snapshot() } } });
    for (const p of this.participants.values()) p.connection?.send(update);
  }

  private readonly speaking = new Map<string, SpeakerInfo>();

  /** Collects each participant's speaking level and sends SpeakersChanged with the changes. */
  reportSpeakers(participant: Participant, speaker: SpeakerInfo | undefined) {
    const was = this.speaking.get(participant.sid);
    if (!speaker && !was) return;
    if (speaker) this.speaking.set(participant.sid, speaker);
    else this.speaking.delete(participant.sid);
    if (speaker && was) return; // still speaking: LiveKit sends changes only
    const change = speaker ?? new SpeakerInfo({ sid: participant.sid, level: 0, active: false });
    const message = new SignalResponse({ message: { case: "speakersChanged", value: { speakers: [change] } } });
    for (const p of this.participants.values()) p.connection?.send(message);
  }

  trackBySid(sid: string): PublishedTrack | undefined {
    for (const p of this.participants.values()) {
      const track = p.tracks.get(sid);
      if (track) return track;
    }
    return undefined;
  }

  byIdentity(identity: string): Participant | undefined {
    return [...this.participants.values()].find((p) => p.identity === identity);
  }

  /** DeleteRoom or a timeout: everyone is disconnected with ROOM_DELETED, room_finished is sent once. */
  close(reason: DisconnectReason = DisconnectReason.ROOM_DELETED) {
    if (this.closed) return;
    clearTimeout(this.closeTimer);
    for (const p of [...this.participants.values()]) {
      p.connection?.close(reason);
      this.remove(p, reason);
    }
    this.closed = true;
    clearTimeout(this.closeTimer);
    this.rooms.closed(this);
    this.rooms.webhooks.send({ event: "room_finished", room: this.snapshot() });
    log.info("room closed", { room: this.name, sid: this.sid });
  }

  private scheduleClose(ms: number) {
    clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => {
      if (this.onlyRecordersLeft) this.close();
    }, ms);
    this.closeTimer.unref();
  }

  /** Egress participants keep no room open: LiveKit ends their recording when the people have gone. */
  get onlyRecordersLeft() {
    return [...this.participants.values()].every((p) => p.permission.recorder);
  }

  get hasEverJoined() { return this.everJoined; }
}

export class Rooms {
  private readonly byName = new Map<string, Room>();

  constructor(readonly config: EmulatorConfig, readonly webhooks: Webhooks) {}

  get(name: string) { return this.byName.get(name); }
  all() { return [...this.byName.values()]; }

  /** The open room of that name, created (with room_started) if there is none. */
  getOrCreate(name: string, init?: Partial<RoomInfo>): Room {
    let room = this.byName.get(name);
    if (!room) {
      room = new Room(name, this, init);
      this.byName.set(name, room);
      log.info("room started", { room: name, sid: room.sid });
      this.webhooks.send({ event: "room_started", room: room.snapshot() });
    }
    return room;
  }

  closed(room: Room) {
    if (this.byName.get(room.name) === room) this.byName.delete(room.name);
  }

  kindOf(kind: string | undefined): ParticipantInfo_Kind {
    switch ((kind ?? "").toLowerCase()) {
      case "egress": return ParticipantInfo_Kind.EGRESS;
      case "ingress": return ParticipantInfo_Kind.INGRESS;
      case "sip": return ParticipantInfo_Kind.SIP;
      case "agent": return ParticipantInfo_Kind.AGENT;
      default: return ParticipantInfo_Kind.STANDARD;
    }
  }
}
