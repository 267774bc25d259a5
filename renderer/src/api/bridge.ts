import type { BacklineBridge } from '../../../shared/bridge.js';
import { createClient, type BacklineClient } from './client.js';
import { watchLaunchToken } from './launch-token.js';
import { createWebBridge } from './web-bridge.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the browser shell. */
    backline?: BacklineBridge;
  }
}

/**
 * Electron's preload bridge when there is one, the web host's otherwise: the views never know which.
 * Null in the browser shell when the page was opened without the launch token. Call it before anything
 * reads the address: it takes the token out of it.
 */
export function connectClient(): BacklineClient | null {
  if (window.backline) return createClient(window.backline);
  const token = watchLaunchToken(window);
  return token() === null ? null : createClient(createWebBridge(token));
}
