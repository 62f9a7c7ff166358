// One participant's signalling connection (WebSocket /rtc, livekit_rtc.proto) and its two peer connections:
// publisher (the client offers, the server answers) and subscriber (the server offers).
import {
  ClientConfiguration,
  DataPacket,
  DataPacket_Kind,
  DisconnectReason,
  JoinResponse,
  LeaveRequest,
  LeaveRequest_Action,
  ParticipantInfo_State,
  ServerInfo,
  ServerInfo_Edition,
  SessionDescription,
  SignalRequest,
  SignalResponse,
  SignalTarget,
  SpeakerInfo,
  TrackInfo,
  TrackSource,
  TrackType,
  ConnectionQuality,
  RequestResponse_Reason,
  ReconnectReason,
  ReconnectResponse,
  type AddTrackRequest,
  type UpdateTrackSettings,
} from "@livekit/protocol";
import type { RTCDataChannel, RTCPeerConnection, RTCRtpSender, RTCRtpTransceiver } from "werift";
import { MediaStream } from "werift";
import type { WebSocket } from "ws";
import { log } from "./log.js";
import { Forwarder, msidTrackIdsByMid, publisherConnection, subscriberConnection, type DownTrack } from "./media.js";
import { newSid, PublishedTrack, type Participant, type ParticipantConnection, type Room } from "./rooms.js";

export const serverVersion = "1.9.4-emulator";
export const protocolVersion = 16;

export interface SessionOptions {
  portRange?: [number, number];
  pingIntervalS: number;
  pingTimeoutS: number;
  /** Mints a fresh token for the participant (SignalResponse.refresh_token). */
  refreshToken: (participant: Participant) => Promise<string>;
  refreshTokenIntervalMs: number;
  /**
   * Signalling v1 (/rtc/v1): one peer connection that the client always offers on. Subscribed tracks go out on
   * recvonly m-lines the client adds when asked with MediaSectionsRequirement; the answer maps mid → track sid.
   */
  singlePeerConnection: boolean;
  /** v1: the publisher offer that came with the JoinRequest. */
  initialOffer?: SessionDescription;
}

/**
 * After a transport failed, LiveKit waits this long for the client to resume before it closes the participant with
 * CONNECTION_TIMEOUT (pkg/rtc/participant.go: disconnectCleanupDuration, set by setupDisconnectTimer).
 */
const disconnectCleanupMs = 5000;

/**
 * pion's ICE timeouts as LiveKit sets them (pkg/rtc/transport.go: iceDisconnectedTimeout, iceFailedTimeout,
 * iceKeepaliveInterval, given to SetICETimeouts): a connection from which nothing (STUN, DTLS, RTP, RTCP, SCTP) has
 * arrived for 10 s is "disconnected", 5 s later "failed"; pion compares with the last packet's own time at its
 * 2 s keepalive interval, so it fails 15–17 s after the last packet. werift keeps no time of the last packet, so
 * its counters are read every second: a packet is dated to within a second, failure lands in the same 15–17 s.
 * werift's own liveness is RFC 7675 consent (30 s to fail), so without these a killed browser stayed 33 s.
 */
const iceDisconnectedTimeoutMs = 10_000;
const iceFailedTimeoutMs = 5_000;
const iceCheckIntervalMs = 1_000;

/** What a peer connection has received (werift's candidate pairs' counters) and when that last changed (pion: LastReceived). */
interface IceLiveness {
  received: number;
  at: number;
  state: "connected" | "disconnected" | "failed";
}

export class Session implements ParticipantConnection {
  private readonly publisher: RTCPeerConnection;
  private subscriber?: RTCPeerConnection;
  private readonly senders = new Map<string, RTCRtpSender>();
  /** Track sid → this subscriber's copy of it (the layer it gets, paused or not). */
  private readonly downTracks = new Map<string, DownTrack>();
  /**
   * Track sid → the subscriber's last UpdateTrackSettings (adaptive stream: visibility and size of its video
   * element; or setEnabled/setVideoQuality/setVideoDimensions). Kept before and across subscriptions, as LiveKit's
   * subscription manager keeps them.
   */
  private readonly trackSettings = new Map<string, UpdateTrackSettings>();
  private readonly pendingTracks = new Map<string, TrackInfo>();
  private readonly channels = new Map<string, RTCDataChannel>();
  private queue: Promise<void> = Promise.resolve();
  private subscriberNegotiating = false;
  private subscriberNeedsOffer = false;
  private offerId = 0;
  private closed = false;
  /**
   * False between a dropped signal socket and the client's resume (SignalRequest over a new socket with
   * reconnect=1): the participant, its tracks, subscriptions and peer connections stay, as in LiveKit.
   */
  private signalConnected = true;
  private disconnectTimer?: NodeJS.Timeout;
  private readonly ice = new Map<RTCPeerConnection, IceLiveness>();
  private lastSeen = Date.now();
  private readonly timers: NodeJS.Timeout[] = [];
  /** v1: tracks to send, and the transceiver (mid) each one goes out on once the client has offered one. */
  private readonly wanted = new Map<string, PublishedTrack>();
  private readonly assigned = new Map<string, RTCRtpTransceiver>();

