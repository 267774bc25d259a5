import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_EVENT, IPC_INVOKE, MAX_CALL_BYTES, type WireResult } from '../shared/bridge.js';
import { BacklineError } from '../shared/errors.js';
import type { Core } from './core/core.js';

/** The part of a BrowserWindow the binding needs: somewhere to send events, and the identity of its page. */
export interface BoundWindow {
  isDestroyed(): boolean;
  webContents: Pick<WebContents, 'send' | 'isDestroyed'>;
}

export interface IpcBindingDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  core: Pick<Core, 'dispatch' | 'events'>;
  /** The live windows, asked at every call and event (BrowserWindow.getAllWindows in the app). */
  windows: () => readonly BoundWindow[];
  /** True only for the URL of our own renderer. */
  isTrustedUrl: (url: string) => boolean;
}

/**
 * Whether a value that came over IPC (a structured clone: objects, arrays, strings, numbers, typed
 * arrays, Maps, Sets, Dates, even cycles) is larger than `limit` bytes, counted about as JSON would
 * spell it. It stops as soon as the limit is passed, walks without recursion (deep nesting cannot
 * overflow the stack) and visits each object once (a cycle is counted once).
 */
function exceedsPayloadLimit(value: unknown, limit: number): boolean {
  let size = 0;
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') size += item.length + 2;
    else if (typeof item !== 'object' || item === null) size += 8;
    else if (!seen.has(item)) {
      seen.add(item);
      if (item instanceof ArrayBuffer || ArrayBuffer.isView(item)) size += item.byteLength;
      else if (item instanceof Map) {
        size += item.size * 8;
        if (size <= limit) for (const [k, v] of item) pending.push(k, v);
      } else if (item instanceof Set) {
        size += item.size * 8;
        if (size <= limit) for (const v of item) pending.push(v);
      } else {
        const keys = Object.keys(item);
        size += keys.length * 8;
        if (size <= limit) {
          for (const key of keys) {
            size += key.length;
            pending.push((item as Record<string, unknown>)[key]);
          }
        }
      }
    }
    if (size > limit) return true;
  }
  return false;
}

/**
 * Binds the whole contract to one IPC channel: the core's dispatch names, validates and answers every
 * method, so nothing here knows any method. Returns a function that unbinds it.
 */
export function bindIpc({ ipcMain, core, windows, isTrustedUrl }: IpcBindingDeps): () => void {
  // Only the top frame of one of our windows, showing our renderer, may call: not an iframe, not a page it navigated to.
  const isTrustedSender = (event: IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    if (frame === null || frame.parent !== null || !isTrustedUrl(frame.url)) return false;
    return windows().some((w) => !w.isDestroyed() && w.webContents === event.sender);
  };

  ipcMain.handle(IPC_INVOKE, (event, method: unknown, input: unknown): Promise<WireResult> | WireResult => {
    if (!isTrustedSender(event)) return { ok: false, error: new BacklineError('FORBIDDEN_ORIGIN').toWire() };
    // The same cap as the web host's body limit, before anything (a schema, a handler) looks at the call.
    if (exceedsPayloadLimit([method, input], MAX_CALL_BYTES)) {
      const error = new BacklineError('PAYLOAD_TOO_LARGE', `A call is limited to ${MAX_CALL_BYTES / 1024 / 1024} MiB.`, { hint: 'Nothing was changed.' });
      return { ok: false, error: error.toWire() };
    }
    return core.dispatch(method, input, { shell: 'electron' });
  });

  const unsubscribe = core.events.subscribe((event, payload) => {
    for (const w of windows()) {
      if (!w.isDestroyed() && !w.webContents.isDestroyed()) w.webContents.send(IPC_EVENT, event, payload);
    }
  });

  return () => {
    ipcMain.removeHandler(IPC_INVOKE);
    unsubscribe();
  };
}
