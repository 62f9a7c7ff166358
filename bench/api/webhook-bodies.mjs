// Writes a burst of LiveKit webhooks, signed the way LiveKit signs them (livekit-server-sdk), with duplicates,
// shuffled, one per line as "authorization<TAB>body", for webhooks.lua to send with wrk.
// Usage: node webhook-bodies.mjs FILE ROOM COUNT DUPLICATES
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../tools/node/package.json'));
const { AccessToken } = require('livekit-server-sdk');

const [file, room, count, duplicates] = process.argv.slice(2);
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
  unique.push(`${await token.toJwt()}\t${body}`);
}
const all = [...unique, ...unique.slice(0, Number(duplicates))].sort(() => Math.random() - 0.5);
writeFileSync(file, all.join('\n') + '\n');
