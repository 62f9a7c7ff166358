// Text typed before Blazor's circuit connects would be lost: the interactive render replaces the server-rendered
// form, and the new input starts from the component's (empty) state. Loaded before blazor.web.js, this keeps what is
// typed into inputs marked data-keep-early-input, by id, until the component takes it when it becomes interactive.
(() => {
  "use strict";
  const typed = new Map();
  const taken = new Set(); // once the component has the input, its own binding keeps what is typed
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.id && input.hasAttribute("data-keep-early-input") && !taken.has(input.id)) {
      typed.set(input.id, input.value);
    }
  }, true);
  window.conferenceEarlyInput = {
    /** What was typed into the input with this id before interactivity, once; null if nothing. */
    take(id) {
      const value = typed.get(id);
      typed.delete(id);
      taken.add(id);
      return value ?? null;
    },
  };
})();
