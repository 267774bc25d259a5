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
 * The query parameter that carries the launch token in the URL Backline prints: opening any page with
 * it trades the token for an HttpOnly cookie and redirects to the same page without it.
 */
export const LAUNCH_TOKEN_PARAM = 'token';
