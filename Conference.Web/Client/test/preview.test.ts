import { afterEach, describe, expect, it, vi } from 'vitest';

// The devices answer when the test says so, as a busy machine's getUserMedia does.
const pending: Array<{ resolve: (track: FakeTrack) => void }> = [];

class FakeTrack {
  stopped = false;
  attached = 0;
  stop() { this.stopped = true; }
  attach() { this.attached++; }
  detach() { }
  async getDeviceId() { return 'device-1'; }
}

vi.mock('livekit-client', async importOriginal => ({
  ...(await importOriginal<typeof import('livekit-client')>()),
  createLocalVideoTrack: () => new Promise<FakeTrack>(resolve => pending.push({ resolve })),
  createLocalAudioTrack: () => new Promise<FakeTrack>(resolve => pending.push({ resolve })),
  createAudioAnalyser: () => ({ calculateVolume: () => 0, cleanup: async () => { } }),
}));

const { DevicePreview } = await import('../src/preview');

afterEach(() => { pending.length = 0; });

describe('device preview', () => {
  it('lets go of a camera that arrives after the preview was stopped (a join while it was starting)', async () => {
    const preview = new DevicePreview();
    const started = preview.startCamera(document.createElement('video'));
    preview.stopCamera();
    const track = new FakeTrack();
    pending[0].resolve(track);
    await started;
    expect(track.stopped).toBe(true);
    expect(track.attached).toBe(0);
  });

  it('lets go of a microphone that arrives after the preview was stopped', async () => {
    const preview = new DevicePreview();
    const started = preview.startMicrophone(document.createElement('meter'));
    preview.stopMicrophone();
    const track = new FakeTrack();
    pending[0].resolve(track);
    await started;
    expect(track.stopped).toBe(true);
  });

  it('keeps only the newest of two starts, and stops it on dispose', async () => {
    const preview = new DevicePreview();
    const video = document.createElement('video');
    const first = preview.startCamera(video, 'cam-1');
    const second = preview.startCamera(video, 'cam-2');
    const [older, newer] = [new FakeTrack(), new FakeTrack()];
    pending[0].resolve(older);
    pending[1].resolve(newer);
    await Promise.all([first, second]);
    expect(older.stopped).toBe(true);
    expect(newer.stopped).toBe(false);
    expect(newer.attached).toBe(1);
    preview.dispose();
    expect(newer.stopped).toBe(true);
  });

  it('stops its microphone, without an error, once the meter is gone or was never there (the pre-join left)', async () => {
    vi.useFakeTimers();
    try {
      const errors: unknown[] = [];
      const onError = (e: ErrorEvent) => errors.push(e.error);
      window.addEventListener('error', onError);
      for (const meter of [document.body.appendChild(document.createElement('meter')), null]) {
        const preview = new DevicePreview();
        const started = preview.startMicrophone(meter);
        const track = new FakeTrack();
        pending.shift()!.resolve(track);
        await started;
        vi.advanceTimersByTime(300);
        expect(track.stopped).toBe(meter === null);
        meter?.remove();
        vi.advanceTimersByTime(300);
        expect(track.stopped).toBe(true);
      }
      window.removeEventListener('error', onError);
      expect(errors).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
