/**
 * The module Blazor imports (wwwroot/js/call.js). Blazor's IJSObjectReference calls the methods of the objects
 * these functions return.
 */
import { CallController } from './call';
import type { DotNetRef } from './dotnet';
import { storedPassphrase } from './passphrase';
import { DevicePreview, listDevices } from './preview';

export function createCall(dotnet: DotNetRef): CallController {
  return new CallController(dotnet, undefined, new URL('livekit-e2ee-worker.js', import.meta.url));
}

export function createPreview(): DevicePreview {
  return new DevicePreview();
}

export { listDevices };

/** Whether this page's link carried a passphrase: the page shows "encrypted"; the passphrase itself stays here. */
export function isEncrypted(): boolean {
  return storedPassphrase() !== null;
}
