import { launchTokenOf } from '../../../shared/bridge.js';

/** Where the page finds its token: the address (once), then this tab's sessionStorage. */
export interface TokenPlace {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState'>;
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
}

const STORAGE_KEY = 'backline.launchToken';

/**
 * The launch token of the browser shell. Opening the printed URL puts it in the fragment (`#token=…`):
 * it is taken from there at once and the address becomes `#/`, so it is neither on screen nor in the
 * history entry nor in a bookmark.
 *
 * It is kept in sessionStorage so that a reload keeps working. sessionStorage belongs to this origin
 * (scheme, host and port: unlike a cookie, no other port of 127.0.0.1 sees it) and to this tab, and is
 * gone when the tab closes; script on our own page could read it, but such script could call the API
 * anyway, and the CSP allows no script but ours.
 */
export function takeLaunchToken(place: TokenPlace): string | null {
  const fromUrl = launchTokenOf(place.location.hash);
  if (fromUrl !== null) {
    place.history.replaceState(null, '', `${place.location.pathname}${place.location.search}#/`);
    try {
      place.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    } catch {
      // Storage refused (a locked-down profile): the token lives in memory, and a reload needs the URL again.
    }
    return fromUrl;
  }
  try {
    return place.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/**
 * The current token, kept in memory. Opening a newer printed URL in the same tab (same origin, so only
 * the fragment changes and the page is not reloaded) replaces it.
 */
export function watchLaunchToken(win: TokenPlace & { addEventListener(type: 'hashchange', listener: () => void): void }): () => string | null {
  let token = takeLaunchToken(win);
  win.addEventListener('hashchange', () => {
    if (launchTokenOf(win.location.hash) !== null) token = takeLaunchToken(win);
  });
  return () => token;
}
