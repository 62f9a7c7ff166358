/**
 * What participants send each other over LiveKit's data channel. One JSON shape per topic, so a message from a
 * newer or older browser that we do not understand is dropped instead of breaking the call.
 */
export type CallMessage =
  | { type: 'chat'; id: string; text: string; sentAt: number }
  | { type: 'hand'; raised: boolean }
  | { type: 'reaction'; emoji: string };

export const messageTopic = 'conference';

/** The reactions everyone can send; anything else arriving is ignored so nobody can flood tiles with text. */
export const reactions = ['👍', '👏', '😂', '❤️', '🎉', '😮'] as const;

export const maxChatLength = 2000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeMessage(message: CallMessage): Uint8Array<ArrayBuffer> {
  return encoder.encode(JSON.stringify(message));
}

export function decodeMessage(payload: Uint8Array): CallMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) {
    return null;
  }
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'chat':
      return typeof m.id === 'string' && typeof m.text === 'string' && m.text.length > 0 && m.text.length <= maxChatLength
        && typeof m.sentAt === 'number'
        ? { type: 'chat', id: m.id, text: m.text, sentAt: m.sentAt }
        : null;
    case 'hand':
      return typeof m.raised === 'boolean' ? { type: 'hand', raised: m.raised } : null;
    case 'reaction':
      return typeof m.emoji === 'string' && (reactions as readonly string[]).includes(m.emoji)
        ? { type: 'reaction', emoji: m.emoji }
        : null;
    default:
      return null;
  }
}
