// The web server is stopping (a deploy, a restart) and asks this page to pause its Blazor circuit (Circuits/
// CircuitContinuity.cs): Blazor persists the circuit's state and closes it. Then this page resumes it on the server
// that starts next, without reloading: a call in this tab goes on all along (its media runs between the browser and
// LiveKit), and the call page takes it over again when its circuit is back.
(() => {
  "use strict";
  const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // Each step on the console with its time of day (UTC), to set beside the server's "Stopping:" lines when a
  // restart went wrong.
  const say = (what) => console.info(`Circuit continuity: ${what} at ${new Date().toISOString().slice(11, 23)}.`);

  async function resumeWhenBack() {
    for (let attempt = 0; ; attempt++) {
      // The stopping server refuses new circuits (503) and the next one takes a few seconds to start.
      await delay(Math.min(500 * (attempt + 1), 5000));
      let resumed;
      try {
        resumed = await Blazor.resumeCircuit();
      } catch {
        continue; // not reachable yet
      }
      if (!resumed) {
        // The server answered but has no state for this circuit (it was not kept): start again from the address.
        say("the server kept no state to resume; reloading");
        location.reload();
      } else {
        say(`resumed after ${attempt + 1} attempts`);
      }
      return;
    }
  }

  // The server went before it answered this page's pause (it stopped or was killed first): it kept no state, and
  // Blazor, which was pausing, does not reconnect by itself. Once a server is up again (/alive answers 503 while one
  // stops), the page starts afresh from its address.
  async function reloadWhenBack() {
    for (let attempt = 0; ; attempt++) {
      await delay(Math.min(500 * (attempt + 1), 5000));
      try {
        if ((await fetch("/alive", { cache: "no-store" })).ok) {
          say("a server is back; reloading");
          location.reload();
          return;
        }
      } catch {
        // not reachable yet
      }
    }
  }

  window.conferenceCircuit = {
    /** Pauses the circuit on the next turn (the server's call that asked for it gets its answer first). */
    pauseSoon() {
      setTimeout(async () => {
        say("pausing");
        let paused;
        try {
          paused = await Blazor.pauseCircuit();
        } catch (error) {
          say(`pausing failed (${error}); reloading once a server is back`);
          await reloadWhenBack();
          return;
        }
        // Not paused: the connection was down already, and Blazor's own reconnection has the page.
        say(paused ? "paused" : "not paused (the connection was down)");
        if (paused) {
          await resumeWhenBack();
        }
      }, 0);
    },
  };
})();
