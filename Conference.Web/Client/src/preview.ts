import {
  createAudioAnalyser,
  createLocalAudioTrack,
  createLocalVideoTrack,
  Room,
  VideoPresets,
  type LocalAudioTrack,
  type LocalVideoTrack,
} from 'livekit-client';
import { classifyMediaError, messageOf, type MediaFailure } from './errors';

export interface DeviceInfo {
  deviceId: string;
  label: string;
}

export interface Devices {
  cameras: DeviceInfo[];
  microphones: DeviceInfo[];
  speakers: DeviceInfo[];
}

export type PreviewResult = { ok: true; deviceId: string | null } | { ok: false; failure: MediaFailure; message: string };

/**
 * The pre-join preview: the chosen camera in a <video>, the chosen microphone's level in a <meter>.
 * Tracks are stopped on dispose so the camera light goes out before the call takes the devices again.
 */
export class DevicePreview {
  private video: LocalVideoTrack | null = null;
  private audio: LocalAudioTrack | null = null;
  private stopMeter: (() => void) | null = null;
  // Each stop (and each start, which stops first) moves these on: a start still waiting for its device when that
  // happens lets the device go when it arrives, so a join that stopped the preview does not leave the camera on.
  private cameraTurn = 0;
  private microphoneTurn = 0;

  async startCamera(videoElement: HTMLVideoElement, deviceId?: string | null): Promise<PreviewResult> {
    this.stopCamera();
    const turn = this.cameraTurn;
    let track: LocalVideoTrack;
    try {
      track = await createLocalVideoTrack({ deviceId: deviceId || undefined, resolution: VideoPresets.h720.resolution });
    } catch (error) {
      return { ok: false, failure: classifyMediaError(error), message: messageOf(error) };
    }
    if (turn !== this.cameraTurn) {
      track.stop();
      return { ok: true, deviceId: null };
    }
    this.video = track;
    track.attach(videoElement);
    return { ok: true, deviceId: (await track.getDeviceId()) ?? null };
  }

  stopCamera(): void {
    this.cameraTurn++;
    this.video?.stop();
    this.video?.detach();
    this.video = null;
  }

  async startMicrophone(meter: HTMLMeterElement | HTMLElement | null, deviceId?: string | null): Promise<PreviewResult> {
    this.stopMicrophone();
    const turn = this.microphoneTurn;
    let track: LocalAudioTrack;
    try {
      track = await createLocalAudioTrack({ deviceId: deviceId || undefined });
    } catch (error) {
      return { ok: false, failure: classifyMediaError(error), message: messageOf(error) };
    }
    if (turn !== this.microphoneTurn) {
      track.stop();
      return { ok: true, deviceId: null };
    }
    this.audio = track;
    const { calculateVolume, cleanup } = createAudioAnalyser(track, { cloneTrack: false });
    // The meter goes with the pre-join. Without it the preview has no use: its microphone stops, rather than the
    // meter throwing ten times a second for the rest of the call (Blazor hands a removed element over as null).
    const timer = setInterval(() => {
      if (meter?.isConnected) setLevel(meter, calculateVolume());
      else this.stopMicrophone();
    }, 100);
    this.stopMeter = () => {
      this.stopMeter = null;
      clearInterval(timer);
      void cleanup();
      if (meter?.isConnected) setLevel(meter, 0);
    };
    return { ok: true, deviceId: (await track.getDeviceId()) ?? null };
  }

  stopMicrophone(): void {
    this.microphoneTurn++;
    this.stopMeter?.();
    this.stopMeter = null;
    this.audio?.stop();
    this.audio = null;
  }

  dispose(): void {
    this.stopCamera();
    this.stopMicrophone();
  }
}

/** The level as a <meter> value (0..1) and as aria-valuenow for a role="meter" element. */
function setLevel(meter: HTMLElement, volume: number): void {
  const level = Math.min(1, Math.max(0, volume * 2)); // speech rarely passes 0.5 RMS; spread it over the bar
  if (meter instanceof HTMLMeterElement) {
    meter.value = level;
  } else {
    meter.style.setProperty('--level', String(level));
    meter.setAttribute('aria-valuenow', String(Math.round(level * 100)));
  }
}

/**
 * Cameras, microphones and speakers. Labels are empty until the page has been granted a device once, so this
 * asks for permission first (the browser remembers the answer).
 */
export async function listDevices(requestPermission = true): Promise<Devices> {
  const [cameras, microphones, speakers] = await Promise.all([
    Room.getLocalDevices('videoinput', requestPermission).catch(() => []),
    Room.getLocalDevices('audioinput', requestPermission).catch(() => []),
    Room.getLocalDevices('audiooutput', false).catch(() => []),
  ]);
  const info = (devices: MediaDeviceInfo[], kind: string) =>
    devices.filter(d => d.deviceId).map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${kind} ${i + 1}` }));
  return { cameras: info(cameras, 'Camera'), microphones: info(microphones, 'Microphone'), speakers: info(speakers, 'Speaker') };
}
