/**
 * The sandboxed preload. Sandboxed preloads are CommonJS and may only require 'electron', so our own
 * modules are imported for their types alone; the channel names are checked against shared/bridge.ts
 * at compile time instead. The page gets exactly one object, `window.backline`, and never ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type * as Bridge from '../shared/bridge.js';

// Typed as the shared constants' literal types: if shared/bridge.ts renames a channel, this stops compiling.
const IPC_INVOKE: typeof Bridge.IPC_INVOKE = 'backline:invoke';
const IPC_EVENT: typeof Bridge.IPC_EVENT = 'backline:event';

const bridge = {
  invoke: (method: string, input: unknown) => ipcRenderer.invoke(IPC_INVOKE, method, input) as Promise<Bridge.WireResult>,
  subscribe: (listener: (event: string, payload: unknown) => void) => {
    // One handler per subscriber, so unsubscribing removes this listener and no other.
    const handler = (_e: IpcRendererEvent, event: string, payload: unknown): void => listener(event, payload);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
} satisfies Bridge.BacklineBridge;

contextBridge.exposeInMainWorld('backline', bridge);
