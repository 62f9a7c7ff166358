// Reads the options and the livekit.yaml keys that LiveKit's own server takes (the subset this project renders),
// so the AppHost can start the emulator exactly as it starts livekit-server.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { log } from "./log.js";

export interface EmulatorConfig {
  port: number;
  bindAddresses: string[];
  keys: Map<string, string>;
  /** RTP/ICE ports are taken from this range when set, else ephemeral; media listens on loopback only. */
  rtcPortRange?: [number, number];
  webhook?: { apiKey: string; urls: string[] };
  room: { emptyTimeoutMs: number; departureTimeoutMs: number; maxParticipants: number; autoCreate: boolean };
  /** Test switches (not LiveKit options). */
  webhookShuffle: boolean;
  webhookDuplicate: boolean;
  webhookRetryBaseMs: number;
  refreshTokenIntervalMs: number;
  /** Loopback port of the test controls (src/testcontrol.ts); none unless given. */
  testControlPort?: number;
}

export const HELP = `livekit-server (LiveKit emulator) — a TEST DOUBLE of LiveKit's server for local runs and tests.
It speaks LiveKit's signalling protocol and relays media between browsers, but it is not LiveKit: no TURN,
simulcast layers chosen by each subscriber's request only (no bandwidth allocation, no dynacast), no congestion
control, one node, egress writes WebM without rendering a layout. Never deploy it. See docs/testing.md.

Options (as livekit-server):
  --config FILE          livekit.yaml to read
  --config-body YAML     the same, inline (also read from LIVEKIT_CONFIG)
  --dev                  development mode: keys devkey: secret unless the config has keys, bind to loopback
  --bind ADDRESS         address to listen on (repeatable)
  --port PORT            HTTP/WebSocket port (default 7880)
  --keys "KEY: SECRET"   API key and secret
Test switches (emulator only):
  --room-timeouts-ms N   empty_timeout and departure_timeout become N milliseconds
  --webhook-shuffle      deliver webhooks in random order (each still once, unless duplicated)
  --webhook-duplicate    deliver every webhook twice
  --webhook-retry-ms N   first retry delay for a failed webhook (default 1000, doubling)
  --refresh-token-ms N   how often clients get a fresh token (default 300000; LiveKit: 10 minutes)
  --test-control-port N  serve test controls on 127.0.0.1:N (POST /signal/drop?room=&identity=[&offline-ms=][&forget=1]
                         cuts a participant's signal socket as a network drop would; GET /egress?room=
                         tells what each egress did, step by step)
  --help                 this text
`;

const knownTopLevel = new Set(["port", "bind_addresses", "rtc", "keys", "webhook", "room", "logging", "redis", "turn", "development"]);

export function readConfig(argv: string[], env: NodeJS.ProcessEnv): EmulatorConfig | "help" {
  let body: string | undefined = env.LIVEKIT_CONFIG;
  let dev = false;
  const binds: string[] = [];
  let port: number | undefined;
  let keysArg: string | undefined;
  let roomTimeoutsMs: number | undefined;
  let webhookShuffle = false;
  let webhookDuplicate = false;
  let webhookRetryBaseMs = 1000;
  let refreshTokenIntervalMs = 5 * 60_000;
  let testControlPort: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes("=") ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    switch (flag) {
      case "--help": case "-h": return "help";
      case "--config": body = readFileSync(value(), "utf8"); break;
      case "--config-body": body = value(); break;
      case "--dev": dev = true; break;
      case "--bind": binds.push(value()); break;
      case "--port": port = Number(value()); break;
      case "--keys": keysArg = value(); break;
      case "--room-timeouts-ms": roomTimeoutsMs = Number(value()); break;
      case "--webhook-shuffle": webhookShuffle = true; break;
      case "--webhook-duplicate": webhookDuplicate = true; break;
      case "--webhook-retry-ms": webhookRetryBaseMs = Number(value()); break;
      case "--refresh-token-ms": refreshTokenIntervalMs = Number(value()); break;
      case "--test-control-port": testControlPort = Number(value()); break;
      default: log.warn("unknown option ignored", { option: argv[i] });
    }
  }

  const yaml = (body ? parse(body) : {}) ?? {};
  for (const key of Object.keys(yaml)) {
    if (!knownTopLevel.has(key)) log.warn("unknown config key ignored", { key });
  }
  for (const key of ["redis", "turn"]) {
    if (yaml[key]) log.info(`config key "${key}" accepted but not emulated`, { key });
  }
  const keys = new Map<string, string>();
  for (const [k, v] of Object.entries(yaml.keys ?? {})) keys.set(String(k), String(v));
  if (keysArg) {
    const [k, v] = keysArg.split(/:\s*/, 2);
    keys.set(k.trim(), v.trim());
  }
  if (keys.size === 0 && dev) keys.set("devkey", "secret");
  if (keys.size === 0) fail("no API keys: give keys in the config, --keys, or --dev");

  const rtc = yaml.rtc ?? {};
  let rtcPortRange: [number, number] | undefined;
  if (rtc.port_range_start && rtc.port_range_end) rtcPortRange = [Number(rtc.port_range_start), Number(rtc.port_range_end)];
  for (const key of Object.keys(rtc)) {
    if (!["port_range_start", "port_range_end"].includes(key)) {
      log.info("rtc key accepted; the emulator's media uses ephemeral loopback ports instead", { key, value: rtc[key] });
    }
  }

  const room = yaml.room ?? {};
  const emptyTimeoutMs = roomTimeoutsMs ?? (room.empty_timeout ?? 300) * 1000;
  const departureTimeoutMs = roomTimeoutsMs ?? (room.departure_timeout ?? 20) * 1000;

  let webhook: EmulatorConfig["webhook"];
  if (yaml.webhook?.urls?.length) {
    const apiKey = String(yaml.webhook.api_key ?? "");
    if (!keys.has(apiKey)) fail(`webhook.api_key "${apiKey}" is not one of keys`);
    webhook = { apiKey, urls: yaml.webhook.urls.map(String) };
  }

  const bindAddresses = binds.length ? binds : (yaml.bind_addresses ?? (dev ? ["127.0.0.1"] : ["0.0.0.0"])).map(String);
  return {
    port: port ?? Number(yaml.port ?? 7880),
    bindAddresses,
    keys,
    rtcPortRange,
    webhook,
    room: {
      emptyTimeoutMs,
      departureTimeoutMs,
      maxParticipants: Number(room.max_participants ?? 0),
      autoCreate: room.auto_create ?? true,
    },
    webhookShuffle,
    webhookDuplicate,
    webhookRetryBaseMs,
    refreshTokenIntervalMs,
    testControlPort,
  };
}

function fail(message: string): never {
  throw new Error(message);
}
