// Sets a finished WebM's Segment Info Duration to the time of its last frame. werift's muxer writes the header
// before any frame arrives, with a placeholder Duration (a day), and webmrecorder.ts does not have werift patch it
// (werift's patch writes at a fixed byte offset); otherwise players would show the placeholder. Here the file is read as a player reads it (Matroska, RFC 9559): the Duration element is found where
// it really is and overwritten in place with a number of the same width, so no other byte moves.
import { open, readFile } from "node:fs/promises";

const ids = {
  ebml: 0x1a45dfa3,
  segment: 0x18538067,
  info: 0x1549a966,
  timestampScale: 0x2ad7b1,
  duration: 0x4489,
  cluster: 0x1f43b675,
  timestamp: 0xe7,
  blockGroup: 0xa0,
  block: 0xa1,
  simpleBlock: 0xa3,
};
/** Masters walked into (their size may be unknown while a live writer writes them); all else is skipped by size. */
const walkedInto = new Set([ids.segment, ids.info, ids.cluster, ids.blockGroup]);

export interface WebmLength {
  /** The time of the last frame: the file's real length, in milliseconds. */
  lastFrameMs: number;
  /** What the file declared before (werift's placeholder unless its own patch landed), in milliseconds. */
  declaredMs?: number;
  /** How many frames (blocks) the file holds. */
  frames: number;
  /** Frames per track number (werift numbers the recorder's tracks from 1 in the order it was given them). */
  framesByTrack: Map<number, number>;
}

/** Reads the file, writes its real length into Duration, and returns what it found. */
export async function writeWebmDuration(path: string): Promise<WebmLength> {
  const file = await readFile(path);
  const found = scan(file);
  if (!found.durationAt) throw new Error("the WebM has no Duration element to set");
  const { offset, width } = found.durationAt;
  const value = Buffer.alloc(width);
  // Duration counts TimestampScale units, as the blocks' times do.
  if (width === 4) value.writeFloatBE(found.lastBlock);
  else value.writeDoubleBE(found.lastBlock);
  const handle = await open(path, "r+");
  try {
    await handle.write(value, 0, width, offset);
  } finally {
    await handle.close();
  }
  return {
    lastFrameMs: (found.lastBlock * found.scaleNs) / 1e6,
    declaredMs: found.declared === undefined ? undefined : (found.declared * found.scaleNs) / 1e6,
    frames: found.blocks,
    framesByTrack: found.byTrack,
  };
}

function scan(file: Buffer) {
  let position = 0;
  let scaleNs = 1_000_000;
  let declared: number | undefined;
  let durationAt: { offset: number; width: number } | undefined;
  let clusterTime = 0;
  let lastBlock = 0;
  let blocks = 0;
  const byTrack = new Map<number, number>();
  for (let first = true; position < file.length; first = false) {
    const id = readId(file, position);
    position += id.length;
    const size = readSize(file, position);
    position += size.length;
    if (first && id.value !== ids.ebml) throw new Error("not an EBML file");
    if (walkedInto.has(id.value)) continue;
    if (size.value === undefined) throw new Error(`element 0x${id.value.toString(16)} has an unknown size`);
    const body = file.subarray(position, position + size.value);
    switch (id.value) {
      case ids.timestampScale:
        scaleNs = readUnsigned(body);
        break;
      case ids.duration:
        durationAt = { offset: position, width: size.value };
        declared = size.value === 4 ? body.readFloatBE(0) : body.readDoubleBE(0);
        break;
      case ids.timestamp:
        clusterTime = readUnsigned(body);
        break;
      case ids.simpleBlock:
      case ids.block: {
        const track = readSize(body, 0); // the track number, coded like a size
        lastBlock = Math.max(lastBlock, clusterTime + body.readInt16BE(track.length));
        blocks++;
        byTrack.set(track.value!, (byTrack.get(track.value!) ?? 0) + 1);
        break;
      }
    }
    position += size.value;
  }
  return { scaleNs, declared, durationAt, lastBlock, blocks, byTrack };
}

function readId(file: Buffer, position: number) {
  const length = Math.clz32(file[position]) - 23;
  if (length > 4) throw new Error(`bad element id at ${position}`);
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + file[position + i];
  return { value, length };
}

/** An EBML variable-size integer; value undefined for "unknown size" (all value bits set). */
function readSize(file: Buffer, position: number) {
  const length = Math.clz32(file[position]) - 23;
  if (length > 8) throw new Error(`bad size at ${position}`);
  let value = file[position] & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + file[position + i];
    allOnes &&= file[position + i] === 0xff;
  }
  return { value: allOnes ? undefined : value, length };
}

function readUnsigned(bytes: Buffer) {
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  return value;
}
