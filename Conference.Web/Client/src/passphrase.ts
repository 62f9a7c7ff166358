/**
 * The passphrase of an end-to-end encrypted meeting. It travels in the link's fragment (`/m/abc-defg-hij#passphrase=…`),
 * which browsers never send to a server. Blazor, though, tells the server the page's whole address when its circuit
 * starts and at every navigation; so before Blazor starts (e2ee-fragment.js, loaded ahead of blazor.web.js) the
 * passphrase moves from the address into this tab's sessionStorage, and the address keeps no fragment. The call
 * module reads it from there; .NET only ever learns "encrypted: yes or no".
 */

/** Only this form turns encryption on; any other fragment (the page's own "#content" skip link) is not a passphrase. */
export const fragmentKey = 'passphrase';

const storagePrefix = 'conference.e2ee:';

/** The passphrase in a fragment of the form `#passphrase=…` (URL-encoded), or null. */
export function passphraseFromHash(hash: string): string | null {
  const fragment = hash.replace(/^#/, '');
  if (!fragment.startsWith(`${fragmentKey}=`)) {
    return null;
  }
  return new URLSearchParams(fragment).get(fragmentKey) || null;
}

/**
 * Moves a `#passphrase=…` out of the address into sessionStorage (kept per page path, for this tab only, so a reload
 * stays encrypted). Runs before Blazor starts; does nothing on any other page or fragment. True when it moved one.
 */
export function stashPassphraseFromFragment(
  location: Pick<Location, 'hash' | 'pathname' | 'search'> = window.location,
  storage: Storage = window.sessionStorage,
  history: Pick<History, 'replaceState' | 'state'> = window.history,
): boolean {
  const passphrase = passphraseFromHash(location.hash);
  if (passphrase === null) {
    return false;
  }
  storage.setItem(storagePrefix + location.pathname, passphrase);
  history.replaceState(history.state, '', location.pathname + location.search);
  return true;
}

/**
 * For a page already open: a link with a passphrase opened in the same tab only changes the fragment, and Blazor
 * reports that navigation to the server. These listeners are added before Blazor's (this script runs first), so they
 * take the passphrase out of the address before Blazor reads it, then load the page afresh, now encrypted.
 */
export function watchForPassphraseLinks(target: Pick<Window, 'addEventListener'> = window, reload: () => void = () => window.location.reload()): void {
  const onNavigate = () => {
    if (stashPassphraseFromFragment()) {
      reload();
    }
  };
  target.addEventListener('popstate', onNavigate);
  target.addEventListener('hashchange', onNavigate);
}

/** The passphrase stashed for this page, or null when the meeting is not encrypted here. */
export function storedPassphrase(
  pathname: string = window.location.pathname,
  storage: Storage = window.sessionStorage,
): string | null {
  try {
    return storage.getItem(storagePrefix + pathname) || null;
  } catch {
    return null; // storage disabled: no encryption rather than a broken page
  }
}

/**
 * A meeting link pasted or typed into a field (the home page's "meeting link or code") would carry its passphrase to
 * the server with the field's value, as Blazor sends what is typed. Takes `…#passphrase=…` off such a value, stashes
 * the passphrase for the link's page as {@link stashPassphraseFromFragment} does, and returns the value without the
 * fragment; any other value comes back unchanged.
 */
export function stashPassphraseFromTypedLink(value: string, storage: Storage = window.sessionStorage): string {
  const hashAt = value.indexOf('#');
  if (hashAt < 0) {
    return value;
  }
  const passphrase = passphraseFromHash(value.slice(hashAt));
  if (passphrase === null) {
    return value;
  }
  const link = value.slice(0, hashAt);
  try {
    storage.setItem(storagePrefix + new URL(link, window.location.origin).pathname, passphrase);
  } catch {
    // Not a link, or storage disabled: the passphrase is dropped rather than sent; the person joins unencrypted and is told so.
  }
  return link;
}

/**
 * Watches fields marked `data-passphrase-safe` in the capture phase, so the value is cleaned before Blazor's own
 * (delegated, bubbling) input and change handlers read it and send it over the circuit.
 */
export function watchTypedLinks(target: Pick<Window, 'addEventListener'> = window): void {
  const clean = (event: Event) => {
    const field = event.target;
    if (field instanceof HTMLInputElement && field.hasAttribute('data-passphrase-safe')) {
      const cleaned = stashPassphraseFromTypedLink(field.value);
      if (cleaned !== field.value) {
        field.value = cleaned;
      }
    }
  };
  target.addEventListener('input', clean, true);
  target.addEventListener('change', clean, true);
}
