// The media side: werift peer connections set up the way Chrome and livekit-client need them, and one
// forwarder per published track that relays one simulcast layer to every subscriber.
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtcpPayloadSpecificFeedback,
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
  return new RTCPeerConnection({
    codecs: codecs(),
    headerExtensions: {
      audio: [useSdesMid(), useAbsSendTime(), useAudioLevelIndication()],
      video: [useSdesMid(), useAbsSendTime(), useSdesRTPStreamId(), useRepairedRtpStreamId()],
    },
    ...iceOptions(portRange),
  });
}

/** Subscriber side (the server offers): only mid and abs-send-time, written by werift's sender itself. */
export function subscriberConnection(portRange?: [number, number]) {
  return new RTCPeerConnection({
    codecs: codecs(),
    headerExtensions: { audio: [useSdesMid(), useAbsSendTime()], video: [useSdesMid(), useAbsSendTime()] },
    ...iceOptions(portRange),
  });
}

function iceOptions(portRange?: [number, number]) {
  // Media on loopback only: the emulator serves browsers on this machine.
  return { iceUseIpv6: false, iceInterfaceAddresses: { udp4: "127.0.0.1" }, ...(portRange ? { icePortRange: portRange } : {}) };
}

const ridOrder = ["q", "h", "f"];
const layerRank = (rid: string) => (rid === "" ? 0 : ridOrder.indexOf(rid));

interface Layer {
  rid: string;
  receiver: RTCRtpReceiver;
  ssrc?: number;
  /**
   * When the last packet with media arrived. Padding-only packets do not count: Chrome sends them on a simulcast
   * layer it has paused (its bandwidth probes, on the media SSRC when RTX is not negotiated), and a layer "live" on
   * padding alone was asked for, never sent a keyframe, and its switch waited for ever (GET /media: 4,789 packets,
   * 2 keyframes, 64 PLIs in a minute).
   */
  lastPacketAt: number;
  /** Packets (padding-only ones among them) and VP8 keyframes received, PLIs sent for this layer (GET /media). */
  packets: number;
  paddingOnly: number;
  keyframes: number;
  plis: number;
}

/**
 * Relays one published track. Subscribers' senders all read {@link relay}. Of a simulcast track it forwards one
 * layer: the highest one that has sent packets in the last second, switched only at a VP8 keyframe (asked for
 * with a PLI) so the decoder never sees a frame that refers to another layer's pictures.
 */
export class Forwarder {
  readonly relay: MediaStreamTrack;
  private readonly layers = new Map<string, Layer>();
  private current?: string;
  private pending?: string;
  private readonly timer: NodeJS.Timeout;
  private readonly pictureIds = new Vp8PictureIds();
  /** Listeners to the forwarded layer's packets as the publisher sent them, before the PictureID rewrite (egress). */
  private readonly sourceListeners = new Set<(rtp: RtpPacket) => void>();
  /** Audio level (0..1, RFC 6464 converted) of recent packets; undefined for video. */
  private levelSum = 0;
  private levelCount = 0;
  onAudioLevelExtension?: number;
  /**
   * What this forwarder did, for a failing test (GET /media on the test control): layer switches asked for and made,
   * keyframe requests from subscribers and to the publisher, and packets per layer. The last 60 events.
   */
  private readonly story: string[] = [];
  private readonly startedAt = Date.now();
  private subscriberKeyframeRequests = 0;
  /** Packets relayed to subscribers, and media packets among them that carried padding (sent on without it). */
  private forwarded = 0;
  private paddedMedia = 0;
  /**
   * Padding-only packets of the forwarded layer are dropped, and the packets after them go out with sequence numbers
   * moved back by as many, so subscribers see no gap (as LiveKit's RTP munger does). Forwarded, padding went out
   * without its padding bytes (werift's sender writes the header and the empty payload only), a malformed packet
   * Chrome drops and counts as lost: a journey's viewer counted 1,300 packets lost against 256 received, kept asking
   * for keyframes, and froze. `shifts`: from input sequence `from` on, packets go out `by` earlier (newest last, since
   * the last switch), so a packet that arrives late (a retransmission) gets the number of its place, not a neighbour's.
   */
  private shifts: { from: number; by: number }[] = [];
  private newestSequence?: number;

