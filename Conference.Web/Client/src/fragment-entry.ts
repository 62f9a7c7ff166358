/** Loaded as a classic script before blazor.web.js: see passphrase.ts for why. */
import { stashPassphraseFromFragment, watchForPassphraseLinks } from './passphrase';

stashPassphraseFromFragment();
watchForPassphraseLinks();
