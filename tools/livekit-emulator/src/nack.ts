// Asking a publisher again for the packets of one RTP stream that did not arrive (RFC 4585 §6.2.1 Generic NACK),
// one queue per SSRC as LiveKit's receive buffer keeps one (pkg/sfu/buffer). Without it a packet lost between the
// publisher and the server is lost to every subscriber: their own NACKs reach the server, which never had it, and
// a keyframe missing one packet cannot be decoded, so the picture stays frozen while PLIs go round (ci38's journeys,
// under load). werift's own receiver NACKs are one queue per transceiver: with simulcast it mixes the layers'
// unrelated sequence numbers and asks for the wrong packets on the wrong SSRC, so the emulator switches it off.

/** Tries per missing packet: a retransmission that is lost too is asked for again, up to this many times. */
export const maxNackTries = 5;
/**
 * Wait before the second try for one packet (ms), doubled for each later one (40, 80, 160, 320): longer than a
 * loopback round trip plus the publisher's pacing, and spread out because Chromium ignores a NACK for a packet it
 * resent less than one round-trip time ago, by its own estimate of that time.
 */
export const nackRetryMs = 40;
/** A packet missing longer than this (ms) is given up: its frame has been skipped by then, and a PLI heals it. */
export const nackGiveUpMs = 1000;
/** A jump of more sequence numbers than this is a new start of the stream (or a wrap we missed), not a loss. */
export const maxGap = 100;

/** The sequence numbers of one RTP stream that are missing, and when each should be asked for again. */
export class NackQueue {
  /** Extended (unwrapped) sequence number of the newest packet. */
  private highest?: number;
  /** Extended sequence number → tries so far and when the last was sent (ms since the epoch). */
  private readonly missing = new Map<number, { since: number; tries: number; lastAt: number }>();
  /** Packets asked for again, and of those, how many came. */
  asked = 0;
  recovered = 0;
  /** Packets given up on (asked for too often or too long), and jumps too long to ask for at all. */
  givenUp = 0;
  /**
   * Set when a packet is lost for good (given up, or inside a jump): the picture of every subscriber of this stream
   * is broken until the next keyframe. See {@link takeLostForGood}.
   */
  private lostForGood = false;

  /**
   * Records a received packet; a jump forward marks the numbers in between missing. Returns false for a packet older
   * than one already received (a retransmission, or reordered).
   */
  push(sequenceNumber: number, now: number): boolean {
    if (this.highest === undefined) {
      this.highest = sequenceNumber + 0x10000;
      return true;
    }
    const extended = this.highest + (((sequenceNumber - this.highest + 0x8000) & 0xffff) - 0x8000);
    if (extended <= this.highest) {
      if (this.missing.delete(extended)) this.recovered++;
      return false;
    }
    const gap = extended - this.highest - 1;
    if (gap > maxGap) {
      this.missing.clear();
      this.lostForGood = true;
    }
    else for (let s = this.highest + 1; s < extended; s++) this.missing.set(s, { since: now, tries: 0, lastAt: 0 });
    this.highest = extended;
    return true;
  }

  /** The 16-bit sequence numbers to ask for now (each counted as a try), oldest first; gives up on stale ones. */
  due(now: number): number[] {
    const due: number[] = [];
    for (const [extended, entry] of this.missing) {
      if (entry.tries >= maxNackTries || now - entry.since > nackGiveUpMs) {
        this.missing.delete(extended);
        this.givenUp++;
        this.lostForGood = true;
        continue;
      }
      if (entry.tries > 0 && now - entry.lastAt < nackRetryMs * 2 ** (entry.tries - 1)) continue;
      entry.tries++;
      entry.lastAt = now;
      this.asked++;
      due.push(extended & 0xffff);
    }
    return due;
  }

  /** Whether a packet was lost for good since the last call: the stream needs a keyframe. */
  takeLostForGood(): boolean {
    const lost = this.lostForGood;
    this.lostForGood = false;
    return lost;
  }

  /** Whether any packet is still waited for. */
  get pending() {
    return this.missing.size > 0;
  }
}