  constructor(
    private ws: WebSocket,
    readonly room: Room,
    readonly participant: Participant,
    private readonly options: SessionOptions,
  ) {
    this.publisher = publisherConnection(options.portRange);
    this.publisher.onRemoteTransceiverAdded.subscribe((transceiver) => {
      transceiver.onTrack.subscribe((track) => this.onPublishedMedia(transceiver.mid ?? "", track, transceiver.receiver));
    });
    this.publisher.onDataChannel.subscribe((channel) => {
      this.channels.set(channel.label, channel);
      channel.onMessage.subscribe((data) => this.onData(channel.label, data));
    });
    // Trickle the server's candidates, as LiveKit does: after an ICE restart (resume) the new ones may not be in
    // the answer werift wrote before it gathered them.
    this.publisher.onIceCandidate.subscribe((candidate) => {
      if (!candidate) return;
      this.send(new SignalResponse({
        message: { case: "trickle", value: { candidateInit: JSON.stringify(candidate.toJSON()), target: SignalTarget.PUBLISHER } },
      }));
    });
    this.publisher.connectionStateChange.subscribe((state) => {
      log.debug("publisher pc", { sid: participant.sid, state });
      this.onPeerConnectionState();
    });
    this.attach(ws);
    this.timers.push(setInterval(() => this.tick(), 2000));
    this.timers.push(setInterval(() => this.checkIce(), iceCheckIntervalMs));
    this.timers.push(setInterval(() => void this.refreshToken(), options.refreshTokenIntervalMs));
  }

