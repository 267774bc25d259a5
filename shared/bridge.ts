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
