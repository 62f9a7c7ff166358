// The media side: werift peer connections set up the way Chrome and livekit-client need them, one forwarder per
// published track, and per subscriber a down track that relays the simulcast layer that subscriber asked for.
import {
  GenericNack,
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtcpPayloadSpecificFeedback,
  RtcpTransportLayerFeedback,
  RtpPacket,
  useAbsSendTime,
  useAudioLevelIndication,
  useNACK,
  usePLI,
  useREMB,
  useRepairedRtpStreamId,
  useSdesMid,
  useSdesRTPStreamId,
  type RTCRtpReceiver,
} from "werift";
import { VideoQuality, type VideoLayer } from "@livekit/protocol";
import { NackQueue, nackRetryMs } from "./nack.js";
import { RtpMunger } from "./rtpmunger.js";

const codecs = () => ({
  audio: [new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48000, channels: 2 })],
  video: [new RTCRtpCodecParameters({ mimeType: "video/VP8", clockRate: 90000, rtcpFeedback: [useNACK(), usePLI(), useREMB()] })],
});

/**
 * Publisher side (the server answers): mid and rid extensions to demultiplex simulcast, audio level for
 * SpeakersChanged, abs-send-time for the sender's bandwidth estimate. No transport-cc: werift's feedback for it
 * keeps Chrome's estimate near 170 kbps.
 */
export function publisherConnection(portRange?: [number, number]) {
  return asLiveKitsIce(new RTCPeerConnection({
    codecs: codecs(),
    headerExtensions: {
      audio: [useSdesMid(), useAbsSendTime(), useAudioLevelIndication()],
      video: [useSdesMid(), useAbsSendTime(), useSdesRTPStreamId(), useRepairedRtpStreamId()],
    },
    ...iceOptions(portRange),
  }));
}

/** Subscriber side (the server offers): only mid and abs-send-time, written by werift's sender itself. */
export function subscriberConnection(portRange?: [number, number]) {
  return asLiveKitsIce(new RTCPeerConnection({
    codecs: codecs(),
    headerExtensions: { audio: [useSdesMid(), useAbsSendTime()], video: [useSdesMid(), useAbsSendTime()] },
    ...iceOptions(portRange),
  }));
}

/**
 * Socket receive buffer asked for each ICE socket (bytes; Linux caps it at net.core.rmem_max). The default, 208 KiB,
 * is a few hundred milliseconds of a call's video: while the emulator's one thread is busy (a loaded CI machine) the
 * kernel dropped what did not fit (the machine's UdpRcvbufErrors counted hundreds of thousands after loaded runs, and
 * ci38's journeys froze on the lost packets).
 */
export const receiveBufferBytes = 4 * 1024 * 1024;

/**
 * Once a connection has gathered its candidates: roomy receive buffers on its sockets, and no RFC 7675 consent expiry.
 * werift fails a connection when none of its consent checks (one STUN request every 4–6 s, no retransmission, an
 * answer awaited 500 ms) is answered for 30 s. LiveKit's ICE agent (pion) has no such expiry: it fails a connection
 * only when nothing at all arrives (Session.checkIce does that here). Under load the emulator reads its sockets
 * seconds late, so every answer came after its 500 ms: werift failed a publisher connection whose media still
 * flowed, sent nothing more to that browser, and its subscribers' video stopped for good (the web-restart journey,
 * 4 runs in 10: the page's selected pair received nothing after the restart while it kept sending).
 */
function asLiveKitsIce(pc: RTCPeerConnection) {
  pc.iceGatheringStateChange.subscribe((state) => {
    if (state !== "complete") return;
    for (const transport of pc.iceTransports) {
      // werift's Connection.queryConsent starts the consent checks once connected, and again after an ICE restart;
      // instead, consent is given once and for all (werift sends nothing without it: canSendApplicationData).
      const connection = transport.connection as unknown as { queryConsent: () => void; consentFresh: boolean };
      connection.queryConsent = () => {
        connection.consentFresh = true;
      };
      // werift keeps the gathered sockets private (Connection.protocols → StunProtocol.transport → UdpTransport.socket).
      const protocols = (transport.connection as unknown as { protocols: { transport?: { socket?: import("node:dgram").Socket } }[] }).protocols;
      for (const protocol of protocols) {
        try {
          protocol.transport?.socket?.setRecvBufferSize(receiveBufferBytes);
        } catch {
          // A closed socket, or a system that refuses: the default buffer still works, only less well under load.
        }
      }
    }
  });
  return pc;
}

