/**
 * The module Blazor imports (wwwroot/js/call.js). Blazor's IJSObjectReference calls the methods of the objects
 * these functions return.
 */
import { CallController } from './call';
import type { DotNetRef } from './dotnet';
import { DevicePreview, listDevices } from './preview';

export function createCall(dotnet: DotNetRef): CallController {
  return new CallController(dotnet, undefined, new URL('livekit-e2ee-worker.js', import.meta.url));
}

export function createPreview(): DevicePreview {
  return new DevicePreview();
}

export { listDevices };

/** The passphrase of an encrypted meeting travels in the link's #fragment, which never reaches a server. */
export function passphraseFromFragment(): string | null {
  const hash = window.location.hash.replace(/^#/, '');
  if (!hash) {
    return null;
  }
  const params = new URLSearchParams(hash);
  if (params.has('passphrase')) {
    return params.get('passphrase') || null;
  }
  if (hash.includes('=')) {
    return null; // some other fragment parameter, not a passphrase
  }
  try {
    return decodeURIComponent(hash);
  } catch {
    return hash;
  }
}
