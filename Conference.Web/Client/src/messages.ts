/**
 * What participants send each other over LiveKit's data channel, and how a receiver checks it. Anything another
 * browser sends is untrusted: it reaches every other participant's page, so it is held to one strict JSON shape per
 * type and a size limit before it is parsed, and is dropped otherwise (a newer or hostile client cannot break a call).
 */
export type CallMessage =
  | { type: 'chat'; id: string; text: string }
  | { type: 'hand'; raised: boolean }
  | { type: 'reaction'; emoji: string };

export type CallMessageType = CallMessage['type'];

export const messageTopic = 'conference';

/** The reactions everyone can send; anything else arriving is ignored so nobody can flood tiles with text. */
export const reactions = ['👍', '👏', '😂', '❤️', '🎉', '😮'] as const;

/** Characters (UTF-16 code units, as .NET counts them) in one chat message: TextLimits.ChatMessage (Conference.Contracts); ChatLimitTests keeps them equal. */
export const maxChatLength = 2000;

/**
 * Bytes of one payload, checked before it is decoded. A chat message of maxChatLength characters is at most
 * 3 bytes each in UTF-8 and 6 when JSON escapes a control character; LiveKit advises keeping reliable packets under
 * 15 KiB anyway.
 */
export const maxPayloadBytes = 15 * 1024;

/** A chat id: what crypto.randomUUID() makes, or any short token of the same letters. */
const chatId = /^[A-Za-z0-9_-]{1,64}$/;

/** C0 and C1 control characters other than tab and newline: they have no place in a chat line. */
const controlCharacters = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** The keys each type may carry. "sentAt" is what earlier versions sent; it is accepted and ignored. */
const allowedKeys: Record<CallMessageType, readonly string[]> = {
  chat: ['type', 'id', 'text', 'sentAt'],
  hand: ['type', 'raised'],
  reaction: ['type', 'emoji'],
};

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeMessage(message: CallMessage): Uint8Array<ArrayBuffer> {
  return encoder.encode(JSON.stringify(message));
}

/** The message in the payload, or null when it is too big, not UTF-8 JSON, or not exactly one of our shapes. */
export function decodeMessage(payload: Uint8Array): CallMessage | null {
  if (payload.byteLength === 0 || payload.byteLength > maxPayloadBytes) {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return null;
  }
  const m = value as Record<string, unknown>;
  if (typeof m.type !== 'string' || !Object.hasOwn(allowedKeys, m.type)) {
    return null;
  }
  const type = m.type as CallMessageType;
  if (Object.keys(m).some(key => !allowedKeys[type].includes(key))) {
    return null;
  }
  switch (type) {
    case 'chat': {
      if (typeof m.id !== 'string' || !chatId.test(m.id) || typeof m.text !== 'string'
        || ('sentAt' in m && typeof m.sentAt !== 'number')) {
        return null;
      }
      const text = cleanChatText(m.text);
      return text === null ? null : { type: 'chat', id: m.id, text };
    }
    case 'hand':
      return typeof m.raised === 'boolean' ? { type: 'hand', raised: m.raised } : null;
    case 'reaction':
      return typeof m.emoji === 'string' && (reactions as readonly string[]).includes(m.emoji)
        ? { type: 'reaction', emoji: m.emoji }
        : null;
  }
}

/** Chat text as it may be shown: control characters out, trimmed, 1..maxChatLength characters; else null. */
export function cleanChatText(text: string): string | null {
  const cleaned = text.replace(controlCharacters, '').trim();
  return cleaned.length > 0 && cleaned.length <= maxChatLength ? cleaned : null;
}

/** How many messages of a type one sender may send at once, and how many a second after that. */
export interface RateLimit {
  burst: number;
  perSecond: number;
}

/** Generous for people, tight for scripts: a flood from one sender is dropped at every receiver, before .NET. */
export const receiveLimits: Record<CallMessageType, RateLimit> = {
  chat: { burst: 5, perSecond: 1 },
  reaction: { burst: 8, perSecond: 2 },
  hand: { burst: 4, perSecond: 1 },
};

/**
 * Seconds by which the network may bunch up messages sent apart (a retransmission holds the reliable channel, then
 * releases what queued behind it). The sender's limit leaves this much room under the receivers'.
 */
export const networkJitterSeconds = 1;

/**
 * What a page lets its own person send: the receivers' limit, less what the network may bunch up, so nothing shown as
 * sent is then dropped by the others (a sender within its bucket can arrive at most perSecond × jitter messages "early").
 */
export const sendLimits: Record<CallMessageType, RateLimit> = Object.fromEntries(
  Object.entries(receiveLimits).map(([type, limit]) =>
    [type, { burst: limit.burst - Math.ceil(limit.perSecond * networkJitterSeconds), perSecond: limit.perSecond }]),
) as Record<CallMessageType, RateLimit>;

/**
 * Token buckets per sender and message type. Receivers keep one per sender (every receiver protects itself, whatever
 * the sender's browser does); a sender keeps one for itself with sendLimits, to tell its person to slow down instead
 * of losing messages silently. Time comes from the caller (performance.now() in the page, a counter in tests).
 */
export class SenderRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly limits: Record<CallMessageType, RateLimit> = receiveLimits) {}

  /** True when the sender may send one more message of this type now (nowMs: a monotonic clock in milliseconds). */
  allow(sender: string, type: CallMessageType, nowMs: number): boolean {
    const limit = this.limits[type];
    const key = `${type}\u0000${sender}`;
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, at: nowMs };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * limit.perSecond);
    bucket.at = nowMs;
    const allowed = bucket.tokens >= 1;
    if (allowed) {
      bucket.tokens -= 1;
    }
    this.buckets.set(key, bucket);
    return allowed;
  }

  /** Forgets a sender who left, so the map does not grow with every visitor of a long meeting. */
  forget(sender: string): void {
    for (const key of [...this.buckets.keys()]) {
      if (key.endsWith(`\u0000${sender}`)) {
        this.buckets.delete(key);
      }
    }
  }
}