function iceOptions(portRange?: [number, number]) {
  // Media on loopback only: the emulator serves browsers on this machine.
  return { iceUseIpv6: false, iceInterfaceAddresses: { udp4: "127.0.0.1" }, ...(portRange ? { icePortRange: portRange } : {}) };
}

/**
 * Simulcast layers by rid, lowest first: livekit-client names them q, h, f for VideoQuality LOW, MEDIUM, HIGH
 * (videoQualityForRid); a track without simulcast has one layer, rid "".
 */
const ridOrder = ["q", "h", "f"];
const layerQuality = (rid: string): VideoQuality => (rid === "" ? VideoQuality.LOW : Math.max(0, ridOrder.indexOf(rid)));

interface Layer {
  rid: string;
  receiver: RTCRtpReceiver;
  ssrc?: number;
  /**
   * When the last packet with media arrived. Padding-only packets do not count: Chrome sends them on a simulcast
   * layer it has paused (its bandwidth probes, on the media SSRC when RTX is not negotiated), and a layer "live" on
   * padding alone is chosen, never sends the keyframe a switch waits for, and its subscribers see nothing again
   * (found by the web-restart journey: 4,789 packets, 2 keyframes, 64 PLIs in a minute on such a layer).
   */
  lastPacketAt: number;
  /**
   * Packets (padding-only ones among them, and late ones: retransmissions or reordered), VP8 keyframes received, PLIs
   * sent for this layer (GET /media).
   */
  packets: number;
  paddingOnly: number;
  late: number;
  keyframes: number;
  plis: number;
  /** Video only: the packets of this layer that did not arrive, asked for again (Generic NACK). */
  nacks?: NackQueue;
  /** A keyframe is wanted because a packet was lost for good (see {@link Forwarder.healLoss}); when the last was asked. */
  keyframeAfterLoss: boolean;
  lastLossPliAt: number;
  /** PLIs sent because packets were lost for good (counted in plis too). */
  lossPlis: number;
}

/**
 * One published track as received: its layers (one RTP stream per simulcast layer) and a {@link DownTrack} per
 * subscriber, to which every packet is offered. Each down track forwards one layer of its own choice.
 */
export class Forwarder {
  private readonly layers = new Map<string, Layer>();
  private readonly downTracks = new Set<DownTrack>();
  private readonly timer: NodeJS.Timeout;
  /** Audio level (0..1, RFC 6464 converted) of recent packets; undefined for video. */
  private levelSum = 0;
  private levelCount = 0;
  private readonly nackTimer?: NodeJS.Timeout;
  /**
   * Test control only (POST /media/loss): the share of this track's packets thrown away on arrival, 0..1, as a lossy
   * network between publisher and server would lose them. Retransmissions are thrown away at the same rate.
   */
  ingressLoss = 0;
  /** Packets thrown away by {@link ingressLoss}. */
  private ingressDropped = 0;

  constructor(readonly kind: "audio" | "video", readonly trackSid: string) {
    this.timer = setInterval(() => this.chooseLayers(), 500);
    // A packet asked for again may be lost again: ask once more even when nothing else arrives to prompt it.
    if (kind === "video") this.nackTimer = setInterval(() => this.sendNacks(), nackRetryMs);
  }

  /** Adds a received RTP stream (one per simulcast layer). */
  attach(track: MediaStreamTrack, receiver: RTCRtpReceiver, audioLevelId?: number) {
    const rid = track.rid ?? "";
    const layer: Layer = {
      rid, receiver, ssrc: track.ssrc, lastPacketAt: 0, packets: 0, paddingOnly: 0, late: 0, keyframes: 0, plis: 0,
      nacks: this.kind === "video" ? new NackQueue() : undefined, keyframeAfterLoss: false, lastLossPliAt: 0, lossPlis: 0,
    };
    this.layers.set(rid, layer);
    if (this.kind === "video") switchOffWeriftNacks(receiver);
    track.onReceiveRtp.subscribe((rtp) => {
      if (this.ingressLoss > 0 && Math.random() < this.ingressLoss) {
        this.ingressDropped++;
        return;
      }
      layer.ssrc ??= rtp.header.ssrc;
      layer.packets++;
      let late = false;
      if (layer.nacks) {
        late = !layer.nacks.push(rtp.header.sequenceNumber, Date.now());
        if (layer.nacks.pending) this.sendNacks(layer);
      }
      if (rtp.payload.length === 0) layer.paddingOnly++;
      if (late) layer.late++;
      if (this.kind === "video" && isVp8KeyframeStart(rtp.payload)) layer.keyframes++;
      const first = layer.lastPacketAt === 0 && rtp.payload.length > 0;
      if (rtp.payload.length > 0) layer.lastPacketAt = Date.now();
      if (audioLevelId !== undefined) this.readLevel(rtp, audioLevelId);
      this.forward(layer, rtp, late);
      // A layer that has just begun may be what a down track waits for.
      if (first) this.chooseLayers();
    });
  }