  constructor(readonly kind: "audio" | "video", trackSid: string) {
    this.relay = new MediaStreamTrack({ kind, id: trackSid });
    this.timer = setInterval(() => this.chooseLayer(), 500);
  }

  /** Adds a received RTP stream (one per simulcast layer). */
  attach(track: MediaStreamTrack, receiver: RTCRtpReceiver, audioLevelId?: number) {
    const rid = track.rid ?? "";
    const layer: Layer = { rid, receiver, ssrc: track.ssrc, lastPacketAt: 0, packets: 0, paddingOnly: 0, keyframes: 0, plis: 0 };
    this.layers.set(rid, layer);
    track.onReceiveRtp.subscribe((rtp) => {
      layer.ssrc ??= rtp.header.ssrc;
      layer.packets++;
      if (rtp.payload.length > 0) layer.lastPacketAt = Date.now();
      else layer.paddingOnly++;
      if (this.kind === "video" && isVp8KeyframeStart(rtp.payload)) layer.keyframes++;
      if (audioLevelId !== undefined) this.readLevel(rtp, audioLevelId);
      this.forward(layer, rtp);
    });
  }

  /**
   * Asks the publisher for a keyframe of the layer being forwarded, and of the one a switch waits for (a subscriber
   * joined or sent a PLI). Only the pending one, as before, left a subscriber of the current layer without a
   * keyframe until the switch: the egress's file had no video before it.
   */
  requestKeyframe() {
    if (this.kind !== "video") return;
    const wanted = new Set([this.current, this.pending].filter((rid): rid is string => rid !== undefined));
    const layers = wanted.size > 0 ? [...wanted].map((rid) => this.layers.get(rid)) : [[...this.layers.values()][0]];
    for (const layer of layers) {
      if (layer?.ssrc !== undefined) {
        layer.plis++;
        void layer.receiver.sendRtcpPLI(layer.ssrc).catch(() => undefined);
      }
    }
  }

  /** This forwarder's state and story (GET /media on the test control). */
  describe() {
    const now = Date.now();
    return {
      kind: this.kind,
      current: this.current,
      pending: this.pending,
      subscriberKeyframeRequests: this.subscriberKeyframeRequests,
      forwarded: this.forwarded,
      paddedMedia: this.paddedMedia,
      layers: [...this.layers.values()].map((l) => ({
        rid: l.rid, ssrc: l.ssrc, packets: l.packets, paddingOnly: l.paddingOnly, keyframes: l.keyframes, plis: l.plis,
        lastMediaMsAgo: l.lastPacketAt ? now - l.lastPacketAt : null,
      })),
      story: this.story,
    };
  }

  private tell(event: string) {
    this.story.push(`${((Date.now() - this.startedAt) / 1000).toFixed(1)} s: ${event}`);
    if (this.story.length > 60) this.story.splice(0, this.story.length - 60);
  }

  /**
   * Calls `listener` with each packet of the forwarded layer as the publisher sent it (its own PictureIDs; only the
   * extensions taken off), until the returned function is called. The egress's file writer reads these: the
   * PictureID rewrite is for browsers' frame reference finders, and with it the writer kept a few frames of a
   * layer switch and then none (a fresh-clone run: 1,474 video packets, 3 frames written).
   */
  onSourceRtp(listener: (rtp: RtpPacket) => void): () => void {
    this.sourceListeners.add(listener);
    return () => this.sourceListeners.delete(listener);
  }

  /** A subscriber's RTCP: picture loss and full intra requests go on to the publisher. */
  onSubscriberRtcp(rtcp: unknown) {
    if (rtcp instanceof RtcpPayloadSpecificFeedback && (rtcp.feedback.count === 1 || rtcp.feedback.count === 4)) {
      this.subscriberKeyframeRequests++;
      this.requestKeyframe();
    }
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
    this.relay.stop();
  }