  private attach(ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      if (ws !== this.ws) return;
      this.lastSeen = Date.now();
      this.queue = this.queue.then(() => this.onMessage(data as Buffer, isBinary)).catch((e) => {
        log.warn("signal request failed", { sid: this.participant.sid, error: e });
      });
    });
    ws.on("close", () => this.onSocketClosed(ws));
    ws.on("error", () => undefined);
  }

  /** Resumes and publisher ICE restarts so far (GET /media). */
  private resumes = 0;
  private iceRestarts = 0;

  /** What this connection went through, and each peer connection's state and selected pair (GET /media). */
  describe() {
    const now = Date.now();
    const pcs = { publisher: this.publisher, subscriber: this.subscriber };
    return {
      resumes: this.resumes, iceRestarts: this.iceRestarts, signalConnected: this.signalConnected,
      peerConnections: Object.entries(pcs).filter(([, pc]) => pc).map(([role, pc]) => ({
        role, state: pc!.connectionState, ice: pc!.iceConnectionState,
        lastReceivedMsAgo: this.ice.get(pc!) ? now - this.ice.get(pc!)!.at : null,
        pairs: pc!.iceTransports.flatMap((t) => t.connection.candidatePairs.map((pair) => ({
          remote: `${pair.remoteAddr[0]}:${pair.remoteAddr[1]}`, state: pair.state, nominated: t.connection.nominated === pair,
          sent: pair.packetsSent, received: pair.packetsReceived, requestsReceived: pair.requestsReceived, responsesSent: pair.responsesSent,
          consentChecks: pair.consentRequestsSent,
        }))),
      })),
    };
  }

  /** Whether a client that lost its signal socket may resume this session (LiveKit: the participant is not closed). */
  get canResume() {
    return !this.closed;
  }

  /**
   * Resume (livekit-client's first answer to a dropped signal socket, RTCEngine.resumeConnection): the new socket
   * takes over, the client gets ReconnectResponse, then the room's participants and the room (anything missed while
   * it was away), and an ICE restart offer for the subscriber connection (v0); the client restarts ICE on its own
   * publisher offer. Same sid, same tracks, same subscriptions, no webhook — as LiveKit's Room.ResumeParticipant.
   */
  resume(ws: WebSocket, reason: ReconnectReason) {
    const previous = this.ws;
    this.ws = ws;
    this.attach(ws);
    if (previous.readyState === previous.OPEN || previous.readyState === previous.CONNECTING) previous.terminate();
    this.signalConnected = true;
    this.lastSeen = Date.now();
    clearTimeout(this.disconnectTimer);
    this.disconnectTimer = undefined;
    this.resumes++;
    log.info("participant resumed", { room: this.room.name, identity: this.participant.identity, sid: this.participant.sid, reason: ReconnectReason[reason] });
    this.send(new SignalResponse({
      message: {
        case: "reconnect",
        value: new ReconnectResponse({
          iceServers: [],
          clientConfiguration: new ClientConfiguration(),
          serverInfo: serverInfo(),
          lastMessageSeq: 0,
        }),
      },
    }));
    const everyone = [...this.room.participants.values()].filter((p) => !p.hidden || p === this.participant).map((p) => p.snapshot());
    this.send(new SignalResponse({ message: { case: "update", value: { participants: everyone } } }));
    this.send(new SignalResponse({ message: { case: "roomUpdate", value: { room: this.room.snapshot() } } }));
    void this.refreshToken();
    if (this.subscriber) {
      // An offer sent while the socket was down is lost with it: start the subscriber's negotiation afresh.
      this.subscriberNegotiating = false;
      this.subscriberNeedsOffer = false;
      this.negotiateSubscriber(true);
    } else if (this.options.singlePeerConnection && [...this.wanted.keys()].some((sid) => !this.assigned.has(sid))) {
      this.requestMediaSections();
    }
  }

  /** Sends the JoinResponse and subscribes to what is already published. */
  start() {
    const join = new JoinResponse({
      room: this.room.snapshot(),
      participant: this.participant.snapshot(),
      otherParticipants: this.room.visible(this.participant).map((p) => p.snapshot()),
      serverVersion,
      serverRegion: "emulator",
      serverInfo: serverInfo(),
      iceServers: [],
      subscriberPrimary: false,
      pingInterval: this.options.pingIntervalS,
      pingTimeout: this.options.pingTimeoutS,
      // Resume is offered (the default, as LiveKit): a dropped socket is resumed with the same sid.
      clientConfiguration: new ClientConfiguration(),
      enabledPublishCodecs: [{ mime: "video/VP8" }, { mime: "audio/opus" }],
    });
    this.send(new SignalResponse({ message: { case: "join", value: join } }));
    if (this.options.initialOffer) {
      const offer = this.options.initialOffer;
      this.queue = this.queue.then(() => this.answerPublisher(offer)).catch((e) => log.warn("initial offer failed", { error: e }));
    }
    for (const other of this.room.participants.values()) {
      if (other === this.participant) continue;
      for (const track of other.tracks.values()) this.subscribe(track);
    }
    void this.refreshToken();
  }

  /** Sends on the signal socket; while it is down the message is lost, as with LiveKit (resume resends the state). */
  send(response: SignalResponse) {
    if (this.closed || !this.signalConnected || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(response.toBinary());
  }

  close(reason: DisconnectReason) {
    if (this.closed) return;
    this.send(new SignalResponse({
      message: { case: "leave", value: new LeaveRequest({ canReconnect: false, reason, action: LeaveRequest_Action.DISCONNECT }) },
    }));
    // The client closes its peer connections when it reads the LeaveRequest, as with LiveKit; closing ours at once
    // could reach it first (everything is on loopback here) and look like a transport failure to livekit-client.
    this.teardown(1000);
    setTimeout(() => this.ws.close(1000, DisconnectReason[reason]), 50);
  }

  subscribe(track: PublishedTrack) {
    if (this.closed || this.senders.has(track.info.sid) || this.participant.unsubscribed.has(track.info.sid)) return;
    if (!this.participant.permission.canSubscribe) return;
    if (this.options.singlePeerConnection) {
      if (this.wanted.has(track.info.sid)) return;
      this.wanted.set(track.info.sid, track);
      this.requestMediaSections();
      return;
    }
    this.subscriber ??= this.createSubscriber();
    const downTrack = this.addDownTrack(track);
    const stream = new MediaStream({ id: `${track.publisher.sid}|${track.info.sid}` });
    const sender = this.subscriber.addTrack(downTrack.relay, stream);
    sender.onRtcp.subscribe((rtcp) => downTrack.onSubscriberRtcp(rtcp));
    this.senders.set(track.info.sid, sender);
    this.negotiateSubscriber();
    // The subscriber's decoder needs a keyframe to start; ask now and again once its connection is up.
    setTimeout(() => downTrack.requestKeyframe(), 1000).unref();
  }

  /** This subscriber's copy of the track, with the settings it has asked for. */
  private addDownTrack(track: PublishedTrack): DownTrack {
    const downTrack = track.forwarder.addDownTrack();
    this.downTracks.set(track.info.sid, downTrack);
    const settings = this.trackSettings.get(track.info.sid);
    if (settings) downTrack.applySettings(settings, track.info.layers);
    return downTrack;
  }

  private removeDownTrack(track: PublishedTrack) {
    this.downTracks.get(track.info.sid)?.close();
    this.downTracks.delete(track.info.sid);
  }

  unsubscribe(track: PublishedTrack) {
    if (this.options.singlePeerConnection) {
      if (!this.wanted.delete(track.info.sid)) return;
      const transceiver = this.assigned.get(track.info.sid);
      if (transceiver) {
        this.assigned.delete(track.info.sid);
        transceiver.direction = "inactive";
        void transceiver.sender.replaceTrack(null).catch(() => undefined);
      }
      this.removeDownTrack(track);
      this.requestMediaSections();
      return;
    }
    const sender = this.senders.get(track.info.sid);
    if (!sender || !this.subscriber) return;
    this.senders.delete(track.info.sid);
    this.removeDownTrack(track);
    try {
      this.subscriber.removeTrack(sender);
    } catch {
      // already gone with the connection
    }
    this.negotiateSubscriber();
  }

  deliverData(bytes: Uint8Array, reliable: boolean) {
    const channel = this.channels.get(reliable ? "_reliable" : "_lossy") ?? this.channels.get("_reliable");
    if (channel?.readyState === "open") channel.send(Buffer.from(bytes));
    else log.warn("data packet not delivered: no open data channel", { sid: this.participant.sid, channels: [...this.channels].map(([l, c]) => `${l}:${c.readyState}`) });
  }

  private async answerPublisher(offer: SessionDescription) {
    const restarted = restartIceOnNewCredentials(this.publisher, offer.sdp);
    if (restarted.length > 0) this.iceRestarts++;
    await this.publisher.setRemoteDescription({ type: "offer", sdp: withoutGeneration(offer.sdp) });
    this.unpublishStoppedTracks(offer.sdp);
    const midToTrackId: Record<string, string> = {};
    if (this.options.singlePeerConnection) {
      await this.assignMediaSections(offer.sdp);
      for (const [sid, transceiver] of this.assigned) if (transceiver.mid) midToTrackId[transceiver.mid] = sid;
    }
    const answer = await this.publisher.createAnswer();
    await this.publisher.setLocalDescription(answer);
    // werift's connect() skips transports whose DTLS is still up, so a restarted ICE transport is started here.
    for (const ice of restarted) void ice.start().catch((e) => log.warn("ICE restart failed", { sid: this.participant.sid, error: e }));
    this.send(new SignalResponse({
      message: { case: "answer", value: new SessionDescription({ type: "answer", sdp: this.publisher.localDescription!.sdp, id: offer.id, midToTrackId }) },
    }));
    if (this.options.singlePeerConnection) {
      for (const sid of this.assigned.keys()) this.downTracks.get(sid)?.requestKeyframe();
      if ([...this.wanted.keys()].some((sid) => !this.assigned.has(sid))) this.requestMediaSections();
    }
  }

  /** v1: puts each wanted track on a free m-line the client offered to receive on. */
  private async assignMediaSections(sdp: string) {
    const receiving = recvonlyMids(sdp);
    const taken = new Set([...this.assigned.values()]);
    for (const [sid, track] of this.wanted) {
      if (this.assigned.has(sid)) continue;
      const free = this.publisher.getTransceivers().find((t) =>
        !taken.has(t) && t.kind === track.forwarder.kind && t.mid !== null && receiving.has(t.mid) && !t.sender.track);
      if (!free) continue;
      taken.add(free);
      free.direction = "sendonly";
      (free.sender as { trackId: string }).trackId = sid; // the msid's track id
      free.sender.setStreams([new MediaStream({ id: `${track.publisher.sid}|${sid}` })]);
      const downTrack = this.addDownTrack(track);
      await free.sender.replaceTrack(downTrack.relay);
      free.sender.onRtcp.subscribe((rtcp) => downTrack.onSubscriberRtcp(rtcp));
      this.assigned.set(sid, free);
    }
  }

  /** v1: asks the client for as many more receive m-lines as the wanted tracks need, and to offer again. */
  private requestMediaSections() {
    this.queue = this.queue.then(() => {
      if (this.closed) return;
      const remote = this.publisher.remoteDescription?.sdp ?? "";
      const receiving = recvonlyMids(remote);
      const taken = new Set([...this.assigned.values()]);
      const free = { audio: 0, video: 0 };
      for (const t of this.publisher.getTransceivers()) {
        if (!taken.has(t) && t.mid !== null && receiving.has(t.mid) && !t.sender.track && (t.kind === "audio" || t.kind === "video")) free[t.kind]++;
      }
      const need = { audio: 0, video: 0 };
      for (const [sid, track] of this.wanted) if (!this.assigned.has(sid)) need[track.forwarder.kind]++;
      this.send(new SignalResponse({
        message: { case: "mediaSectionsRequirement", value: { numAudios: Math.max(0, need.audio - free.audio), numVideos: Math.max(0, need.video - free.video) } },
      }));
    });
  }

  private createSubscriber() {
    const pc = subscriberConnection(this.options.portRange);
    pc.connectionStateChange.subscribe(() => this.onPeerConnectionState());
    pc.onIceCandidate.subscribe((candidate) => {
      if (!candidate) return;
      this.send(new SignalResponse({
        message: { case: "trickle", value: { candidateInit: JSON.stringify(candidate.toJSON()), target: SignalTarget.SUBSCRIBER } },
      }));
    });
    return pc;
  }

  private negotiateSubscriber(iceRestart = false) {
    this.queue = this.queue.then(async () => {
      if (!this.subscriber || this.closed) return;
      if (this.subscriberNegotiating) {
        this.subscriberNeedsOffer = true;
        return;
      }
      this.subscriberNegotiating = true;
      const offer = await this.subscriber.createOffer({ iceRestart });
      await this.subscriber.setLocalDescription(offer);
      this.send(new SignalResponse({
        message: { case: "offer", value: new SessionDescription({ type: "offer", sdp: this.subscriber.localDescription!.sdp, id: ++this.offerId }) },
      }));
    }).catch((e) => log.warn("subscriber offer failed", { sid: this.participant.sid, error: e }));
  }

  private async onMessage(data: Buffer, isBinary: boolean) {
    let request: SignalRequest;
    try {
      request = isBinary ? SignalRequest.fromBinary(new Uint8Array(data)) : SignalRequest.fromJsonString(data.toString("utf8"));
    } catch (e) {
      log.warn("malformed signal request; closing the connection", { sid: this.participant.sid, error: (e as Error).message });
      this.ws.close(1003, "malformed SignalRequest");
      return;
    }
    const message = request.message;
    switch (message.case) {
      case "offer":
        await this.answerPublisher(message.value);
        break;
      case "answer":
        if (this.subscriber) {
          await this.subscriber.setRemoteDescription({ type: "answer", sdp: withoutGeneration(message.value.sdp) });
          this.subscriberNegotiating = false;
          if (this.subscriberNeedsOffer) {
            this.subscriberNeedsOffer = false;
            this.negotiateSubscriber();
          }
        }
        break;
      case "trickle": {
        const pc = message.value.target === SignalTarget.SUBSCRIBER ? this.subscriber : this.publisher;
        const init = JSON.parse(message.value.candidateInit || "{}");
        if (pc && init.candidate) await pc.addIceCandidate({ ...init, candidate: withoutGeneration(init.candidate) }).catch(() => undefined);
        break;
      }
      case "addTrack":
        this.onAddTrack(message.value);
        break;
      case "mute": {
        const track = this.participant.tracks.get(message.value.sid);
        if (track && track.info.muted !== message.value.muted) {
          track.info.muted = message.value.muted;
          this.participant.bump();
          this.room.broadcast(this.participant, undefined);
        }
        break;
      }
      case "subscription": {
        for (const sid of [...message.value.trackSids, ...message.value.participantTracks.flatMap((p) => p.trackSids)]) {
          const track = this.room.trackBySid(sid);
          if (message.value.subscribe) {
            this.participant.unsubscribed.delete(sid);
            if (track) this.subscribe(track);
          } else {
            this.participant.unsubscribed.add(sid);
            if (track) this.unsubscribe(track);
          }
        }
        break;
      }
      case "leave":
        log.info("client leave", { sid: this.participant.sid });
        this.teardown();
        this.room.remove(this.participant, DisconnectReason.CLIENT_INITIATED);
        this.ws.close(1000);
        break;
      case "ping":
        this.send(new SignalResponse({ message: { case: "pong", value: BigInt(Date.now()) } }));
        break;
      case "pingReq":
        this.send(new SignalResponse({ message: { case: "pongResp", value: { lastPingTimestamp: message.value.timestamp, timestamp: BigInt(Date.now()) } } }));
        break;
      case "updateMetadata": {
        if (!this.participant.permission.canUpdateMetadata) {
          this.send(new SignalResponse({ message: { case: "requestResponse", value: { requestId: message.value.requestId, reason: RequestResponse_Reason.NOT_ALLOWED, message: "does not have permission to update own metadata" } } }));
          break;
        }
        const info = this.participant.info;
        if (message.value.metadata) info.metadata = message.value.metadata;
        if (message.value.name) info.name = message.value.name;
        for (const [k, v] of Object.entries(message.value.attributes)) {
          if (v === "") delete info.attributes[k];
          else info.attributes[k] = v;
        }
        this.participant.bump();
        this.room.broadcast(this.participant, undefined);
        break;
      }
      case "trackSetting":
        // LiveKit: SignalHandler → UpdateSubscribedTrackSettings for each track sid (applied at once here; LiveKit
        // debounces by 100 ms unless the track is enabled again).
        for (const sid of message.value.trackSids) {
          this.trackSettings.set(sid, message.value);
          const track = this.room.trackBySid(sid);
          if (track) this.downTracks.get(sid)?.applySettings(message.value, track.info.layers);
        }
        break;
      case "updateLayers":
        // Deprecated in the protocol; LiveKit's signal handler has no case for it and ignores it too.
      case "subscriptionPermission":
      case "syncState":
      case "simulate":
      case "updateAudioTrack":
      case "updateVideoTrack":
        // Accepted without effect (see docs/testing.md).
        log.debug("signal request accepted without effect", { case: message.case });
        break;
      default:
        log.warn("unknown or unsupported signal request ignored", { sid: this.participant.sid, case: message.case });
    }
  }

  private onAddTrack(request: AddTrackRequest) {
    const permission = this.participant.permission;
    const allowed = permission.canPublish &&
      (permission.canPublishSources.length === 0 || permission.canPublishSources.includes(request.source));
    if (!allowed) {
      log.info("publish refused: no permission", { sid: this.participant.sid, source: TrackSource[request.source] });
      this.send(new SignalResponse({ message: { case: "requestResponse", value: { reason: RequestResponse_Reason.NOT_ALLOWED, message: "does not have permission to publish" } } }));
      return;
    }
    const isVideo = request.type === TrackType.VIDEO;
    const info = new TrackInfo({
      sid: newSid("TR_"),
      type: request.type,
      name: request.name,
      muted: request.muted,
      width: request.width,
      height: request.height,
      simulcast: request.layers.length > 1,
      disableDtx: request.disableDtx,
      source: request.source,
      layers: request.layers,
      mimeType: isVideo ? "video/VP8" : "audio/opus",
      stereo: request.stereo,
      encryption: request.encryption,
      stream: request.stream,
      audioFeatures: request.audioFeatures,
      backupCodecPolicy: request.backupCodecPolicy,
    });
    this.pendingTracks.set(request.cid, info);
    this.send(new SignalResponse({ message: { case: "trackPublished", value: { cid: request.cid, track: info } } }));
  }

  /** A remote track arrived on the publisher connection: match it by msid to an AddTrackRequest and publish. */
  /**
   * livekit-client unpublishes a track by removing its sender and renegotiating (unpublishTrack, e.g. stopping a
   * screen share): its m-line no longer sends. LiveKit then ends the track for everyone and confirms with
   * TrackUnpublishedResponse; so does the emulator.
   */
  private unpublishStoppedTracks(sdp: string) {
    const sending = sendingMids(sdp);
    for (const track of [...this.participant.tracks.values()]) {
      if (track.info.mid && !sending.has(track.info.mid)) {
        this.room.unpublish(track);
        this.send(new SignalResponse({ message: { case: "trackUnpublished", value: { trackSid: track.info.sid } } }));
      }
    }
  }

  private onPublishedMedia(mid: string, track: import("werift").MediaStreamTrack, receiver: import("werift").RTCRtpReceiver) {
    const cid = msidTrackIdsByMid(this.publisher.remoteDescription?.sdp ?? "").get(mid);
    let published = [...this.participant.tracks.values()].find((t) => t.info.mid === mid);
    if (!published) {
      const info = cid ? this.pendingTracks.get(cid) : undefined;
      if (!info) {
        log.warn("media for a track that was not announced with AddTrack", { sid: this.participant.sid, mid, cid });
        return;
      }
      this.pendingTracks.delete(cid!);
      info.mid = mid;
      published = new PublishedTrack(info, new Forwarder(track.kind === "audio" ? "audio" : "video", info.sid), this.participant);
      const audioLevelId = track.kind === "audio"
        ? Number(Object.entries(this.publisher.extIdUriMap).find(([, uri]) => uri === "urn:ietf:params:rtp-hdrext:ssrc-audio-level")?.[0])
        : undefined;
      published.forwarder.attach(track, receiver, Number.isNaN(audioLevelId) ? undefined : audioLevelId);
      this.room.publish(published);
    } else {
      published.forwarder.attach(track, receiver);
    }
  }

  private onData(label: string, data: string | Buffer) {
    if (typeof data === "string") return;
    let packet: DataPacket;
    try {
      packet = DataPacket.fromBinary(new Uint8Array(data));
    } catch {
      log.warn("malformed data packet dropped", { sid: this.participant.sid });
      return;
    }
    if (!this.participant.permission.canPublishData) return;
    packet.participantIdentity = this.participant.identity;
    packet.participantSid = this.participant.sid;
    let destinations = packet.destinationIdentities;
    if (packet.value.case === "user") {
      const user = packet.value.value;
      user.participantIdentity = this.participant.identity;
      user.participantSid = this.participant.sid;
      if (destinations.length === 0) destinations = user.destinationIdentities;
    }
    const reliable = label !== "_lossy" && packet.kind !== DataPacket_Kind.LOSSY;
    const bytes = packet.toBinary();
    for (const other of this.room.participants.values()) {
      if (other === this.participant) continue;
      if (destinations.length > 0 && !destinations.includes(other.identity)) continue;
      other.connection?.deliverData(bytes, reliable);
    }
  }

  /** Every 2 s: speakers from the audio received, connection quality, and a dead-socket check. */
  private tick() {
    if (this.closed) return;
    const speakers: SpeakerInfo[] = [];
    for (const track of this.participant.tracks.values()) {
      if (track.forwarder.kind !== "audio") continue;
      const level = track.forwarder.takeLevel();
      if (level > 0.01 && !track.info.muted) speakers.push(new SpeakerInfo({ sid: this.participant.sid, level, active: true }));
    }
    this.room.reportSpeakers(this.participant, speakers[0]);
    this.send(new SignalResponse({
      message: { case: "connectionQuality", value: { updates: this.room.visible().map((p) => ({ participantSid: p.sid, quality: ConnectionQuality.EXCELLENT, score: 4.5 })) } },
    }));
    if (this.signalConnected && Date.now() - this.lastSeen > this.options.pingTimeoutS * 1000) {
      log.info("signal connection timed out", { sid: this.participant.sid });
      this.ws.terminate();
    }
  }

  claimsChanged() {
    void this.refreshToken();
  }

  private async refreshToken() {
    if (this.closed) return;
    const token = await this.options.refreshToken(this.participant);
    this.send(new SignalResponse({ message: { case: "refreshToken", value: token } }));
  }

  /**
   * The client lost its signal socket without a LeaveRequest. As LiveKit (HandleSignalSourceClose): if media is
   * connected the participant stays, waiting for the client to resume on a new socket; if not, it is closed at
   * once with SIGNAL_CLOSE.
   */
  private onSocketClosed(ws: WebSocket) {
    if (this.closed || ws !== this.ws || !this.signalConnected) return;
    this.signalConnected = false;
    if (!this.mediaConnected) {
      log.info("signal closed before media connected: participant closed", { sid: this.participant.sid });
      this.teardown();
      this.room.remove(this.participant, DisconnectReason.SIGNAL_CLOSE);
      return;
    }
    log.info("signal closed; the participant stays for the client to resume", { room: this.room.name, identity: this.participant.identity, sid: this.participant.sid });
    this.onPeerConnectionState();
  }

  /** Any peer connection of this session is connected and has not gone silent past pion's failed timeout. */
  private get mediaConnected() {
    return [this.publisher, this.subscriber].some((pc) => pc?.connectionState === "connected" && this.ice.get(pc)?.state !== "failed");
  }

  /**
   * pion's ICE connectivity check, as LiveKit configures it: a connected peer connection that has received nothing for
   * iceDisconnectedTimeout is disconnected (LiveKit only logs it), and after iceFailedTimeout more it has failed,
   * which for LiveKit is PCTransport.onPeerConnectionStateChange(Failed) → ParticipantImpl.onAnyTransportFailed.
   * Anything received again (a resume's ICE restart) makes it connected.
   */
  private checkIce() {
    if (this.closed) return;
    const now = Date.now();
    for (const pc of [this.publisher, this.subscriber]) {
      if (!pc || pc.connectionState !== "connected") continue;
      const received = pc.iceTransports.reduce((sum, transport) => sum + transport.connection.candidatePairs.reduce(
        (pairs, pair) => pairs + pair.packetsReceived + pair.requestsReceived + pair.responsesReceived, 0), 0);
      const liveness = this.ice.get(pc);
      if (!liveness || liveness.received !== received) {
        if (liveness && liveness.state !== "connected") log.info("ice connected again", { sid: this.participant.sid });
        this.ice.set(pc, { received, at: now, state: "connected" });
        continue;
      }
      const silent = now - liveness.at;
      if (liveness.state === "connected" && silent > iceDisconnectedTimeoutMs) {
        liveness.state = "disconnected";
        log.info("ice disconnected: nothing received", { sid: this.participant.sid, silentMs: silent });
      }
      if (liveness.state === "disconnected" && silent > iceDisconnectedTimeoutMs + iceFailedTimeoutMs) {
        liveness.state = "failed";
        log.info("ice failed: nothing received", { sid: this.participant.sid, silentMs: silent });
        this.onTransportFailed();
      }
    }
  }

  /**
   * LiveKit's ParticipantImpl.onAnyTransportFailed: a LeaveRequest asking the client to resume (reason
   * CONNECTION_TIMEOUT, ParticipantCloseReasonPeerConnectionDisconnected), the signal connection closed
   * (SignallingCloseReasonTransportFailure), and the disconnect timer: unless the client resumes within
   * disconnectCleanupDuration, the participant is closed with CONNECTION_TIMEOUT.
   */
  private onTransportFailed() {
    if (this.closed) return;
    this.send(new SignalResponse({
      message: { case: "leave", value: new LeaveRequest({ canReconnect: true, reason: DisconnectReason.CONNECTION_TIMEOUT, action: LeaveRequest_Action.RESUME }) },
    }));
    if (this.signalConnected) {
      this.signalConnected = false;
      this.ws.close(1000, "transport failure");
    }
    clearTimeout(this.disconnectTimer);
    this.disconnectTimer = undefined;
    this.onPeerConnectionState();
  }

  /**
   * Without a signal socket, media is the only sign of the client: when it goes (werift's peer connection fails or
   * closes, or pion's ICE timeouts above run out), the participant is closed after LiveKit's disconnect cleanup delay
   * with CONNECTION_TIMEOUT (its PeerConnectionDisconnected reason; ParticipantImpl.setupDisconnectTimer).
   */
  private onPeerConnectionState() {
    if (this.closed || this.signalConnected) return;
    if (this.mediaConnected) {
      clearTimeout(this.disconnectTimer);
      this.disconnectTimer = undefined;
      return;
    }
    this.disconnectTimer ??= setTimeout(() => {
      if (this.closed || this.signalConnected || this.mediaConnected) return;
      log.info("media lost while signal was down: participant closed", { sid: this.participant.sid });
      this.teardown();
      this.room.remove(this.participant, DisconnectReason.CONNECTION_TIMEOUT);
    }, disconnectCleanupMs);
  }

  /**
   * Test control (the emulator's --test-control-port): cuts the signal socket as a network drop would (no close
   * frame). With forget, the server also loses the participant (as a restarted LiveKit node would), so the client's
   * resume is answered with a LeaveRequest and it reconnects in full.
   */
  dropSignal(forget: boolean) {
    const ws = this.ws;
    if (forget) {
      this.signalConnected = false;
      this.teardown();
      this.room.remove(this.participant, DisconnectReason.SIGNAL_CLOSE);
    }
    ws.terminate();
  }

  /** Ends this session at once; its peer connections close after closeAfterMs (0: now). */
  private teardown(closeAfterMs = 0) {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.disconnectTimer);
    this.participant.connection = undefined;
    this.participant.info.state = ParticipantInfo_State.DISCONNECTED;
    for (const timer of this.timers) clearInterval(timer);
    for (const downTrack of this.downTracks.values()) downTrack.close();
    this.downTracks.clear();
    const closeConnections = () => {
      void this.publisher.close().catch(() => undefined);
      void this.subscriber?.close().catch(() => undefined);
    };
    if (closeAfterMs > 0) setTimeout(closeConnections, closeAfterMs).unref();
    else closeConnections();
  }
}