  /** A subscriber's copy of this track; it forwards nothing until it has chosen a layer and that layer's keyframe came. */
  addDownTrack(): DownTrack {
    const downTrack = new DownTrack(this);
    this.downTracks.add(downTrack);
    this.chooseLayer(downTrack);
    return downTrack;
  }

  removeDownTrack(downTrack: DownTrack) {
    this.downTracks.delete(downTrack);
    downTrack.relay.stop();
  }

  /** Asks the publisher for a keyframe of the layer (a PLI on its SSRC; Chrome coalesces several into one). */
  requestKeyframe(rid: string | undefined) {
    if (this.kind !== "video" || rid === undefined) return;
    const layer = this.layers.get(rid);
    if (layer?.ssrc !== undefined) {
      layer.plis++;
      void layer.receiver.sendRtcpPLI(layer.ssrc).catch(() => undefined);
    }
  }

  /** Sends a Generic NACK for what each layer (or the one given) misses and is due to be asked for again. */
  private sendNacks(only?: Layer) {
    const now = Date.now();
    for (const layer of only ? [only] : this.layers.values()) {
      this.healLoss(layer, now);
      if (!layer.nacks?.pending || layer.ssrc === undefined) continue;
      const lost = layer.nacks.due(now);
      if (lost.length === 0) continue;
      const nack = new GenericNack({ senderSsrc: layer.receiver.rtcpSsrc, mediaSourceSsrc: layer.ssrc, lost });
      void layer.receiver.dtlsTransport.sendRtcp([new RtcpTransportLayerFeedback({ feedback: nack })]).catch(() => undefined);
    }
  }

  /**
   * A packet of the layer lost for good (no retransmission came) leaves every subscriber's picture broken until the
   * next keyframe; this asks the publisher for one at once, at most every 500 ms per layer, rather than waiting for
   * a subscriber to ask. Chromium's viewer did not ask in time: after the emulator fell behind while the web
   * restarted (a CPU spike), 75 packets of a camera's layer were given up and the viewer's picture stood still for
   * 33 s, with packets flowing and no keyframe asked for by anyone (the restart journey's relay timeline). LiveKit's
   * own down tracks keep what they forwarded and resend it to subscribers, which the emulator does not.
   */
  private healLoss(layer: Layer, now: number) {
    if (layer.nacks?.takeLostForGood()) layer.keyframeAfterLoss = true;
    if (!layer.keyframeAfterLoss || now - layer.lastLossPliAt < 500) return;
    layer.keyframeAfterLoss = false;
    layer.lastLossPliAt = now;
    layer.lossPlis++;
    this.requestKeyframe(layer.rid);
  }

  /** What this track's relay did, for a failing test's message (GET /media on the test control). */
  describe() {
    const now = Date.now();
    return {
      kind: this.kind,
      ingressDropped: this.ingressDropped,
      layers: [...this.layers.values()].map((l) => ({
        rid: l.rid, ssrc: l.ssrc, packets: l.packets, paddingOnly: l.paddingOnly, late: l.late, keyframes: l.keyframes, plis: l.plis,
        nacked: l.nacks?.asked, recovered: l.nacks?.recovered, givenUp: l.nacks?.givenUp, lossPlis: l.lossPlis,
        lastMediaMsAgo: l.lastPacketAt ? now - l.lastPacketAt : null,
      })),
      downTracks: [...this.downTracks].map((d) => d.describe()),
    };
  }

  /** Mean audio level since the last call, 0..1. */
  takeLevel(): number {
    const level = this.levelCount ? this.levelSum / this.levelCount : 0;
    this.levelSum = 0;
    this.levelCount = 0;
    return level;
  }