  private forward(layer: Layer, rtp: RtpPacket) {
    if (this.current === undefined) {
      this.current = layer.rid;
    }
    let switched = false;
    if (this.pending === layer.rid && isVp8KeyframeStart(rtp.payload)) {
      this.tell(`switched from layer ${this.current} to ${layer.rid} at its keyframe`);
      this.current = layer.rid;
      this.pending = undefined;
      this.relay.notifySourceChanged(rtp.header);
      switched = true;
    }
    if (layer.rid !== this.current) return;
    if (switched) {
      // werift's sender carries the sequence on from this packet (notifySourceChanged): start counting afresh.
      this.shifts = [];
      this.newestSequence = undefined;
    }
    const sequence = rtp.header.sequenceNumber;
    const ahead = this.newestSequence === undefined ? 1 : (sequence - this.newestSequence) & 0xffff; // 16-bit wrap
    const newest = ahead >= 1 && ahead < 0x8000;
    if (newest) this.newestSequence = sequence;
    if (rtp.payload.length === 0) {
      // Padding only (Chrome's bandwidth probes): nothing to decode. A late one is dropped as it is (those after it
      // are gone already).
      if (newest) this.shiftAfter(sequence);
      return;
    }
    const out = rtp.clone();
    out.header.sequenceNumber = (sequence - this.shiftAt(sequence)) & 0xffff;
    if (out.header.padding) {
      // The payload comes without its padding (werift's parser took it off) and werift's sender writes none: with the
      // padding bit still set, Chrome would read the payload's last byte as a padding length and drop the packet.
      this.paddedMedia++;
      out.header.padding = false;
      out.header.paddingSize = 0;
    }
    this.forwarded++;
    // Extension ids were negotiated with the publisher; to a subscriber they mean something else, and Chrome
    // drops the stream after a few seconds. werift's sender writes the subscriber's own extensions.
    out.header.extensions = [];
    out.header.extension = false;
    if (this.sourceListeners.size > 0) {
      const plain = out.clone();
      plain.payload = Buffer.from(out.payload);
      for (const listener of this.sourceListeners) listener(plain);
    }
    if (this.kind === "video") {
      // clone() shares the payload: rewrite a copy, never the received packet (a layer attached twice after a
      // renegotiation hands the same packet over twice, and would be rewritten twice).
      out.payload = Buffer.from(out.payload);
      this.pictureIds.rewrite(out.payload, switched);
    }
    this.relay.writeRtp(out);
  }

  /** How much earlier the packet with input sequence `sequence` goes out (padding dropped before it). */
  private shiftAt(sequence: number): number {
    for (let i = this.shifts.length - 1; i >= 0; i--) {
      if (((sequence - this.shifts[i].from) & 0xffff) < 0x8000) return this.shifts[i].by;
    }
    return 0;
  }

  /** The padding packet `sequence` is dropped: the packets after it go out one earlier. */
  private shiftAfter(sequence: number) {
    const from = (sequence + 1) & 0xffff;
    const last = this.shifts.at(-1);
    if (last && last.from === sequence) {
      // A run of padding: one shift that grows.
      last.from = from;
      last.by++;
    } else {
      this.shifts.push({ from, by: this.shiftAt(sequence) + 1 });
      if (this.shifts.length > 256) this.shifts.splice(0, this.shifts.length - 256);
    }
  }

  private chooseLayer() {
    if (this.kind !== "video" || this.layers.size < 2) return;
    const now = Date.now();
    const live = [...this.layers.values()].filter((l) => now - l.lastPacketAt < 1000).sort((a, b) => layerRank(b.rid) - layerRank(a.rid));
    const target = live[0]?.rid;
    if (target === undefined || target === this.current) {
      if (this.pending !== undefined) this.tell(`switch to layer ${this.pending} given up (layer ${this.current} is the one to forward)`);
      this.pending = undefined;
      return;
    }
    if (this.pending !== target) {
      const ages = [...this.layers.values()].map((l) => `${l.rid || "-"} ${l.lastPacketAt ? now - l.lastPacketAt : "never"} ms`).join(", ");
      this.tell(`switch from layer ${this.current} to ${target} asked (last packets: ${ages})`);
    }
    this.pending = target;
    const layer = this.layers.get(target)!;
    if (layer.ssrc !== undefined) {
      layer.plis++;
      void layer.receiver.sendRtcpPLI(layer.ssrc).catch(() => undefined);
    }
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
