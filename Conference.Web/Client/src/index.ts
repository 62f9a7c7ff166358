/**
 * The module Blazor imports (wwwroot/js/call.js). Blazor's IJSObjectReference calls the methods of the objects
 * these functions return.
 */
import { CallController } from './call';
import type { DotNetRef } from './dotnet';
import { LobbyLeave } from './lobby';
import { storedPassphrase } from './passphrase';
import { DevicePreview, listDevices } from './preview';

export function createCall(dotnet: DotNetRef): CallController {
  return new CallController(dotnet, undefined, new URL('livekit-e2ee-worker.js', import.meta.url));
}

/**
 * The call this tab is already in, taken over by a new circuit (after a web server restart or an evicted circuit),
 * or null when there is none: then the page joins as usual.
 */
export function attachCall(dotnet: DotNetRef): CallController | null {
  const live = CallController.live;
  return live && live.attach(dotnet) ? live : null;
}

export function createPreview(): DevicePreview {
  return new DevicePreview();
}

export { listDevices };

/** Whether this page's link carried a passphrase: the page shows "encrypted"; the passphrase itself stays here. */
export function isEncrypted(): boolean {
  return storedPassphrase() !== null;
}

/** While a guest waits in the lobby: closing the page withdraws their request at once (see lobby.ts). */
export function leaveLobbyOnPageHide(url: string, body: string): LobbyLeave {
  return new LobbyLeave(url, body);
}