  stop() {
    clearInterval(this.timer);
    clearInterval(this.nackTimer);
    for (const downTrack of this.downTracks) downTrack.relay.stop();
    this.downTracks.clear();
  }

  /** Chooses again for every down track (their settings changed, or a layer began or stopped). */
  chooseLayers() {
    for (const downTrack of this.downTracks) this.chooseLayer(downTrack);
  }

  /**
   * As LiveKit's forwarder: the highest layer that has sent packets in the last second and is no higher than the
   * subscriber's maximum; when none that low is live, the lowest live one (LiveKit's overshoot for simulcast).
   */
  chooseLayer(downTrack: DownTrack) {
    const max = downTrack.maxQuality;
    if (max === undefined) {
      downTrack.target(undefined);
      return;
    }
    const now = Date.now();
    const live = [...this.layers.values()].filter((l) => now - l.lastPacketAt < 1000).sort((a, b) => layerQuality(a.rid) - layerQuality(b.rid));
    if (live.length === 0) {
      // Nothing received lately (the publisher paused, or nothing came yet): stay where it is, or take what comes first.
      if (!downTrack.hasLayer) downTrack.target([...this.layers.keys()][0]);
      return;
    }
    const allowed = live.filter((l) => layerQuality(l.rid) <= max);
    downTrack.target((allowed.at(-1) ?? live[0]).rid);
  }

  /** Offers a received packet to every down track; `late`: older than one of its layer already received. */
  private forward(layer: Layer, rtp: RtpPacket, late: boolean) {
    if (this.downTracks.size === 0) return;
    const out = rtp.clone();
    // Extension ids were negotiated with the publisher; to a subscriber they mean something else, and Chrome
    // drops the stream after a few seconds. werift's sender writes the subscriber's own extensions.
    out.header.extensions = [];
    out.header.extension = false;
    // werift's parser takes a packet's padding off its payload and its sender writes none: with the padding bit still
    // set, Chrome reads the payload's last byte as a padding length and drops the packet (counted lost).
    out.header.padding = false;
    out.header.paddingSize = 0;
    for (const downTrack of this.downTracks) downTrack.offer(layer.rid, out, late);
  }

  private readLevel(rtp: RtpPacket, id: number) {
    const ext = rtp.header.extensions.find((e) => e.id === id);
    if (!ext || ext.payload.length < 1) return;
    const dBov = ext.payload[0] & 0x7f;
    this.levelSum += Math.pow(10, -dBov / 20);
    this.levelCount++;
  }
}

/**
 * werift 0.25's receiver keeps one NACK queue for all the SSRCs of a transceiver. With simulcast it reads the layers'
 * unrelated sequence numbers as one stream: it marks thousands "lost", asks for them on whichever SSRC came last, and
 * misses the real losses. Each layer has its own {@link NackQueue} instead.
 */
function switchOffWeriftNacks(receiver: RTCRtpReceiver) {
  (receiver as unknown as { nack: { addPacket(packet: RtpPacket): void } }).nack.addPacket = () => undefined;
}

/**
 * One subscriber's copy of a published track (LiveKit's DownTrack): the layer it forwards, what the subscriber
 * asked for (UpdateTrackSettings: disabled, quality, or dimensions that pick a quality), and one continuous RTP
 * stream out — sequence numbers and timestamps carried on across layer switches and pauses ({@link RtpMunger}),
 * VP8 PictureIDs too ({@link Vp8PictureIds}). A video layer is switched to, and a paused track resumed, only at a
 * keyframe of the layer, which is asked for with a PLI.
 */
export class DownTrack {
  /** What the subscriber's sender reads. */
  readonly relay: MediaStreamTrack;
  /** Highest quality the subscriber wants; undefined: none (disabled, or quality OFF). */
  maxQuality: VideoQuality | undefined = VideoQuality.HIGH;
  /** The layer being forwarded; undefined while paused or before the first keyframe. */
  private current?: string;
  /** The layer chosen; forwarding moves to it at its next keyframe. */
  private wanted?: string;
  private readonly munger: RtpMunger;
  private readonly pictureIds = new Vp8PictureIds();
  /** Listeners to each packet sent (the egress's file writer). */
  private readonly listeners = new Set<(rtp: RtpPacket) => void>();
  /** Layer switches, for the egress's story. */
  onSwitch?: (from: string | undefined, to: string) => void;

