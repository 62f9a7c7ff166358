// Egress (room composite recordings). Filled in below the RoomService; see docs/testing.md for what differs.
import type { Twirp } from "./twirp.js";

export class Egress {
  register(_twirp: Twirp) {}
}
