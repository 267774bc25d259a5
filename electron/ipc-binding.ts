import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_EVENT, IPC_INVOKE, type WireResult } from '../shared/bridge.js';
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
