// Calls one RoomServiceClient or EgressClient method of LiveKit's own Node SDK against the emulator.
// stdin: { url, key, secret, client: "room" | "egress", method, args }; stdout: { ok, result } or the SDK's error.
import { readInput, sdk } from '../../LiveKit/node/sdk.mjs';

const { url, key, secret, client, method, args } = readInput();
const service = client === 'egress' ? new sdk.EgressClient(url, key, secret) : new sdk.RoomServiceClient(url, key, secret);
// Bytes cannot travel in JSON: { __bytes: base64 } stands for a Uint8Array.
const bytes = (value) => value && typeof value === 'object' && '__bytes' in value ? new Uint8Array(Buffer.from(value.__bytes, 'base64')) : value;
const json = (value) => Array.isArray(value) ? value.map(json) : value?.toJson ? value.toJson() : value;
try {
  const result = await service[method](...(args ?? []).map(bytes));
  console.log(JSON.stringify({ ok: true, result: json(result) ?? null }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, status: e.status ?? null, code: e.code ?? null, message: e.message }));
}
