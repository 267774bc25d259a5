/**
 * `backline://ticket/<id>` links (and the browser shell's `/ticket/<id>` path) open that ticket's
 * workspace: the renderer's `#/t/<id>` route. The id is passed on encoded, never interpreted here:
 * the renderer checks it and shows a missing workspace for one it cannot parse.
 */
export const DEEP_LINK_SCHEME = 'backline';
const MAX_ID_LENGTH = 200;

/** The renderer's hash (without `#`) for a ticket's workspace. */
export function ticketHash(id: string): string {
  return `/t/${encodeURIComponent(id)}`;
}

/** The ticket id of a `/ticket/<id>` path (one segment, % escapes decoded), or null. */
export function ticketIdOfPath(pathname: string): string | null {
  const match = /^\/ticket\/([^/]+)\/?$/.exec(pathname);
  if (!match?.[1]) return null;
  let id: string;
  try {
    id = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  return id.trim() === '' || id.length > MAX_ID_LENGTH ? null : id;
}

/** The hash a `backline://ticket/<id>` link opens, or null for anything else. */
export function deepLinkHash(link: string): string | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:` || url.host !== 'ticket') return null;
  const id = ticketIdOfPath(`/ticket${url.pathname}`);
  return id === null ? null : ticketHash(id);
}

/** The deep link among a launch's arguments (Windows and Linux pass it there), as a hash. */
export function deepLinkInArgs(argv: readonly string[]): string | null {
  for (const arg of [...argv].reverse()) {
    if (arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) return deepLinkHash(arg);
  }
  return null;
}