  constructor(private readonly forwarder: Forwarder) {
    this.relay = new MediaStreamTrack({ kind: forwarder.kind, id: forwarder.trackSid });
    this.munger = new RtpMunger(forwarder.kind === "audio" ? 48000 : 90000);
  }

  get kind() {
    return this.forwarder.kind;
  }

  /** Whether a layer is chosen (it may still wait for that layer's keyframe). */
  get hasLayer() {
    return this.wanted !== undefined;
  }

  /** The layer forwarded and the one waited for, the subscriber's cap, what was sent and left out (GET /media). */
  describe() {
    return { current: this.current, wanted: this.wanted, maxQuality: this.maxQuality, sent: this.sent, paddingDropped: this.paddingDropped };
  }

  /** Packets sent to the subscriber. */
  private sent = 0;

  /** Padding-only packets left out (see {@link RtpMunger}). */
  get paddingDropped() {
    return this.munger.paddingDropped;
  }

  /**
   * Applies a subscriber's UpdateTrackSettings (LiveKit: SubscribedTrack.applySettings): disabled pauses the track;
   * otherwise the quality, or the quality whose layer is the smallest at least 90 % as high as the requested height,
   * caps the layer.
   */
  applySettings(settings: { disabled: boolean; quality: VideoQuality; width: number; height: number }, layers: VideoLayer[]) {
    if (settings.disabled) this.maxQuality = undefined;
    else if (this.kind === "audio") this.maxQuality = VideoQuality.HIGH;
    else if (settings.width > 0 || settings.height > 0) this.maxQuality = qualityForDimensions(layers, settings.height);
    else this.maxQuality = settings.quality === VideoQuality.OFF ? undefined : settings.quality;
    this.forwarder.chooseLayer(this);
  }

  /** Sets the layer to forward (undefined: pause); a different video layer, or a resume, waits for its keyframe. */
  target(rid: string | undefined) {
    if (rid === undefined) {
      this.wanted = undefined;
      this.current = undefined;
      return;
    }
    this.wanted = rid;
    if (rid !== this.current) this.forwarder.requestKeyframe(rid);
  }

  /** The subscriber (or the egress) lost a picture: a keyframe of what it gets, and of what it waits for. */
  requestKeyframe() {
    this.forwarder.requestKeyframe(this.current);
    if (this.wanted !== this.current) this.forwarder.requestKeyframe(this.wanted);
  }

  /** A subscriber's RTCP: picture loss and full intra requests go on to the publisher. */
  onSubscriberRtcp(rtcp: unknown) {
    if (rtcp instanceof RtcpPayloadSpecificFeedback && (rtcp.feedback.count === 1 || rtcp.feedback.count === 4)) {
      this.requestKeyframe();
    }
  }

  /** The subscription ended: nothing more is forwarded to it. */
  close() {
    this.forwarder.removeDownTrack(this);
  }

  /** Calls `listener` with each packet this down track sends, until the returned function is called. */
  onRtp(listener: (rtp: RtpPacket) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A packet of layer `rid` (extensions already taken off); forwarded if it is this down track's. `late`: older than
   * one of its layer already received (a retransmission the emulator asked for). A late keyframe start never begins a
   * switch: the rest of that keyframe came before it and was not forwarded, so the subscriber would get a keyframe it
   * cannot decode and stand still until its own PLI brought another (3 s in MediaLossTests). The switch waits for the
   * next keyframe, asked for every 500 ms while it is waited for.
   */
  offer(rid: string, rtp: RtpPacket, late = false) {
    if (this.wanted === undefined) return;
    let startsSegment = false;
    if (rid === this.wanted && rid !== this.current && !late && (this.kind === "audio" || isVp8KeyframeStart(rtp.payload))) {
      this.onSwitch?.(this.current, rid);
      this.current = rid;
      startsSegment = true;
    }
    if (rid !== this.current) return;
    const out = this.munger.munge(rtp, startsSegment);
    if (!out) return;
    if (this.kind === "video") {
      // clone() shares the payload: rewrite a copy, never the received packet other down tracks also get.
      out.payload = Buffer.from(out.payload);
      this.pictureIds.rewrite(out.payload, startsSegment);
    }
    this.sent++;
    this.relay.writeRtp(out);
    for (const listener of this.listeners) listener(out);
  }
}

/**
 * LiveKit's choice of quality for a subscriber's video size (MediaTrackReceiver.GetQualityForDimension): of the
 * published layers' heights, lowest first, the first at least 90 % of the requested height; the highest if none is.
 */
export function qualityForDimensions(layers: VideoLayer[], height: number): VideoQuality {
  const sorted = [...layers].filter((l) => l.height > 0).sort((a, b) => a.height - b.height);
  if (sorted.length === 0) return VideoQuality.HIGH;
  const wanted = height * 0.9;
  for (let i = 0; i < sorted.length - 1; i++) {
    if (sorted[i].height >= wanted && sorted[i].height !== sorted[i + 1].height) return sorted[i].quality;
  }
  return sorted.at(-1)!.quality;
}

/**
 * Keeps the VP8 payload descriptor's PictureID and TL0PICIDX (RFC 7741 §4.2) going on across a simulcast layer
 * switch, as LiveKit's VP8 munger does. Each layer counts its own from a random start; after a switch Chrome's frame
 * reference finder took the new layer's pictures for old ones whenever its PictureID was behind, and dropped every
 * frame: packets kept arriving, nothing decoded, PLIs went unanswered in effect (a journey's viewer froze for good).
 */
class Vp8PictureIds {
  private pictureOffset = 0;
  private tl0Offset = 0;
  private lastPicture?: number;
  private lastTl0?: number;

