import type { BacklineBridge } from '../../../shared/bridge.js';
import { createClient, type BacklineClient } from './client.js';
import { createWebBridge } from './web-bridge.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the browser shell. */
    backline?: BacklineBridge;
  }
}

/** Electron's preload bridge when there is one, the web host's otherwise: the views never know which. */
export function connectClient(): BacklineClient {
  return createClient(window.backline ?? createWebBridge());
}
