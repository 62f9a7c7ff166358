// LiveKit emulator: a test double of livekit-server. One HTTP port serves signalling (/rtc), its validate
// endpoint, and the Twirp server API, as LiveKit does.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import {
  DisconnectReason,
  JoinRequest,
  LeaveRequest,
  LeaveRequest_Action,
  ParticipantPermission,
  ReconnectReason,
  SignalResponse,
  TrackSource,
  WrappedJoinRequest,
  WrappedJoinRequest_Compression,
} from "@livekit/protocol";
import { AccessToken, type ClaimGrants } from "livekit-server-sdk";
import { WebSocketServer } from "ws";
import { Auth, AuthError } from "./auth.js";
import { HELP, readConfig } from "./config.js";
import { Egress } from "./egress.js";
import { log } from "./log.js";
import { Participant, Rooms } from "./rooms.js";
import { Session, protocolVersion, serverVersion } from "./session.js";
import { TestControls } from "./testcontrol.js";
import { Twirp } from "./twirp.js";
import { Webhooks } from "./webhooks.js";

process.on("uncaughtException", (e) => log.error("uncaught exception (kept serving)", { error: e }));
process.on("unhandledRejection", (e) => log.error("unhandled rejection (kept serving)", { error: e }));

let parsed: ReturnType<typeof readConfig>;
try {
  parsed = readConfig(process.argv.slice(2), process.env);
} catch (e) {
  process.stderr.write(`livekit-server (emulator): ${(e as Error).message}\n\n${HELP}`);
  process.exit(2);
}
if (parsed === "help") {
  process.stdout.write(HELP);
  process.exit(0);
}
const config = parsed;

const auth = new Auth(config.keys);
const webhooks = new Webhooks(config);
const rooms = new Rooms(config, webhooks);
const egress = new Egress(rooms, webhooks);
const twirp = new Twirp(config, auth, rooms, webhooks, egress);
const controls = new TestControls(rooms, egress);
if (config.testControlPort) controls.listen(config.testControlPort);
const pingIntervalS = 5;
const pingTimeoutS = 15;

const sourceNames: Record<string, TrackSource> = {
  camera: TrackSource.CAMERA,
  microphone: TrackSource.MICROPHONE,
  screen_share: TrackSource.SCREEN_SHARE,
  screen_share_audio: TrackSource.SCREEN_SHARE_AUDIO,
};

/** LiveKit's refusal: an HTTP status and the message livekit-client shows (read back through /rtc/validate). */
class Refusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Checks a join the way LiveKit does before upgrading the socket; returns the grants and the room name. */
async function checkJoin(url: URL, authorization?: string): Promise<{ grants: ClaimGrants; roomName: string }> {
  let grants: ClaimGrants;
  try {
    // Browsers put the token in the URL; the Rust SDK (rtc-node) sends "Authorization: Bearer".
    const bearer = authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined;
    grants = await auth.verify(url.searchParams.get("access_token") ?? bearer);
  } catch (e) {
    throw e instanceof AuthError ? new Refusal(e.status, e.message) : e;
  }
  const video = grants.video;
  if (!video?.roomJoin) throw new Refusal(401, "permissions denied: token has no roomJoin grant");
  const roomName = video.room ?? "";
  if (!roomName) throw new Refusal(401, "permissions denied: token names no room");
  if (!grants.sub) throw new Refusal(401, "permissions denied: token has no identity");
  const existing = rooms.get(roomName);
  if (!existing && !config.room.autoCreate) throw new Refusal(404, "requested room does not exist");
  const max = existing?.info.maxParticipants ?? config.room.maxParticipants;
  if (existing && max > 0 && !video.hidden && existing.visible().filter((p) => p.identity !== grants.sub).length >= max) {
    throw new Refusal(403, "room is full");
  }
  return { grants, roomName };
}

function permissionFrom(grants: ClaimGrants): ParticipantPermission {
  const video = grants.video ?? {};
  return new ParticipantPermission({
    canSubscribe: video.canSubscribe ?? true,
    canPublish: video.canPublish ?? true,
    canPublishData: video.canPublishData ?? true,
    canPublishSources: (video.canPublishSources ?? []).map((s) => sourceNames[String(s).toLowerCase()]).filter((s) => s !== undefined),
    hidden: video.hidden ?? false,
    recorder: video.recorder ?? false,
    canUpdateMetadata: video.canUpdateOwnMetadata ?? false,
    agent: video.agent ?? false,
  });
}

