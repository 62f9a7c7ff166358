import { ConnectionError } from 'livekit-client';
import { describe, expect, it } from 'vitest';
import { classifyConnectError, classifyMediaError } from '../src/errors';
import { decodeMessage, encodeMessage, maxChatLength, maxPayloadBytes, networkJitterSeconds, receiveLimits, SenderRateLimiter, sendLimits, type CallMessageType } from '../src/messages';
import { passphraseFromHash, stashPassphraseFromFragment, storedPassphrase, watchForPassphraseLinks } from '../src/passphrase';

const raw = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('messages', () => {
  it('round-trips each kind', () => {
    for (const message of [
      { type: 'chat', id: 'x', text: 'hello' },
      { type: 'hand', raised: false },
      { type: 'reaction', emoji: '👍' },
    ] as const) {
      expect(decodeMessage(encodeMessage(message))).toEqual(message);
    }
  });

  it('drops unknown types and wrong shapes', () => {
    for (const value of [
      { type: 'poll' },
      { type: 'hand', raised: 'yes' },
      { type: 'hand', raised: true, extra: 1 },
      { type: 'chat', id: 'x' },
      { type: 'chat', id: 'x', text: 42 },
      { type: 'chat', id: 'has spaces', text: 'hi' },
      { type: 'chat', id: 'x'.repeat(65), text: 'hi' },
      { type: 'chat', id: 'x', text: 'hi', sentAt: 'yesterday' },
      { type: 'chat', id: 'x', text: 'hi', html: '<b>' },
      { type: 'reaction', emoji: '<script>' },
      { type: '__proto__' },
      { type: 'toString' },
      null,
      [],
      'chat',
      7,
    ]) {
      expect(decodeMessage(raw(value)), JSON.stringify(value)).toBeNull();
    }
  });

  it('drops what is not UTF-8 JSON, and empty payloads', () => {
    expect(decodeMessage(new TextEncoder().encode('not json'))).toBeNull();
    expect(decodeMessage(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toBeNull();
    expect(decodeMessage(new Uint8Array())).toBeNull();
  });

  it('drops oversized payloads before parsing them, and chat over the length limit', () => {
    const huge = new Uint8Array(maxPayloadBytes + 1).fill(0x20);
    expect(decodeMessage(huge)).toBeNull();
    expect(decodeMessage(raw({ type: 'chat', id: 'x', text: 'a'.repeat(maxChatLength + 1) }))).toBeNull();
    expect(decodeMessage(raw({ type: 'chat', id: 'x', text: 'a'.repeat(maxChatLength) }))).toMatchObject({ type: 'chat' });
  });

  it('accepts an out-of-range sentAt from an older sender and drops it: times are the receiver\'s', () => {
    // 9e15 ms is past year 275760: DateTimeOffset.FromUnixTimeMilliseconds threw on it and killed every circuit.
    for (const sentAt of [9e15, -9e15, 1e308, 0]) {
      expect(decodeMessage(raw({ type: 'chat', id: 'x', text: 'hi', sentAt }))).toEqual({ type: 'chat', id: 'x', text: 'hi' });
    }
  });

  it('takes control characters out of chat, and drops chat that is only whitespace', () => {
    expect(decodeMessage(raw({ type: 'chat', id: 'x', text: ' a\u0000b\u202Ec\u0007\nd ' }))).toEqual({ type: 'chat', id: 'x', text: 'ab\u202Ec\nd' });
    expect(decodeMessage(raw({ type: 'chat', id: 'x', text: ' \u0000 \n ' }))).toBeNull();
  });
});

describe('SenderRateLimiter', () => {
  it('lets a burst through, then one a second per sender and type', () => {
    const limiter = new SenderRateLimiter({ chat: { burst: 3, perSecond: 1 }, reaction: { burst: 1, perSecond: 1 }, hand: { burst: 1, perSecond: 1 } });
    const results = Array.from({ length: 10 }, () => limiter.allow('mallory', 'chat', 0));
    expect(results.filter(Boolean)).toHaveLength(3);
    // Others are not held back by the flood, nor are other kinds of message.
    expect(limiter.allow('ada', 'chat', 0)).toBe(true);
    expect(limiter.allow('mallory', 'reaction', 0)).toBe(true);
    expect(limiter.allow('mallory', 'chat', 500)).toBe(false);
    expect(limiter.allow('mallory', 'chat', 1000)).toBe(true);
    expect(limiter.allow('mallory', 'chat', 1000)).toBe(false);
  });

  it('holds a sender under the receivers\' limit by the network\'s jitter, so nothing it lets through is dropped', () => {
    // A person typing as fast as they can, and the network bunching messages up by up to networkJitterSeconds
    // (arrivals keep their order: the reliable channel is ordered). Every message the sender lets go must reach .NET.
    const jitterMs = 1000; // what the network may do, whatever the module allows for
    expect(networkJitterSeconds * 1000).toBeGreaterThanOrEqual(jitterMs);
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (const type of Object.keys(receiveLimits) as CallMessageType[]) {
      const sender = new SenderRateLimiter(sendLimits);
      const receiver = new SenderRateLimiter();
      let sent = 0;
      let lastArrival = 0;
      for (let t = 0; t < 120_000; t += random() * 400) {
        if (!sender.allow('me', type, t)) {
          continue;
        }
        sent++;
        lastArrival = Math.max(lastArrival, t + random() * jitterMs);
        expect(receiver.allow('me', type, lastArrival), `${type} message ${sent} at ${t} ms`).toBe(true);
      }
      expect(sent).toBeGreaterThan(100); // the test sent plenty, right at the limit
    }
  });

  it('forgets a sender who left', () => {
    const limiter = new SenderRateLimiter({ chat: { burst: 1, perSecond: 0 }, reaction: { burst: 1, perSecond: 0 }, hand: { burst: 1, perSecond: 0 } });
    expect(limiter.allow('ada', 'chat', 0)).toBe(true);
    expect(limiter.allow('ada', 'chat', 0)).toBe(false);
    limiter.forget('ada');
    expect(limiter.allow('ada', 'chat', 0)).toBe(true);
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

describe('passphrase', () => {
  it('reads only #passphrase=…', () => {
    expect(passphraseFromHash('#passphrase=a%20b%26c')).toBe('a b&c');
    expect(passphraseFromHash('#passphrase=')).toBeNull();
    expect(passphraseFromHash('#content')).toBeNull(); // the page's own skip link
    expect(passphraseFromHash('#s3cret')).toBeNull();
    expect(passphraseFromHash('#other=1&passphrase=x')).toBeNull();
    expect(passphraseFromHash('')).toBeNull();
  });

  it('moves the passphrase from the address to this tab\'s storage before Blazor can see the address', () => {
    sessionStorage.clear();
    history.replaceState(null, '', '/m/abc-defg-hij?x=1#passphrase=correct%20horse');
    stashPassphraseFromFragment();
    expect(window.location.hash).toBe('');
    expect(window.location.href).not.toContain('correct');
    expect(window.location.search).toBe('?x=1');
    expect(storedPassphrase()).toBe('correct horse');
    expect(storedPassphrase('/m/other-meet-ing')).toBeNull();

    // A reload (no fragment now) keeps it; a skip-link fragment changes nothing.
    history.replaceState(null, '', '/m/abc-defg-hij#content');
    stashPassphraseFromFragment();
    expect(window.location.hash).toBe('#content');
    expect(storedPassphrase()).toBe('correct horse');
  });

  it('takes a passphrase link opened in an open page out of the address and reloads the page', () => {
    sessionStorage.clear();
    history.replaceState(null, '', '/m/abc-defg-hij');
    const target = new EventTarget();
    let reloads = 0;
    watchForPassphraseLinks(target as unknown as Window, () => reloads++);

    target.dispatchEvent(new Event('hashchange')); // no passphrase: nothing happens
    history.replaceState(null, '', '/m/abc-defg-hij#passphrase=late');
    target.dispatchEvent(new Event('popstate'));

    expect(window.location.hash).toBe('');
    expect(storedPassphrase()).toBe('late');
    expect(reloads).toBe(1);
  });
});
