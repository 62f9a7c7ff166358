// One subscriber's RTP sequence numbers and timestamps (LiveKit's RTPMunger, pkg/sfu/rtpmunger.go, in its own
// words): what a subscriber receives is one continuous stream, although it is cut from several — each simulcast
// layer is its own RTP stream with its own random first sequence number and timestamp, and a paused track resumes
// where its publisher is by then. Padding-only packets (no payload; the publisher's pacer sends them on the media
// SSRC to probe bandwidth, and Chrome pads a simulcast track up to its layers' minimum bitrates) are dropped here,
// as LiveKit drops them, and the sequence numbers after them close up.
import type { RtpPacket } from "werift";

/** How many offset changes are remembered for packets that arrive late (out of order). */
const rangesKept = 64;

export class RtpMunger {
  /** Extended input sequence number of the newest packet of the current segment. */
  private highest?: number;
  /** Extended input sequence number where the current segment began; older packets belong to a finished one. */
  private segmentStart = 0;
  /** From extended input sequence number `from` on, output = input - `offset` (newest last). */
  private ranges: { from: number; offset: number }[] = [];
  private timestampOffset = 0;
  /** The newest packet sent: extended output sequence number, output timestamp, and when. */
  private last?: { sequence: number; timestamp: number; at: number };
  /** Padding-only packets dropped so far. */
  paddingDropped = 0;

  constructor(private readonly clockRate: number) {}

  /**
   * Rewrites a copy of the packet's sequence number and timestamp, or returns undefined when it is not sent.
   * `startsSegment`: the first packet from a new source (a layer switch) or after a pause; the stream goes on
   * from the last packet sent, its timestamp advanced by the wall-clock time between the two.
   */
  munge(rtp: RtpPacket, startsSegment: boolean): RtpPacket | undefined {
    const { sequenceNumber, timestamp } = rtp.header;
    if (startsSegment || this.highest === undefined) {
      // Any base works for the extended numbers of a new segment; this one keeps them positive.
      const start = sequenceNumber + 0x10000;
      const nextOut = this.last ? this.last.sequence + 1 : start;
      this.highest = start - 1;
      this.segmentStart = start;
      this.ranges = [{ from: start, offset: start - nextOut }];
      if (this.last) {
        const ticks = Math.max(1, Math.round(((Date.now() - this.last.at) * this.clockRate) / 1000));
        this.timestampOffset = (timestamp - (this.last.timestamp + ticks)) >>> 0;
      } else {
        this.timestampOffset = 0;
      }
    }
    const extended = this.highest! + (((sequenceNumber - this.highest! + 0x8000) & 0xffff) - 0x8000);
    if (extended < this.segmentStart) return undefined;
    const newest = extended > this.highest!;
    if (newest && rtp.payload.length === 0 && extended === this.highest! + 1) {
      // Contiguous padding: leave it out and close the gap it would leave.
      this.highest = extended;
      this.paddingDropped++;
      this.ranges.push({ from: extended + 1, offset: this.ranges.at(-1)!.offset + 1 });
      if (this.ranges.length > rangesKept) this.ranges.shift();
      return undefined;
    }
    let offset: number | undefined;
    for (let i = this.ranges.length - 1; i >= 0; i--) {
      if (this.ranges[i].from <= extended) {
        offset = this.ranges[i].offset;
        break;
      }
    }
    // Older than every remembered offset change: where it belongs is no longer known.
    if (offset === undefined) return undefined;
    const out = rtp.clone();
    const outSequence = extended - offset;
    out.header.sequenceNumber = outSequence & 0xffff;
    out.header.timestamp = (timestamp - this.timestampOffset) >>> 0;
    if (newest) {
      this.highest = extended;
      this.last = { sequence: outSequence, timestamp: out.header.timestamp, at: Date.now() };
    }
    return out;
  }
}
