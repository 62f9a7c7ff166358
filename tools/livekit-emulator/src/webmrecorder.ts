// The egress's file writer: RTP of one Opus and one VP8 track into a WebM file, written in order through one file
// stream. It uses werift's own pieces (its jitter buffer, depacketizer and WebM muxer) but not werift's
// MediaRecorder, for two faults of the latter:
// - It appends every block with its own appendFile (open, write, close) behind a promise queue. Under load that queue
//   fell seconds behind, and at stop the file on disk held a fraction of what was recorded (ci47: "0 s" for 6 s; run
//   alone, 3 s of 6.7 s, and 17 kB at stop that became 269 kB four seconds later).
// - Its RTP clock adds each packet's step rounded down to a whole millisecond (33 ms for a 33.3 ms video frame), so
//   video drifted 1 % behind audio; and each track's clock started at 0 with its own first packet, so a camera
//   whose first frame came a second after the microphone's was shown a second early.
// Here every track's times are on one clock, the recorder's (TrackClock), and frames reach the muxer in time order
// (interleaveMs).
import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { DepacketizeCallback, JitterBufferCallback, WebmBase, type RtpPacket } from "werift/nonstandard";

type Kind = "audio" | "video";

/** werift's muxer with its start (the EBML header and the segment's opening) callable from here. */
class Muxer extends WebmBase {
  begin() {
    this.start();
  }
}

/**
 * How far (ms) a track's media time may stray from its packets' arrival before it is set back to the arrival. Both
 * ways were seen on a loaded machine: the relay read a recording's first packets 1.6 s late and then caught up, so
 * the RTP timestamps ran 1.6 s ahead of the arrivals (a 6.9 s recording came out 8.5 s long); and the pages' fake
 * microphone fell 1.7 s behind the camera in 7 s. Tracks so far apart cannot be interleaved (see interleaveMs).
 */
const driftMs = 150;

/**
 * RTP timestamps of one track → milliseconds on the recorder's clock, which all tracks share: the first packet's
 * arrival since the recorder began plus the RTP timestamps' distance from that packet's (unwrapped across 2^32,
 * never rounded), moved to a packet's arrival whenever it has strayed more than driftMs from it. A track's times
 * never go back: after a move back, frames keep the time reached until their own catches up.
 */
class TrackClock {
  private anchorMs?: number;
  private lastTimestamp = 0;
  private extended = 0;
  private lastTimeMs = -Infinity;

  constructor(private readonly clockRate: number) {}

  /** ms on the recorder's clock at which this packet's media is to be shown; arrivalMs when it came. */
  time(rtp: RtpPacket, arrivalMs: number): number {
    const timestamp = rtp.header.timestamp;
    if (this.anchorMs === undefined) {
      this.anchorMs = arrivalMs;
    } else {
      this.extended += (timestamp - this.lastTimestamp) | 0; // the signed 32-bit step: a wrap or a reordered packet
    }
    this.lastTimestamp = timestamp;
    let time = this.anchorMs + (this.extended * 1000) / this.clockRate;
    if (Math.abs(arrivalMs - time) > driftMs) {
      this.anchorMs += arrivalMs - time;
      time = arrivalMs;
    }
    this.lastTimeMs = Math.max(this.lastTimeMs, time);
    return this.lastTimeMs;
  }
}

/** A frame out of a track's depacketizer, as werift's muxer takes it (time in ms on the recorder's clock). */
type Frame = { frame?: { data: Buffer; isKeyframe: boolean; time: number } };

/**
 * How long (ms) a frame may wait for the other track's frames of the same moment. werift's muxer writes frames as
 * they come and starts a cluster at each video keyframe; a frame of the other track older than that cluster's start
 * would need a negative block time and is dropped (25 of 233 audio frames in one 7 s recording). So frames are
 * handed to it in time order: each waits until every track has given a frame as late as it, or until a frame this
 * much later has arrived (a muted microphone sends nothing; a lost packet leaves a gap).
 */
const interleaveMs = 500;

/**
 * Writes a WebM file (Matroska, RFC 9559; VP8 video, Opus audio) from the RTP of the tracks given, numbered in the
 * file from 1 in that order. Video is written from its first keyframe on. Errors of the pipeline (a packet the
 * depacketizer cannot read) are counted and passed to <onError>, and the recording goes on.
 */
export class WebmRecorder {
  private readonly file;
  private readonly started = performance.now();
  private readonly tracks;
  private readonly muxer: Muxer;
  private readonly inputs: ((rtp: RtpPacket) => void)[];
  /** Frames waiting for their turn, in time order. */
  private readonly pending: { index: number; frame: Frame & { frame: {} } }[] = [];
  /** Per track, the time of its latest frame and of its latest packet (ms on the recorder's clock). */
  private readonly latestFrame: (number | undefined)[];
  private readonly latestPacket: (number | undefined)[];
  private closed = false;
  /** Packets the pipeline could not take (each also went to onError). */
  errors = 0;

