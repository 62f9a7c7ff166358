// Lists the proto field names of LiveKit messages and the value names of LiveKit enums, from the @livekit/protocol
// package the Node SDK uses. stdin: { messages: [...], enums: [...] } (export names, e.g. "Room", "EgressStatus").
import { createRequire } from 'node:module';
import { protocol, readInput } from './sdk.mjs';

const require = createRequire(new URL('../../../tools/node/package.json', import.meta.url));
const { proto3 } = require('@bufbuild/protobuf');

const { messages, enums } = readInput();
const result = { messages: {}, enums: {} };
for (const name of messages) {
  result.messages[name] = protocol[name].fields.list().map((field) => field.name);
}
for (const name of enums) {
  result.enums[name] = proto3.getEnumType(protocol[name]).values.map((value) => `${value.name}=${value.no}`);
}
process.stdout.write(JSON.stringify(result));
