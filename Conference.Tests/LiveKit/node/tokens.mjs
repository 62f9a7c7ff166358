// Mints and verifies tokens and signs webhooks with the Node SDK, for the C# conformance tests.
// stdin: { op: 'mint' | 'verify' | 'signWebhook', ... }; stdout: a JSON result.
import { createHash } from 'node:crypto';
import { protocol, readInput, sdk } from './sdk.mjs';

const input = readInput();
const sources = {
  camera: protocol.TrackSource.CAMERA,
  microphone: protocol.TrackSource.MICROPHONE,
  screen_share: protocol.TrackSource.SCREEN_SHARE,
  screen_share_audio: protocol.TrackSource.SCREEN_SHARE_AUDIO,
};

async function mint({ key, secret, identity, name, metadata, attributes, ttlSeconds, video, kind, sha256, roomConfig }) {
  const token = new sdk.AccessToken(key, secret, { identity, name, metadata, attributes, ttl: ttlSeconds });
  if (video) {
    // The SDK takes TrackSource enum values and writes them as lower-case names.
    const grant = { ...video };
    if (grant.canPublishSources) {
      grant.canPublishSources = grant.canPublishSources.map((source) => sources[source]);
    }
    token.addGrant(grant);
  }
  if (kind) token.kind = kind;
  if (sha256) token.sha256 = sha256;
  if (roomConfig) token.roomConfig = roomConfig;
  return { token: await token.toJwt() };
}

async function verify({ key, secret, token }) {
  try {
    return { claims: await new sdk.TokenVerifier(key, secret).verify(token) };
  } catch (error) {
    return { error: `${error.code ?? error.name}: ${error.message}` };
  }
}

// As the LiveKit server signs a webhook (livekit/protocol webhook/url_notifier.go): a five-minute token without
// identity or grants whose sha256 claim is base64(SHA-256(body)), sent as the Authorization header without "Bearer ".
async function signWebhook({ key, secret, bodyBase64 }) {
  const body = Buffer.from(bodyBase64, 'base64');
  const token = new sdk.AccessToken(key, secret, { ttl: '5m' });
  token.sha256 = createHash('sha256').update(body).digest('base64');
  return { authorization: await token.toJwt() };
}

const operations = { mint, verify, signWebhook };
process.stdout.write(JSON.stringify(await operations[input.op](input)));
