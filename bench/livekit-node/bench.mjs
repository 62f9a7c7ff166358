// The three operations of Conference.Benchmarks' LiveKitBenchmarks, measured with LiveKit's Node SDK
// (tools/node, pinned). Prints {"MintJoinToken": µs, "VerifyToken": µs, "ReceiveWebhook": µs} as JSON.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../tools/node/package.json', import.meta.url));
const { AccessToken, TokenVerifier, WebhookReceiver } = require('livekit-server-sdk');

const apiKey = 'APIbenchmark';
const apiSecret = 'bench-secret-0123456789-abcdefghijkl';

function mintJoinToken() {
  const token = new AccessToken(apiKey, apiSecret, { identity: 'alice', name: 'Alice', ttl: '15m' });
  token.addGrant({ roomJoin: true, room: 'abc-defg-hij', canPublish: true, canSubscribe: true });
  return token.toJwt();
}

const verifier = new TokenVerifier(apiKey, apiSecret);
const receiver = new WebhookReceiver(apiKey, apiSecret);
const joinToken = await mintJoinToken();
const body = readFileSync(new URL('./webhook-2kb.json', import.meta.url), 'utf8');
const webhookToken = new AccessToken(apiKey, apiSecret, { ttl: '5m' });
webhookToken.sha256 = createHash('sha256').update(body).digest('base64');
const authorization = await webhookToken.toJwt();

// Mean of several rounds after a warm-up, in microseconds per operation; the best round is reported, like a
// benchmark harness discarding rounds disturbed by GC or the scheduler.
async function measure(operation, iterations = 5000, rounds = 5) {
  for (let i = 0; i < iterations; i++) await operation();
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await operation();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1000 / iterations);
  }
  return Number(best.toFixed(2));
}

const results = {
  MintJoinToken: await measure(mintJoinToken),
  VerifyToken: await measure(() => verifier.verify(joinToken)),
  ReceiveWebhook: await measure(() => receiver.receive(body, authorization)),
};
process.stdout.write(`${JSON.stringify(results)}\n`);
