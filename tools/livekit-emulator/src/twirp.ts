// LiveKit's server API: Twirp over HTTP POST /twirp/livekit.<Service>/<Method>, JSON (proto names, defaults
// emitted) or protobuf bodies, "Authorization: Bearer <token>" with the service's grants, errors as Twirp JSON
// {"code", "msg"} with Twirp's HTTP statuses.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  CreateRoomRequest,
  DataPacket,
  DataPacket_Kind,
  DeleteRoomRequest,
  DeleteRoomResponse,
  DisconnectReason,
  ListParticipantsRequest,
  ListParticipantsResponse,
  ListRoomsRequest,
  ListRoomsResponse,
  MuteRoomTrackRequest,
  MuteRoomTrackResponse,
  RemoveParticipantResponse,
  RoomParticipantIdentity,
  SendDataRequest,
  SendDataResponse,
  SignalResponse,
  UpdateParticipantRequest,
  UpdateRoomMetadataRequest,
  UpdateSubscriptionsRequest,
  UpdateSubscriptionsResponse,
  UserPacket,
} from "@livekit/protocol";
import type { ClaimGrants } from "livekit-server-sdk";
import { AuthError, type Auth } from "./auth.js";
import type { EmulatorConfig } from "./config.js";
import type { Egress } from "./egress.js";
import { log } from "./log.js";
import type { Participant, Room, Rooms } from "./rooms.js";
import type { Webhooks } from "./webhooks.js";

export class TwirpError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }

  get status() {
    return twirpStatus[this.code] ?? 500;
  }
}

const twirpStatus: Record<string, number> = {
  canceled: 408, invalid_argument: 400, malformed: 400, deadline_exceeded: 408, not_found: 404, bad_route: 404,
  already_exists: 409, permission_denied: 403, unauthenticated: 401, resource_exhausted: 429,
  failed_precondition: 412, aborted: 409, out_of_range: 400, unimplemented: 501, internal: 500, unavailable: 503,
};

// The protobuf-es message classes share these static methods.
interface MessageType<T> {
  new (init?: object): T;
  fromJsonString(json: string, options?: object): T;
  fromBinary(bytes: Uint8Array): T;
}
interface Message {
  toJsonString(options?: object): string;
  toBinary(): Uint8Array;
}

type Handler = (body: Buffer, grants: ClaimGrants, json: boolean) => Promise<Message>;

export class Twirp {
  private readonly handlers = new Map<string, Handler>();

  constructor(readonly config: EmulatorConfig, readonly auth: Auth, readonly rooms: Rooms, readonly webhooks: Webhooks, egress?: Egress) {
    const room = (name: string) => name ? this.rooms.get(name) ?? notFound("requested room does not exist") : invalid("room name is required");
    const participant = (r: Room, identity: string) => r.byIdentity(identity) ?? notFound("participant does not exist");

    this.route("RoomService", "CreateRoom", CreateRoomRequest, (g) => g.video?.roomCreate, (req) => {
      if (!req.name) invalid("room name is required");
      const existing = this.rooms.get(req.name);
      const created = existing ?? this.rooms.getOrCreate(req.name, {
        ...(req.emptyTimeout ? { emptyTimeout: req.emptyTimeout } : {}),
        ...(req.departureTimeout ? { departureTimeout: req.departureTimeout } : {}),
        ...(req.maxParticipants ? { maxParticipants: req.maxParticipants } : {}),
        metadata: req.metadata,
      });
      return created.snapshot();
    });
    this.route("RoomService", "ListRooms", ListRoomsRequest, (g) => g.video?.roomList, (req) =>
      new ListRoomsResponse({ rooms: this.rooms.all().filter((r) => req.names.length === 0 || req.names.includes(r.name)).map((r) => r.snapshot()) }));
    this.route("RoomService", "DeleteRoom", DeleteRoomRequest, (g) => g.video?.roomCreate, (req) => {
      room(req.room).close(DisconnectReason.ROOM_DELETED);
      return new DeleteRoomResponse();
    });
    this.route("RoomService", "ListParticipants", ListParticipantsRequest, adminOf, (req) =>
      new ListParticipantsResponse({ participants: [...room(req.room).participants.values()].map((p) => p.snapshot()) }));
    this.route("RoomService", "GetParticipant", RoomParticipantIdentity, adminOf, (req) => participant(room(req.room), req.identity).snapshot());
    this.route("RoomService", "RemoveParticipant", RoomParticipantIdentity, adminOf, (req) => {
      const r = room(req.room);
      const p = participant(r, req.identity);
      p.connection?.close(DisconnectReason.PARTICIPANT_REMOVED);
      r.remove(p, DisconnectReason.PARTICIPANT_REMOVED);
      return new RemoveParticipantResponse();
    });
    this.route("RoomService", "MutePublishedTrack", MuteRoomTrackRequest, adminOf, (req) => {
      const r = room(req.room);
      const p = participant(r, req.identity);
      const track = p.tracks.get(req.trackSid) ?? notFound("track is not found");
      if (!req.muted) failedPrecondition("remote unmute not enabled");
      if (!track.info.muted) {
        track.info.muted = true;
        p.connection?.send(new SignalResponse({ message: { case: "mute", value: { sid: track.info.sid, muted: true } } }));
        p.bump();
        r.broadcast(p, undefined);
      }
      return new MuteRoomTrackResponse({ track: track.info });
    });
    this.route("RoomService", "UpdateParticipant", UpdateParticipantRequest, adminOf, (req) => {
      const r = room(req.room);
      const p = participant(r, req.identity);
      if (req.metadata) p.info.metadata = req.metadata;
      if (req.name) p.info.name = req.name;
      for (const [k, v] of Object.entries(req.attributes)) {
        if (v === "") delete p.info.attributes[k];
        else p.info.attributes[k] = v;
      }
      if (req.permission) this.changePermission(r, p, req.permission);
      p.bump();
      r.broadcast(p, undefined);
      p.connection?.claimsChanged?.();
      return p.snapshot();
    });
    this.route("RoomService", "UpdateSubscriptions", UpdateSubscriptionsRequest, adminOf, (req) => {
      const r = room(req.room);
      const p = participant(r, req.identity);
      for (const sid of [...req.trackSids, ...req.participantTracks.flatMap((t) => t.trackSids)]) {
        const track = r.trackBySid(sid);
        if (req.subscribe) {
          p.unsubscribed.delete(sid);
          if (track) p.connection?.subscribe(track);
        } else {
          p.unsubscribed.add(sid);
          if (track) p.connection?.unsubscribe(track);
        }
      }
      return new UpdateSubscriptionsResponse();
    });
    this.route("RoomService", "SendData", SendDataRequest, adminOf, (req) => {
      const r = room(req.room);
      const packet = new DataPacket({
        kind: req.kind,
        destinationIdentities: req.destinationIdentities,
        value: { case: "user", value: new UserPacket({ payload: req.data, topic: req.topic, destinationIdentities: req.destinationIdentities, nonce: req.nonce }) },
      });
      const bytes = packet.toBinary();
      for (const p of r.participants.values()) {
        if (req.destinationIdentities.length && !req.destinationIdentities.includes(p.identity)) continue;
        if (req.destinationSids.length && !req.destinationSids.includes(p.sid)) continue;
        p.connection?.deliverData(bytes, req.kind !== DataPacket_Kind.LOSSY);
      }
      return new SendDataResponse();
    });
    this.route("RoomService", "UpdateRoomMetadata", UpdateRoomMetadataRequest, adminOf, (req) => {
      const r = room(req.room);
      r.info.metadata = req.metadata;
      r.sendRoomUpdate();
      return r.snapshot();
    });
    egress?.register(this);
  }