/**
 * Chrome marks every ICE candidate "generation 0", also after an ICE restart; werift only nominates a pair whose
 * remote candidate's generation equals its own restart count, so after a restart (every resume) it would never
 * send again. The attribute is a legacy extension (not in RFC 8839), so it is dropped before werift reads it.
 */
function withoutGeneration(candidateOrSdp: string) {
  return candidateOrSdp.replace(/ generation \d+/g, "");
}

/**
 * An offer with new ICE credentials is an ICE restart (livekit-client sends one on every resume). werift takes new
 * remote credentials on a connection with inactive m-lines for a "renomination" and never checks the new candidates,
 * so nothing it sends reaches the client again; restarting its ICE transports first makes it a full restart
 * (new local credentials, new checks), as RFC 8445 §9 describes.
 */
function restartIceOnNewCredentials(pc: RTCPeerConnection, offerSdp: string): RestartableIce[] {
  const current = /a=ice-ufrag:(\S+)/.exec(pc.remoteDescription?.sdp ?? "")?.[1];
  const offered = /a=ice-ufrag:(\S+)/.exec(offerSdp)?.[1];
  if (!current || !offered || current === offered) return [];
  const transports = (pc as unknown as { dtlsTransports: { iceTransport: RestartableIce }[] }).dtlsTransports.map((d) => d.iceTransport);
  for (const ice of transports) ice.restart();
  return transports;
}

/** The part of werift's RTCIceTransport an ICE restart needs (not in its public types). */
interface RestartableIce {
  restart(): void;
  start(): Promise<void>;
}

function serverInfo() {
  return new ServerInfo({ edition: ServerInfo_Edition.Standard, version: serverVersion, protocol: protocolVersion, region: "emulator", nodeId: "ND_emulator" });
}

/** The mids of an offer's m-lines on which the client sends (sendrecv or sendonly, port not 0). */
function sendingMids(sdp: string): Set<string> {
  const result = new Set<string>();
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const mid = /\r?\na=mid:(\S+)/.exec(section)?.[1];
    if (mid && !/^\S+ 0 /.test(section) && /\r?\na=(sendrecv|sendonly)/.test(section)) result.add(mid);
  }
  return result;
}

/** The mids of an offer's m-lines on which the client only receives (v1: where subscribed tracks can go). */
function recvonlyMids(sdp: string): Set<string> {
  const result = new Set<string>();
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const mid = /\r?\na=mid:(\S+)/.exec(section)?.[1];
    if (mid && /\r?\na=recvonly/.test(section)) result.add(mid);
  }
  return result;
}
