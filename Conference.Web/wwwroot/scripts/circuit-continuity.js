// The web server is stopping (a deploy, a restart) and asks this page to pause its Blazor circuit (Circuits/
// CircuitContinuity.cs): Blazor persists the circuit's state and closes it. Then this page resumes it on the server
// that starts next, without reloading: a call in this tab goes on all along (its media runs between the browser and
// LiveKit), and the call page takes it over again when its circuit is back.
(() => {
  "use strict";
  const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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
        location.reload();
      }
      return;
    }
  }

  window.conferenceCircuit = {
    /** Pauses the circuit on the next turn (the server's call that asked for it gets its answer first). */
    pauseSoon() {
      setTimeout(async () => {
        if (await Blazor.pauseCircuit()) {
          await resumeWhenBack();
        }
      }, 0);
    },
  };
})();
