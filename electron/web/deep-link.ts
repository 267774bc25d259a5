import { ticketHash, ticketIdOfPath } from '../desktop/deep-link.js';

/**
 * The browser shell's form of a `backline://ticket/<id>` link: `/ticket/<id>` answers with a redirect
 * to the workspace route (`/#/t/<id>`), the same route the desktop app opens. The page keeps its
 * launch token in this tab's sessionStorage, so the redirect needs none.
 */
export function deepLinkRedirect(pathname: string): string | null {
  const id = ticketIdOfPath(pathname);
  return id === null ? null : `/#${ticketHash(id)}`;
}
