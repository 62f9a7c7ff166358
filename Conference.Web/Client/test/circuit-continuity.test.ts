import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// wwwroot/scripts/circuit-continuity.js: what a page does when the stopping web server asks it to pause its circuit.
// The script is plain (no module); importing it runs it once and it puts window.conferenceCircuit in place.
type Continuity = { pauseSoon(): void };
const page = () => (window as unknown as { conferenceCircuit: Continuity }).conferenceCircuit;

interface FakeBlazor {
  pauseCircuit: ReturnType<typeof vi.fn>;
  resumeCircuit: ReturnType<typeof vi.fn>;
}

let blazor: FakeBlazor;
let reload: ReturnType<typeof vi.fn>;
let alive: ReturnType<typeof vi.fn>;

beforeAll(async () => {
  await import('../../wwwroot/scripts/circuit-continuity.js');
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'info').mockImplementation(() => {});
  blazor = { pauseCircuit: vi.fn(), resumeCircuit: vi.fn() };
  (globalThis as unknown as { Blazor: FakeBlazor }).Blazor = blazor;
  reload = vi.fn();
  vi.spyOn(window.location, 'reload').mockImplementation(reload);
  alive = vi.fn();
  vi.stubGlobal('fetch', alive);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('a page asked to pause its circuit', () => {
  it('pauses on its next turn, then resumes on the next server without reloading', async () => {
    blazor.pauseCircuit.mockResolvedValue(true);
    blazor.resumeCircuit.mockRejectedValueOnce(new Error('503')).mockResolvedValueOnce(true);

    page().pauseSoon();
    expect(blazor.pauseCircuit).not.toHaveBeenCalled(); // the server's call gets its answer first
    await vi.advanceTimersByTimeAsync(0);
    expect(blazor.pauseCircuit).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(500 + 1000);

    expect(blazor.resumeCircuit).toHaveBeenCalledTimes(2);
    expect(reload).not.toHaveBeenCalled();
  });

  it('reloads when the next server kept no state to resume', async () => {
    blazor.pauseCircuit.mockResolvedValue(true);
    blazor.resumeCircuit.mockResolvedValue(false);

    page().pauseSoon();
    await vi.advanceTimersByTimeAsync(500);

    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('leaves the page to Blazor\'s own reconnection when its connection was down already', async () => {
    blazor.pauseCircuit.mockResolvedValue(false);

    page().pauseSoon();
    await vi.advanceTimersByTimeAsync(10_000);

    expect(blazor.resumeCircuit).not.toHaveBeenCalled();
    expect(reload).not.toHaveBeenCalled();
  });

  it('reloads once a server answers /alive when the server went before answering the pause', async () => {
    // Blazor does not reconnect a page whose pause failed; without this the page would stay dead.
    blazor.pauseCircuit.mockRejectedValue(new Error('WebSocket closed with status code: 1006'));
    alive
      .mockRejectedValueOnce(new TypeError('Failed to fetch')) // nothing listening
      .mockResolvedValueOnce(new Response(null, { status: 503 })) // the old server, still stopping
      .mockResolvedValueOnce(new Response(null, { status: 200 }));

    page().pauseSoon();
    await vi.advanceTimersByTimeAsync(0 + 500 + 1000);
    expect(reload).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1500);

    expect(alive).toHaveBeenCalledTimes(3);
    expect(alive).toHaveBeenCalledWith('/alive', { cache: 'no-store' });
    expect(reload).toHaveBeenCalledTimes(1);
    expect(blazor.resumeCircuit).not.toHaveBeenCalled();
  });
});
