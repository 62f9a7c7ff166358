// Webhooks as LiveKit sends them (reference §3): POST application/webhook+json, Authorization a JWT of the
// webhook key whose sha256 claim is the base64 SHA-256 of the body; at least once, retried with backoff.
import { createHash, randomUUID } from "node:crypto";
import { WebhookEvent } from "@livekit/protocol";
import { AccessToken } from "livekit-server-sdk";
import type { EmulatorConfig } from "./config.js";
import { log } from "./log.js";

const maxAttempts = 6;

/** Told how a receiver answered one delivery attempt (for the egress stories the test controls show). */
export type DeliveryObserver = (url: string, outcome: string) => void;

interface Delivery {
  url: string;
  body: string;
  attempt: number;
  observe?: DeliveryObserver;
}

export class Webhooks {
  private readonly queue: Delivery[] = [];
  private flushScheduled = false;

  constructor(private readonly config: EmulatorConfig) {}

  /** Queues the event for every receiver; returns its id (undefined when no webhook is configured). */
  send(event: Omit<ConstructorParameters<typeof WebhookEvent>[0] & object, "id" | "createdAt">, observe?: DeliveryObserver) {
    const hook = this.config.webhook;
    if (!hook) return undefined;
    const full = new WebhookEvent({ ...event, id: `EV_${randomUUID().replaceAll("-", "").slice(0, 12)}`, createdAt: BigInt(Math.floor(Date.now() / 1000)) });
    const body = full.toJsonString();
    for (const url of hook.urls) {
      this.queue.push({ url, body, attempt: 0, observe });
      if (this.config.webhookDuplicate) this.queue.push({ url, body, attempt: 0, observe });
    }
    // Events of one moment go out together so the shuffle switch has something to shuffle.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setTimeout(() => this.flush(), this.config.webhookShuffle ? 50 : 0);
    }
    return full.id;
  }

  private flush() {
    this.flushScheduled = false;
    const batch = this.queue.splice(0);
    if (this.config.webhookShuffle) {
      for (let i = batch.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [batch[i], batch[j]] = [batch[j], batch[i]];
      }
      // One after another, so the receiver really sees the shuffled order.
      void (async () => { for (const item of batch) await this.deliver(item); })();
    } else {
      // LiveKit's workers send in parallel; order between events is not promised.
      for (const item of batch) void this.deliver(item);
    }
  }

  private async deliver(item: Delivery) {
    const hook = this.config.webhook!;
    const token = new AccessToken(hook.apiKey, this.config.keys.get(hook.apiKey)!, { ttl: "5m" });
    token.sha256 = createHash("sha256").update(item.body).digest("base64");
    let failure: string;
    try {
      const response = await fetch(item.url, {
        method: "POST",
        headers: { "Content-Type": "application/webhook+json", Authorization: await token.toJwt() },
        body: item.body,
        signal: AbortSignal.timeout(10_000),
      });
      const answer = await response.text().catch(() => "");
      if (response.ok) {
        item.observe?.(item.url, `HTTP ${response.status} (attempt ${item.attempt + 1})`);
        return;
      }
      failure = `HTTP ${response.status} ${answer.slice(0, 300)}`;
    } catch (e) {
      failure = (e as Error).message;
    }
    item.attempt++;
    item.observe?.(item.url, `${failure} (attempt ${item.attempt})`);
    if (item.attempt >= maxAttempts) {
      log.warn("webhook dropped after retries", { url: item.url, failure, attempts: item.attempt });
      return;
    }
    const delay = this.config.webhookRetryBaseMs * 2 ** (item.attempt - 1);
    log.info("webhook failed; retrying", { url: item.url, failure, attempt: item.attempt, delayMs: delay });
    setTimeout(() => void this.deliver(item), delay);
  }
}