  /** Adds a method: its request type, the grant it needs, and what it does. */
  route<T extends Message>(service: string, method: string, type: MessageType<T>,
    allowed: (grants: ClaimGrants, request: T) => boolean | undefined, run: (request: T, grants: ClaimGrants) => Message | Promise<Message>) {
    this.handlers.set(`/twirp/livekit.${service}/${method}`, async (body, grants, json) => {
      let request: T;
      try {
        request = json ? type.fromJsonString(body.length ? body.toString("utf8") : "{}", { ignoreUnknownFields: true }) : type.fromBinary(new Uint8Array(body));
      } catch (e) {
        throw new TwirpError("malformed", `the request could not be decoded: ${(e as Error).message}`);
      }
      if (!allowed(grants, request)) throw new TwirpError("permission_denied", "permissions denied");
      return run(request, grants);
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL) {
    try {
      if (req.method !== "POST") throw new TwirpError("bad_route", `unsupported method "${req.method}" (only POST is allowed)`);
      const handler = this.handlers.get(url.pathname) ?? badRoute(url.pathname);
      const contentType = (req.headers["content-type"] ?? "").split(";")[0].trim();
      const json = contentType === "application/json";
      if (!json && contentType !== "application/protobuf") {
        throw new TwirpError("bad_route", `unexpected Content-Type: "${contentType}"`);
      }
      const header = req.headers.authorization ?? "";
      let grants: ClaimGrants;
      try {
        grants = await this.auth.verify(header.startsWith("Bearer ") ? header.slice(7) : undefined);
      } catch (e) {
        throw new TwirpError("unauthenticated", e instanceof AuthError ? e.message : String(e));
      }
      const body = await readBody(req);
      const response = await handler(body, grants, json);
      if (json) {
        res.writeHead(200, { "Content-Type": "application/json" })
          .end(response.toJsonString({ useProtoFieldName: true, emitDefaultValues: true }));
      } else {
        res.writeHead(200, { "Content-Type": "application/protobuf" }).end(Buffer.from(response.toBinary()));
      }
    } catch (e) {
      const error = e instanceof TwirpError ? e : new TwirpError("internal", (e as Error).message);
      if (error.code === "internal") log.error("twirp request failed", { path: url.pathname, error: e });
      res.writeHead(error.status, { "Content-Type": "application/json" }).end(JSON.stringify({ code: error.code, msg: error.message }));
    }
  }

  private changePermission(room: Room, p: Participant, permission: NonNullable<UpdateParticipantRequest["permission"]>) {
    p.info.permission = permission;
    if (!permission.canPublish) {
      for (const track of [...p.tracks.values()]) {
        room.unpublish(track);
        p.connection?.send(new SignalResponse({ message: { case: "trackUnpublished", value: { trackSid: track.info.sid } } }));
      }
    }
    if (!permission.canSubscribe) {
      for (const other of room.participants.values()) for (const track of other.tracks.values()) p.connection?.unsubscribe(track);
    } else {
      for (const other of room.participants.values()) {
        if (other !== p) for (const track of other.tracks.values()) if (p.autoSubscribe) p.connection?.subscribe(track);
      }
    }
  }
}

function adminOf(grants: ClaimGrants, request: { room: string }) {
  return grants.video?.roomAdmin && grants.video.room === request.room;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 8 * 1024 * 1024) throw new TwirpError("invalid_argument", "request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function notFound(message: string): never { throw new TwirpError("not_found", message); }
export function invalid(message: string): never { throw new TwirpError("invalid_argument", message); }
function failedPrecondition(message: string): never { throw new TwirpError("failed_precondition", message); }
function badRoute(path: string): never { throw new TwirpError("bad_route", `no handler for path "${path}"`); }
