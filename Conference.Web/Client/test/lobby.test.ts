import { afterEach, describe, expect, it, vi } from 'vitest';
import { LobbyLeave } from '../src/lobby';

afterEach(() => { vi.unstubAllGlobals(); });

function fakeNavigator(accepts: boolean) {
  const beacons: Array<{ url: string; body: string }> = [];
  const nav = { sendBeacon: (url: string, body: string) => { beacons.push({ url, body }); return accepts; } } as unknown as Navigator;
  return { nav, beacons };
}

describe('leaving the lobby', () => {
  it('sends one beacon with the sealed note when the page is hidden for good (a closed tab, a reload)', () => {
    const { nav, beacons } = fakeNavigator(true);
    const target = new EventTarget() as unknown as Window;
    new LobbyLeave('/m/abc-defg-hij/lobby/leave', 'sealed-note', target, nav);

    expect(beacons).toEqual([]);
    target.dispatchEvent(new Event('pagehide'));
    target.dispatchEvent(new Event('pagehide'));

    expect(beacons).toEqual([{ url: '/m/abc-defg-hij/lobby/leave', body: 'sealed-note' }]);
  });

  it('falls back to a keepalive fetch when the browser refuses the beacon', () => {
    const { nav } = fakeNavigator(false);
    const fetch = vi.fn(() => Promise.resolve(new Response(null, { status: 204 })));
    vi.stubGlobal('fetch', fetch);
    const target = new EventTarget() as unknown as Window;
    new LobbyLeave('/m/abc-defg-hij/lobby/leave', 'sealed-note', target, nav);

    target.dispatchEvent(new Event('pagehide'));

    expect(fetch).toHaveBeenCalledWith('/m/abc-defg-hij/lobby/leave',
      { method: 'POST', body: 'sealed-note', keepalive: true, credentials: 'same-origin' });
  });

  it('sends nothing once the page stopped waiting (let in, refused, or left by its button)', () => {
    const { nav, beacons } = fakeNavigator(true);
    const target = new EventTarget() as unknown as Window;
    const leave = new LobbyLeave('/m/abc-defg-hij/lobby/leave', 'sealed-note', target, nav);

    leave.dispose();
    target.dispatchEvent(new Event('pagehide'));

    expect(beacons).toEqual([]);
  });

  it('does not withdraw when the page is only hidden (another app, another tab)', () => {
    const { nav, beacons } = fakeNavigator(true);
    const target = new EventTarget() as unknown as Window;
    new LobbyLeave('/m/abc-defg-hij/lobby/leave', 'sealed-note', target, nav);

    target.dispatchEvent(new Event('visibilitychange'));
    target.dispatchEvent(new Event('blur'));

    expect(beacons).toEqual([]);
  });
});
