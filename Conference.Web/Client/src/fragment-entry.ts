/** Loaded as a classic script before blazor.web.js: see passphrase.ts for why. */
import { stashPassphraseFromFragment, watchForPassphraseLinks, watchTypedLinks } from './passphrase';

stashPassphraseFromFragment();
watchForPassphraseLinks();
watchTypedLinks();