  constructor(path: string, kinds: Kind[], private readonly onError: (error: Error) => void, size = { width: 1280, height: 720 }) {
    this.file = createWriteStream(path);
    this.tracks = kinds.map((kind, i) => kind === "video"
      ? { kind, codec: "VP8" as const, clockRate: 90000, trackNumber: i + 1, ...size }
      : { kind, codec: "OPUS" as const, clockRate: 48000, trackNumber: i + 1 });
    this.latestFrame = kinds.map(() => undefined);
    this.latestPacket = kinds.map(() => undefined);
    // The header is written first, so its Duration is a placeholder (a day, as werift's recorder declares) that
    // webm.ts overwrites in place: without one, the header would have no room for the real length.
    this.muxer = new Muxer(this.tracks, (output) => {
      if (output.saveToFile) this.file.write(output.saveToFile);
    }, { duration: 24 * 60 * 60 * 1000 });
    this.inputs = this.tracks.map((track, index) => {
      const clock = new TrackClock(track.clockRate);
      const arrivals = new WeakMap<RtpPacket, number>();
      const arrived = (rtp: RtpPacket) => {
        arrivals.set(rtp, performance.now() - this.started);
        return rtp;
      };
      // Timed by when it came, not by when the jitter buffer let it go (up to 200 ms later after a loss).
      const timed = (rtp: RtpPacket) => ({ rtp, time: (this.latestPacket[index] = clock.time(rtp, arrivals.get(rtp) ?? performance.now() - this.started)) });
      const toMuxer = (output: Frame) => {
        if (output.frame) this.enqueue(index, output as Frame & { frame: {} });
      };
      if (track.kind === "audio") {
        const depacketizer = new DepacketizeCallback("OPUS");
        depacketizer.pipe(toMuxer);
        return (rtp) => depacketizer.input(timed(arrived(rtp)));
      }
      // A frame spans several packets, which must reach the depacketizer in order: the jitter buffer sorts them
      // (waiting up to its 200 ms for a missing one).
      const depacketizer = new DepacketizeCallback("VP8", { isFinalPacketInSequence: (header) => header.marker });
      depacketizer.pipe(toMuxer);
      const jitterBuffer = new JitterBufferCallback(track.clockRate);
      jitterBuffer.pipe((output) => {
        if (output.rtp) depacketizer.input(timed(output.rtp));
      });
      return (rtp) => jitterBuffer.input({ rtp: arrived(rtp) });
    });
    this.muxer.begin();
  }

  /** Hands one RTP packet of track <index> (in the order given to the constructor) to the file. */
  write(index: number, rtp: RtpPacket) {
    if (this.closed) return;
    try {
      this.inputs[index](rtp);
    } catch (error) {
      this.errors++;
      this.onError(error as Error);
    }
  }

  private enqueue(index: number, frame: Frame & { frame: {} }) {
    const time = frame.frame.time;
    this.latestFrame[index] = Math.max(this.latestFrame[index] ?? time, time);
    let at = this.pending.length;
    while (at > 0 && this.pending[at - 1].frame.frame.time > time) at--;
    this.pending.splice(at, 0, { index, frame });
    const heard = this.latestFrame.filter((t) => t !== undefined);
    const newest = this.pending[this.pending.length - 1].frame.frame.time;
    const due = Math.max(heard.length === this.tracks.length ? Math.min(...heard) : -Infinity, newest - interleaveMs);
    this.flush(due);
  }

  private flush(due: number) {
    while (this.pending.length > 0 && this.pending[0].frame.frame.time <= due) {
      const { index, frame } = this.pending.shift()!;
      if (this.tracks[index].kind === "audio") this.muxer.processAudioInput(frame);
      else this.muxer.processVideoInput(frame);
    }
  }

  /**
   * Per track, how far (ms) its latest packet's media lags the recorder's clock now: how late the media arrives
   * (a loaded relay reads its sockets late), or how long the track has been silent.
   */
  behindMs(): (number | undefined)[] {
    const now = performance.now() - this.started;
    return this.latestPacket.map((t) => t === undefined ? undefined : Math.round(now - t));
  }

  /** Frames werift's muxer dropped because their time came before the cluster they fell in (see interleaveMs). */
  get dropped(): number {
    return (this.muxer.toJSON() as { delayed_frame?: { count: number } }).delayed_frame?.count ?? 0;
  }

  /**
   * Stops taking packets, writes the frames still waiting, and resolves once every byte is in the file and the file
   * is closed. The file has no Cues and its Duration is the placeholder: webm.ts sets the real one. Rejects when the
   * file could not be written.
   */
  async close() {
    if (this.closed) return;
    this.closed = true;
    this.flush(Infinity);
    this.file.end();
    await finished(this.file);
  }
}