/**
 * A fresh token with the participant's claims as they are now (LiveKit's RoomManager.refreshToken): name, metadata,
 * attributes and the video grant updated from the current permission (auth.VideoGrant.UpdateFromPermission). So a
 * full reconnect after UpdateParticipant keeps what the server was told, e.g. a role carried in metadata.
 */
async function refreshToken(participant: Participant, roomName: string, grants: ClaimGrants): Promise<string> {
  const [key, secret] = auth.firstKey;
  const permission = participant.info.permission;
  const token = new AccessToken(key, secret, {
    identity: participant.identity,
    name: participant.info.name,
    metadata: participant.info.metadata,
    attributes: participant.info.attributes,
    ttl: "10m",
  });
  token.addGrant({
    ...grants.video,
    room: roomName,
    ...(permission && {
      canSubscribe: permission.canSubscribe,
      canPublish: permission.canPublish,
      canPublishData: permission.canPublishData,
      canPublishSources: permission.canPublishSources,
      hidden: permission.hidden,
      recorder: permission.recorder,
      canUpdateOwnMetadata: permission.canUpdateMetadata,
      agent: permission.agent,
    }),
  });
  return token.toJwt();
}

const server = createServer((req, res) => void handleHttp(req, res).catch((e) => {
  log.error("request failed", { url: req.url, error: e });
  if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
  res.end("internal error");
}));

function cors(req: IncomingMessage, res: ServerResponse) {
  // LiveKit answers browsers on any origin: the web app and LiveKit never share one.
  res.setHeader("Access-Control-Allow-Origin", req.headers.origin ?? "*");
  res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
  res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  res.setHeader("Vary", "Origin");
}

async function handleHttp(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://localhost");
  cors(req, res);
  if (req.method === "OPTIONS") {
    res.writeHead(204).end();
    return;
  }
  if (url.pathname === "/" || url.pathname === "/healthz") {
    res.writeHead(200, { "Content-Type": "text/plain" }).end("OK");
    return;
  }
  if (url.pathname === "/rtc/validate" || url.pathname === "/rtc/v1/validate") {
    try {
      await checkJoin(url, req.headers.authorization);
      res.writeHead(200, { "Content-Type": "text/plain" }).end("success");
    } catch (e) {
      const refusal = e instanceof Refusal ? e : new Refusal(500, String(e));
      res.writeHead(refusal.status, { "Content-Type": "text/plain" }).end(refusal.message);
    }
    return;
  }
  if (url.pathname.startsWith("/twirp/")) {
    await twirp.handle(req, res, url);
    return;
  }
  res.writeHead(404, { "Content-Type": "text/plain" }).end("404 page not found");
}

const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });

server.on("upgrade", (req, socket, head) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  socket.on("error", () => undefined);
  if (url.pathname !== "/rtc" && url.pathname !== "/rtc/v1") {
    socket.end("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n404 page not found");
    return;
  }
  checkJoin(url, req.headers.authorization).then((checked) => ({ ...checked, joinRequest: url.pathname === "/rtc/v1" ? readJoinRequest(url) : undefined })).then(({ grants, roomName, joinRequest }) => {
    if (controls.isOffline(roomName, grants.sub!)) {
      socket.destroy(); // the test has this person's network down
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => join(ws, url, grants, roomName, joinRequest));
  }, (e) => {
    const refusal = e instanceof Refusal ? e : new Refusal(500, String(e));
    log.info("join refused", { status: refusal.status, reason: refusal.message });
    socket.end(`HTTP/1.1 ${refusal.status} Refused\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refusal.message}`);
  });
});

/** v1: the JoinRequest travels in the URL, a base64url WrappedJoinRequest, usually gzipped. */
function readJoinRequest(url: URL): JoinRequest {
  const encoded = url.searchParams.get("join_request");
  if (!encoded) throw new Refusal(400, "join_request is required");
  try {
    const wrapped = WrappedJoinRequest.fromBinary(Buffer.from(encoded, "base64url"));
    const bytes = wrapped.compression === WrappedJoinRequest_Compression.GZIP ? gunzipSync(wrapped.joinRequest) : wrapped.joinRequest;
    return JoinRequest.fromBinary(new Uint8Array(bytes));
  } catch (e) {
    throw new Refusal(400, `malformed join_request: ${(e as Error).message}`);
  }
}

