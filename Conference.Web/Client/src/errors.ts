import { ConnectionError, ConnectionErrorReason } from 'livekit-client';

/**
 * Why joining failed, in the few kinds the page shows differently:
 * - unreachable: the media server did not answer (or answered the WebSocket wrongly); retrying may help;
 * - refused: the media server answered and turned the token down; retrying with the same token will not help;
 * - e2ee-unsupported: this browser cannot encrypt;
 * - passphrase-missing: the page was shown as encrypted but this tab no longer has the passphrase;
 * - cancelled: we left while connecting; nothing to show.
 */
export type ConnectFailure = 'unreachable' | 'refused' | 'e2ee-unsupported' | 'passphrase-missing' | 'cancelled';

export function classifyConnectError(error: unknown): ConnectFailure {
  if (error instanceof ConnectionError) {
    switch (error.reason) {
      case ConnectionErrorReason.NotAllowed:
        return 'refused';
      case ConnectionErrorReason.Cancelled:
      case ConnectionErrorReason.LeaveRequest:
        return 'cancelled';
      default:
        return 'unreachable';
    }
  }
  return 'unreachable';
}

/**
 * What went wrong getting a camera or microphone, named by the DOMException getUserMedia throws
 * (https://w3c.github.io/mediacapture-main/#dom-mediadevices-getusermedia).
 */
export type MediaFailure = 'permission' | 'no-device' | 'in-use' | 'unsupported' | 'other';

export function classifyMediaError(error: unknown): MediaFailure {
  const name = error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error)
    ? String((error as { name: unknown }).name)
    : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return 'permission';
    case 'NotFoundError':
    case 'OverconstrainedError':
    case 'DevicesNotFoundError':
      return 'no-device';
    case 'NotReadableError':
    case 'AbortError':
    case 'TrackStartError':
      return 'in-use';
    case 'TypeError':
      // navigator.mediaDevices is missing on plain-http pages other than localhost.
      return 'unsupported';
    default:
      return 'other';
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
