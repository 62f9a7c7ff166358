// Test controls: what a test needs to do to the server that LiveKit's API cannot ask for — cut a participant's
// signal socket as a network drop would, and read what each egress did (its story), so a failing test can say
// where a recording stopped. Only with --test-control-port, on loopback, never in LiveKit itself.
import { createServer } from "node:http";
import type { Egress } from "./egress.js";
import { log } from "./log.js";
import type { Rooms } from "./rooms.js";
import { Session } from "./session.js";

export class TestControls {
  /** "room/identity" → until when (ms since epoch) new signal sockets of that person are cut at once. */
  private readonly offlineUntil = new Map<string, number>();

  constructor(private readonly rooms: Rooms, private readonly egress?: Egress) {}

  /** Whether a signal socket of this person must be cut now (their network is "down"). */
  isOffline(room: string, identity: string) {
    const until = this.offlineUntil.get(`${room}/${identity}`);
    if (until === undefined) return false;
    if (Date.now() < until) return true;
    this.offlineUntil.delete(`${room}/${identity}`);
    return false;
  }

  /**
   * POST /signal/drop?room=R&identity=I[&offline-ms=N][&forget=1] — cuts that participant's signal socket (no close
   * frame, as a lost network). offline-ms: their new signal sockets are cut too for that long (the network stays
   * down). forget: the server also loses the participant (as a restarted node would), so resume is refused and the
   * client reconnects in full. Answers {"sid": "PA_…"}, or 404 when nobody of that identity is connected.
   */
  listen(port: number) {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      // GET /egress[?room=R] — every egress (of room R) with its status and story, as JSON.
      if (req.method === "GET" && url.pathname === "/egress") {
        const stories = this.egress?.stories(url.searchParams.get("room") ?? "") ?? [];
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(stories));
        return;
      }
      // GET /media?room=R — each published track's forwarder in room R: layers, switches, keyframe requests (its story);
      // then each participant's connection: resumes, ICE restarts, its peer connections' selected pairs.
      if (req.method === "GET" && url.pathname === "/media") {
        const room = this.rooms.get(url.searchParams.get("room") ?? "");
        const tracks = [...(room?.participants.values() ?? [])].flatMap((p) => [...p.tracks.values()].map((t) => ({
          identity: p.identity, trackSid: t.info.sid, source: t.info.source, ...t.forwarder.describe(),
        })));
        const connections = [...(room?.participants.values() ?? [])].map((p) => ({ identity: p.identity, ...(p.connection?.describe?.() ?? {}) }));
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify([...tracks, ...connections]));
        return;
      }
      // POST /media/loss?room=R&percent=P — every track published in room R by then loses P % of its packets on
      // arrival (retransmissions too), as over a lossy network. Answers {"tracks": N}.
      if (req.method === "POST" && url.pathname === "/media/loss") {
        const room = this.rooms.get(url.searchParams.get("room") ?? "");
        const percent = Number(url.searchParams.get("percent"));
        if (!room || !(percent >= 0 && percent <= 100)) {
          res.writeHead(400, { "Content-Type": "text/plain" }).end("room must be a live room and percent a number from 0 to 100");
          return;
        }
        const tracks = [...room.participants.values()].flatMap((p) => [...p.tracks.values()]);
        for (const track of tracks) track.forwarder.ingressLoss = percent / 100;
        log.info("test control: media loss", { room: room.name, percent, tracks: tracks.length });
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ tracks: tracks.length }));
        return;
      }
      if (req.method !== "POST" || url.pathname !== "/signal/drop") {
        res.writeHead(404, { "Content-Type": "text/plain" }).end("unknown test control");
        return;
      }
      const room = url.searchParams.get("room") ?? "";
      const identity = url.searchParams.get("identity") ?? "";
      const session = this.rooms.get(room)?.byIdentity(identity)?.connection;
      if (!(session instanceof Session)) {
        res.writeHead(404, { "Content-Type": "text/plain" }).end(`no connected participant ${identity} in room ${room}`);
        return;
      }
      const offlineMs = Number(url.searchParams.get("offline-ms") ?? 0);
      if (offlineMs > 0) this.offlineUntil.set(`${room}/${identity}`, Date.now() + offlineMs);
      const forget = url.searchParams.get("forget") === "1";
      const sid = session.participant.sid;
      log.info("test control: signal socket cut", { room, identity, sid, offlineMs, forget });
      session.dropSignal(forget);
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ sid }));
    });
    server.on("error", (e) => {
      log.error("test controls could not listen; stopping", { port, error: e });
      process.exit(1);
    });
    server.listen(port, "127.0.0.1", () => log.info("test controls listening (emulator only)", { port }));
  }
}
