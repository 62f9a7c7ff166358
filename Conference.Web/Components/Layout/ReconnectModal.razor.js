// Opens and closes the reconnect dialog (ReconnectModal.razor) as Blazor's reconnection tells it, as .NET 10's
// template does. While the page waits for the server the dialog is modal: the rest of the page stays in sight (the
// call's video plays on) but cannot be clicked, since a click would go nowhere.
const dialog = document.getElementById("components-reconnect-modal");
const retryButton = document.getElementById("components-reconnect-button");

dialog.addEventListener("components-reconnect-state-changed", (event) => {
  switch (event.detail.state) {
    case "show":
    case "paused":
    case "retrying":
      if (!dialog.open) {
        dialog.showModal();
      }
      break;
    case "hide":
      dialog.close();
      break;
    case "failed":
    case "resume-failed":
      if (!dialog.open) {
        dialog.showModal();
      }
      retryButton.focus();
      document.addEventListener("visibilitychange", retryWhenVisible);
      break;
    case "rejected":
      // The server answered and has nothing to go on with: a fresh page (Blazor's own default does the same).
      location.reload();
      break;
  }
});

// Escape would close the dialog while the page still has no connection.
dialog.addEventListener("cancel", (event) => event.preventDefault());

retryButton.addEventListener("click", retry);

async function retry() {
  document.removeEventListener("visibilitychange", retryWhenVisible);
  dialog.classList.remove("components-reconnect-failed", "components-reconnect-resume-failed");
  dialog.classList.add("components-reconnect-show");
  try {
    // The same circuit if the server still has it, else a new one with the state it kept (the call is taken over).
    if (!(await Blazor.reconnect()) && !(await Blazor.resumeCircuit())) {
      location.reload();
    }
  } catch {
    // Still unreachable.
    dialog.classList.remove("components-reconnect-show");
    dialog.classList.add("components-reconnect-failed");
    document.addEventListener("visibilitychange", retryWhenVisible);
  }
}

async function retryWhenVisible() {
  if (document.visibilityState === "visible") {
    await retry();
  }
}
