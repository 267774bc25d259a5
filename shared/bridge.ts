import type { WireError } from './errors.js';

/** The result of one call, as it crosses either transport. */
export type WireResult = { ok: true; value: unknown } | { ok: false; error: WireError };

/**
 * What a shell gives the renderer: one generic invoke and one generic subscribe. The Electron preload
 * and the browser shell's transport both implement exactly this; the typed client sits on top.
 */
export interface BacklineBridge {
  invoke(method: string, input: unknown): Promise<WireResult>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

/** The most one call may carry, over either transport (the web host counts body bytes, IPC the value's size). */
export const MAX_CALL_BYTES = 4 * 1024 * 1024;

/** IPC channel names, shared by the preload and the main process. */
export const IPC_INVOKE = 'backline:invoke';
export const IPC_EVENT = 'backline:event';

/**
 * The browser shell's wire names: the web host (electron/web) serves them, the renderer's web bridge
 * calls them, and e2e imports them from here instead of spelling them again.
 */
export const webPaths = {
  /** Everything under here is API: answered in JSON, and only to our own page (Origin required). */
  api: '/api/',
  /** `POST {invoke}{method}`: one contract call, JSON in and a WireResult out. */
  invoke: '/api/invoke/',
  /** The WebSocket that carries contract events, `{ event, payload }` per message. */
  events: '/api/events',
} as const;

/** The path of one contract call on the web host. */
export const invokePath = (method: string): string => webPaths.invoke + encodeURIComponent(method);

/**
 * The launch token travels in the fragment of the URL Backline prints (`http://127.0.0.1:<port>/#token=…`):
 * a browser never sends a fragment over HTTP, so no server, not even ours, sees it in a request line,
 * a log or a Referer. The page takes it from there and sends it as `Authorization: Bearer` on calls.
 * There is no cookie: a browser hands cookies to every port of 127.0.0.1.
 */
export const LAUNCH_TOKEN_PARAM = 'token';

/** The URL to open: the page, with the token in its fragment. */
export const launchUrl = (origin: string, token: string): string => `${origin}/#${LAUNCH_TOKEN_PARAM}=${token}`;

/** The token in a URL fragment (`#token=…`, with or without the `#`), or null when it carries none. */
export function launchTokenOf(fragment: string): string | null {
  const match = new RegExp(`^#?${LAUNCH_TOKEN_PARAM}=([A-Za-z0-9_-]{1,200})$`).exec(fragment);
  return match?.[1] ?? null;
}

/**
 * Browsers cannot set headers on a WebSocket, so the events socket asks for two subprotocols: the one
 * the host answers with, and one that carries the token (hex, so it is a valid protocol name).
 */
export const EVENTS_PROTOCOL = 'backline.events';
export const TOKEN_PROTOCOL_PREFIX = 'backline.token.';
export const eventsProtocols = (token: string): string[] => [EVENTS_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token];
