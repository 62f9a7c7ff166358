// Sends a burst of LiveKit webhooks, signed the way LiveKit signs them (livekit-server-sdk), with duplicates,
// at a fixed concurrency; prints events/s. Usage: node webhooks.mjs URL ROOM COUNT DUPLICATES CONCURRENCY
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../tools/node/package.json'));
const { AccessToken } = require('livekit-server-sdk');

const [url, room, count, duplicates, concurrency] = process.argv.slice(2);
const now = Math.floor(Date.now() / 1000);
const unique = [];
for (let i = 0; i < Number(count); i++) {
  const body = JSON.stringify({
    event: 'participant_joined',
    room: { sid: 'RM_bench', name: room },
    participant: { sid: `PA_${i}`, identity: `bench-${i}`, name: `Bench ${i}`, state: 'ACTIVE', joinedAt: String(now), metadata: '{"Role":"Guest"}' },
    id: `EV_bench_${now}_${i}`,
    createdAt: String(now),
  });
  const token = new AccessToken(process.env.LIVEKIT_API_KEY, process.env.LIVEKIT_API_SECRET, { ttl: '10m' });
  token.sha256 = createHash('sha256').update(body).digest('base64');
  unique.push({ body, auth: await token.toJwt() });
}
const all = [...unique, ...unique.slice(0, Number(duplicates))].sort(() => Math.random() - 0.5);

let next = 0;
let failed = 0;
const started = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, async () => {
  while (next < all.length) {
    const { body, auth } = all[next++];
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/webhook+json', authorization: auth }, body });
    if (response.status !== 200) failed++;
    await response.arrayBuffer();
  }
}));
const seconds = (performance.now() - started) / 1000;
console.log(`webhooks: ${all.length} sent (${count} unique + ${duplicates} duplicates) in ${seconds.toFixed(2)} s = ${(all.length / seconds).toFixed(0)} events/s, ${failed} not 200`);
