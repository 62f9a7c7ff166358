/**
 * Leaving the lobby when the waiting page goes. A closed tab runs `pagehide` (livekit-client leaves its room on it
 * too) while the page's Blazor circuit is dropped by the server only minutes later, so the page itself tells the web
 * at once, by a beacon the browser sends even as the page goes. The body is the web's own sealed note of which
 * request to withdraw (the lobby ticket never reaches the page). Not `visibilitychange`: a guest who switches to
 * another app while waiting is still waiting.
 */
export class LobbyLeave {
  private sent = false;
  private readonly onPageHide = () => this.send();

  constructor(private readonly url: string, private readonly body: string, private readonly target: Window = window,
    private readonly nav: Navigator = navigator) {
    target.addEventListener('pagehide', this.onPageHide);
  }

  /** Sends the withdrawal once: a beacon, or a keepalive fetch when the browser refuses the beacon (queue full). */
  send(): void {
    if (this.sent) {
      return;
    }
    this.sent = true;
    this.target.removeEventListener('pagehide', this.onPageHide);
    const queued = typeof this.nav.sendBeacon === 'function' && this.nav.sendBeacon(this.url, this.body);
    if (!queued) {
      void fetch(this.url, { method: 'POST', body: this.body, keepalive: true, credentials: 'same-origin' }).catch(() => { });
    }
  }

  /** The page stopped waiting (let in, refused, or it left by its own button): nothing to send when it goes. */
  dispose(): void {
    this.sent = true;
    this.target.removeEventListener('pagehide', this.onPageHide);
  }
}
