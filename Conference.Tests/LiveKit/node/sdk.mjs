// LiveKit's official server SDK, from tools/node where its exact version is pinned (`npm ci` there installs it).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../../tools/node/package.json', import.meta.url));

export const sdk = require('livekit-server-sdk');
export const protocol = require('@livekit/protocol');

/** The JSON document the C# test wrote to stdin. */
export function readInput() {
  return JSON.parse(readFileSync(0, 'utf8'));
}
