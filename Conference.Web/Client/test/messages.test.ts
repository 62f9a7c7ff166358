import { ConnectionError } from 'livekit-client';
import { describe, expect, it } from 'vitest';
import { classifyConnectError, classifyMediaError } from '../src/errors';
import { passphraseFromFragment } from '../src/index';
import { decodeMessage, encodeMessage, maxChatLength } from '../src/messages';

describe('messages', () => {
  it('round-trips each kind', () => {
    for (const message of [
      { type: 'chat', id: 'x', text: 'hello', sentAt: 1 },
      { type: 'hand', raised: false },
      { type: 'reaction', emoji: '👍' },
    ] as const) {
      expect(decodeMessage(encodeMessage(message))).toEqual(message);
    }
  });

  it('drops unknown types, wrong shapes and oversized chat', () => {
    const raw = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    expect(decodeMessage(raw({ type: 'poll' }))).toBeNull();
    expect(decodeMessage(raw({ type: 'hand', raised: 'yes' }))).toBeNull();
    expect(decodeMessage(raw({ type: 'chat', id: 'x', text: 'a'.repeat(maxChatLength + 1), sentAt: 1 }))).toBeNull();
    expect(decodeMessage(raw(null))).toBeNull();
  });
});

describe('errors', () => {
  it('tells a refused token from an unreachable server', () => {
    expect(classifyConnectError(ConnectionError.notAllowed('no', 401))).toBe('refused');
    expect(classifyConnectError(ConnectionError.serverUnreachable('down'))).toBe('unreachable');
    expect(classifyConnectError(ConnectionError.timeout('slow'))).toBe('unreachable');
    expect(classifyConnectError(ConnectionError.cancelled('left'))).toBe('cancelled');
    expect(classifyConnectError(new Error('odd'))).toBe('unreachable');
  });

  it('names getUserMedia failures', () => {
    expect(classifyMediaError(new DOMException('x', 'NotAllowedError'))).toBe('permission');
    expect(classifyMediaError(new DOMException('x', 'NotFoundError'))).toBe('no-device');
    expect(classifyMediaError(new DOMException('x', 'NotReadableError'))).toBe('in-use');
    expect(classifyMediaError(new Error('x'))).toBe('other');
  });
});

describe('passphraseFromFragment', () => {
  it('reads #passphrase=… or a bare fragment, and nothing else', () => {
    window.location.hash = '#passphrase=a%20b%26c';
    expect(passphraseFromFragment()).toBe('a b&c');
    window.location.hash = '#s3cret';
    expect(passphraseFromFragment()).toBe('s3cret');
    window.location.hash = '#other=1';
    expect(passphraseFromFragment()).toBeNull();
    window.location.hash = '';
    expect(passphraseFromFragment()).toBeNull();
  });
});
