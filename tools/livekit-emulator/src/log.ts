// One JSON object per line on stdout, like livekit-server with logging.json.
type Fields = Record<string, unknown>;

function write(level: string, msg: string, fields?: Fields) {
  const line = { ts: new Date().toISOString(), level, logger: "livekit-emulator", msg, ...fields };
  process.stdout.write(JSON.stringify(line, (_k, v) => (v instanceof Error ? v.stack ?? v.message : v)) + "\n");
}

export const log = {
  debug: (msg: string, fields?: Fields) => { if (process.env.LIVEKIT_EMULATOR_DEBUG) write("debug", msg, fields); },
  info: (msg: string, fields?: Fields) => write("info", msg, fields),
  warn: (msg: string, fields?: Fields) => write("warn", msg, fields),
  error: (msg: string, fields?: Fields) => write("error", msg, fields),
};