/**
 * A client that lost its signal socket reconnects it with reconnect=1 (v0: URL parameters; v1: in the JoinRequest).
 * As LiveKit's RoomManager.StartSession: the participant of that identity resumes; if the server no longer has it,
 * the client is told to reconnect in full (LeaveRequest RECONNECT, STATE_MISMATCH) and no room is created.
 */
function resumeOrRefuse(ws: import("ws").WebSocket, url: URL, grants: ClaimGrants, roomName: string, joinRequest?: JoinRequest) {
  const identity = grants.sub!;
  const reason: ReconnectReason = joinRequest ? joinRequest.reconnectReason : Number(url.searchParams.get("reconnect_reason") ?? 0);
  const participant = rooms.get(roomName)?.byIdentity(identity);
  const session = participant?.connection;
  if (session instanceof Session && session.canResume) {
    session.resume(ws, reason);
    return;
  }
  log.info("resume refused: the participant is gone; the client reconnects in full", { room: roomName, identity, sid: joinRequest?.participantSid ?? url.searchParams.get("sid") });
  ws.send(new SignalResponse({
    message: { case: "leave", value: new LeaveRequest({ canReconnect: true, reason: DisconnectReason.STATE_MISMATCH, action: LeaveRequest_Action.RECONNECT }) },
  }).toBinary());
  setTimeout(() => ws.close(1000, "STATE_MISMATCH"), 50);
}

function join(ws: import("ws").WebSocket, url: URL, grants: ClaimGrants, roomName: string, joinRequest?: JoinRequest) {
  if (joinRequest ? joinRequest.reconnect : url.searchParams.get("reconnect") === "1") {
    resumeOrRefuse(ws, url, grants, roomName, joinRequest);
    return;
  }
  const room = rooms.getOrCreate(roomName, grants.roomConfig ? {
    ...(grants.roomConfig.emptyTimeout ? { emptyTimeout: grants.roomConfig.emptyTimeout } : {}),
    ...(grants.roomConfig.departureTimeout ? { departureTimeout: grants.roomConfig.departureTimeout } : {}),
    ...(grants.roomConfig.maxParticipants ? { maxParticipants: grants.roomConfig.maxParticipants } : {}),
  } : undefined);
  const identity = grants.sub!;
  const duplicate = room.byIdentity(identity);
  if (duplicate) {
    log.info("duplicate identity: the older connection is closed", { room: roomName, identity, sid: duplicate.sid });
    duplicate.connection?.close(DisconnectReason.DUPLICATE_IDENTITY);
    room.remove(duplicate, DisconnectReason.DUPLICATE_IDENTITY);
  }
  const participant = new Participant(identity, {
    name: grants.name ?? "",
    metadata: grants.metadata ?? "",
    attributes: { ...(grants.attributes ?? {}) },
    permission: permissionFrom(grants),
    kind: rooms.kindOf(grants.kind),
    isPublisher: false,
  });
  participant.autoSubscribe = joinRequest
    ? joinRequest.connectionSettings?.autoSubscribe ?? true
    : url.searchParams.get("auto_subscribe") !== "0";
  const session = new Session(ws, room, participant, {
    portRange: config.rtcPortRange,
    pingIntervalS,
    pingTimeoutS,
    refreshToken: (p) => refreshToken(p, roomName, grants),
    refreshTokenIntervalMs: config.refreshTokenIntervalMs,
    singlePeerConnection: joinRequest !== undefined,
    initialOffer: joinRequest?.publisherOffer,
  });
  participant.connection = session;
  room.add(participant);
  session.start();
  log.info("participant joined", { room: roomName, roomSid: room.sid, identity, sid: participant.sid, signalling: joinRequest ? "v1" : "v0" });
}

const bind = config.bindAddresses[0];
// livekit-server exits when it cannot bind its port ("bind: address already in use"); an emulator that logged it and
// "kept serving" left whoever started it waiting for an answer that could not come.
server.on("error", (e) => {
  log.error("could not listen; stopping", { port: config.port, error: e });
  process.exit(1);
});
server.listen(config.port, bind === "0.0.0.0" ? undefined : bind, () => {
  log.info("LiveKit EMULATOR started: a test double of livekit-server for tests and local runs, never for production", {
    version: serverVersion,
    protocol: protocolVersion,
    port: config.port,
    bind: config.bindAddresses,
    webhooks: config.webhook?.urls ?? [],
    roomTimeoutsMs: { empty: config.room.emptyTimeoutMs, departure: config.room.departureTimeoutMs },
  });
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    log.info("stopping", { signal });
    process.exit(0);
  });
}
