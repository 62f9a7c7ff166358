// LiveKit's server API: Twirp over HTTP POST /twirp/livekit.<Service>/<Method>, JSON or protobuf bodies,
// "Authorization: Bearer <token>" with the service's grants, errors as Twirp JSON {code, msg}.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Auth } from "./auth.js";
import type { EmulatorConfig } from "./config.js";
import type { Rooms } from "./rooms.js";
import type { Webhooks } from "./webhooks.js";

export class TwirpError extends Error {
  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
  }
}

export class Twirp {
  constructor(readonly config: EmulatorConfig, readonly auth: Auth, readonly rooms: Rooms, readonly webhooks: Webhooks) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL) {
    const error = new TwirpError("bad_route", `no handler for path "${url.pathname}"`, 404);
    res.writeHead(error.status, { "Content-Type": "application/json" }).end(JSON.stringify({ code: error.code, msg: error.message }));
  }
}
