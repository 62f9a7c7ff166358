// LiveKit's own WebhookReceiver checks webhooks the emulator sent. stdin: { key, secret, hooks: [{ body, auth }] };
// stdout: for each, the event it accepted ({ event, id, room, participant }) or { error }.
import { readInput, sdk } from '../../LiveKit/node/sdk.mjs';

const { key, secret, hooks } = readInput();
const receiver = new sdk.WebhookReceiver(key, secret);
const results = [];
for (const { body, auth } of hooks) {
  try {
    const event = await receiver.receive(body, auth);
    results.push({ event: event.event, id: event.id, room: event.room?.name ?? null, participant: event.participant?.identity ?? null });
  } catch (e) {
    results.push({ error: e.message });
  }
}
console.log(JSON.stringify(results));
