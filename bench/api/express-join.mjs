// The original system's stack for the same job: Express + livekit-server-sdk minting a join token
// (its /connection-details: no meeting lookup, no rate limit, no lobby, no account). The baseline.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../tools/node/package.json'));
const express = require('express');
const { AccessToken } = require('livekit-server-sdk');

const app = express();
app.use(express.json());
app.post('/api/meetings/:slug/join', async (req, res) => {
  const name = req.body?.displayName;
  if (!name) return res.status(400).json({ error: 'displayName required' });
  const token = new AccessToken(process.env.LIVEKIT_API_KEY, process.env.LIVEKIT_API_SECRET, {
    identity: `${name}__${Math.random().toString(36).slice(2, 6)}`,
    name,
    ttl: '10m',
  });
  token.addGrant({ room: req.params.slug, roomJoin: true, canPublish: true, canPublishData: true, canSubscribe: true });
  res.json({ serverUrl: process.env.LIVEKIT_URL, roomName: req.params.slug, participantToken: await token.toJwt() });
});
app.listen(Number(process.env.PORT), '127.0.0.1');