  /** Rewrites the descriptor of a forwarded packet in place; `switched`: this packet starts the newly chosen layer. */
  rewrite(payload: Buffer, switched: boolean) {
    if (payload.length < 2 || (payload[0] & 0x80) === 0) return;
    const x = payload[1];
    let i = 2;
    let pictureAt: number | undefined;
    let wide = false;
    if (x & 0x80) {
      if (i >= payload.length) return;
      pictureAt = i;
      wide = (payload[i] & 0x80) !== 0;
      i += wide ? 2 : 1;
    }
    const tl0At = x & 0x40 ? i : undefined;
    if (pictureAt !== undefined && (wide ? pictureAt + 1 : pictureAt) >= payload.length) return;
    if (tl0At !== undefined && tl0At >= payload.length) return;

    if (pictureAt !== undefined) {
      const bits = wide ? 15 : 7;
      const mask = (1 << bits) - 1;
      const picture = wide ? ((payload[pictureAt] & 0x7f) << 8) | payload[pictureAt + 1] : payload[pictureAt] & 0x7f;
      if (switched && this.lastPicture !== undefined) {
        this.pictureOffset = (this.lastPicture + 1 - picture) & mask;
      }
      const out = (picture + this.pictureOffset) & mask;
      if (wide) {
        payload[pictureAt] = 0x80 | (out >> 8);
        payload[pictureAt + 1] = out & 0xff;
      } else {
        payload[pictureAt] = out;
      }
      this.lastPicture = out;
    }
    if (tl0At !== undefined) {
      const tl0 = payload[tl0At];
      if (switched && this.lastTl0 !== undefined) this.tl0Offset = (this.lastTl0 + 1 - tl0) & 0xff;
      const out = (tl0 + this.tl0Offset) & 0xff;
      payload[tl0At] = out;
      this.lastTl0 = out;
    }
  }
}

/** True for the first packet of a VP8 keyframe (RFC 7741 payload descriptor, then the VP8 frame tag). */
export function isVp8KeyframeStart(payload: Buffer): boolean {
  if (payload.length < 3) return false;
  const b0 = payload[0];
  const start = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
  if (!start) return false;
  let i = 1;
  if (b0 & 0x80) {
    const x = payload[i++];
    if (x & 0x80) i += payload[i] & 0x80 ? 2 : 1; // I: picture id, 7 or 15 bits
    if (x & 0x40) i++; // L: TL0PICIDX
    if (x & 0x30) i++; // T/K: TID/KEYIDX
  }
  return i < payload.length && (payload[i] & 0x01) === 0;
}

/** mid → the msid track id (livekit-client's track cid) of each m-line of an SDP. */
export function msidTrackIdsByMid(sdp: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const mid = /\r?\na=mid:(\S+)/.exec(section)?.[1];
    const msid = /\r?\na=msid:\S+ (\S+)/.exec(section)?.[1];
    if (mid && msid) result.set(mid, msid);
  }
  return result;
}
