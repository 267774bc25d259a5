import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserWindow, BrowserWindowConstructorOptions, Session, Shell } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../shared/csp.js';
import { rendererDir } from './core/app-root.js';
import { APP_NAME } from './core/data-dir.js';
import { openExternalLink } from './desktop/external-links.js';
import { DEFAULT_WINDOW_STATE, type WindowState } from './desktop/window-state.js';

export interface WindowPaths {
  /** build/electron/preload.cjs */
  preload: string;
  /** build/renderer/index.html */
  indexHtml: string;
}

export function windowPaths(root: string): WindowPaths {
  return { preload: join(root, 'build', 'electron', 'preload.cjs'), indexHtml: join(rendererDir(root), 'index.html') };
}

/** Our renderer's page, whatever its query or hash; nothing else is "us". */
export function appUrlPredicate(indexHtml: string): (url: string) => boolean {
  const ours = pathToFileURL(indexHtml).pathname;
  return (url) => {
    try {
      const parsed = new URL(url);
      return parsed.protocol === 'file:' && parsed.pathname === ours;
    } catch {
      return false;
    }
  };
}

/** Only the clipboard write behind "Copy" buttons; no camera, notifications, geolocation... */
const isAllowedPermission = (permission: string): boolean => permission === 'clipboard-sanitized-write';

/** Session-wide rules: permissions, and the CSP as a header (index.html carries it as a meta tag too). */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_wc, permission, callback) => callback(isAllowedPermission(permission)));
  session.setPermissionCheckHandler((_wc, permission) => isAllowedPermission(permission));
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

export interface WindowDeps {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindow;
  shell: Pick<Shell, 'openExternal'>;
}

export interface WindowOptions {
  /** Size, place and maximised state from the last run. */
  state?: WindowState;
  /** The route to open (`/t/<id>` for a deep link), without `#`. */
  hash?: string | null;
}

/**
 * The one window: isolated, sandboxed, no Node, showing only our renderer. It cannot navigate away,
 * open windows or embed webviews; http(s) links go to the user's browser instead.
 */
export function createMainWindow(deps: WindowDeps, paths: WindowPaths, options: WindowOptions = {}): BrowserWindow {
  const isAppUrl = appUrlPredicate(paths.indexHtml);
  const state = options.state ?? DEFAULT_WINDOW_STATE;
  const win = new deps.BrowserWindow({
    title: APP_NAME,
    ...state.bounds,
    show: false,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      preload: paths.preload,
    },
  });
  const contents = win.webContents;
  hardenSession(contents.session);
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    // A plain link to a web page opens in the browser, as one with target=_blank does.
    openExternalLink(deps.shell, event.url);
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalLink(deps.shell, url);
    return { action: 'deny' };
  });
  // Maximised only once shown: maximize() on a hidden window shows it early on some platforms.
  win.once('ready-to-show', () => (state.maximized ? win.maximize() : win.show()));
  // A missing or broken build leaves an empty window; say where we looked and what to do.
  (options.hash ? win.loadFile(paths.indexHtml, { hash: options.hash }) : win.loadFile(paths.indexHtml)).catch((error: unknown) => {
    console.error(`Backline could not load its window from ${paths.indexHtml} (${error instanceof Error ? error.message : String(error)}); run "npm run build".`);
  });
  return win;
}
