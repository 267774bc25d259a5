import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../shared/csp.js';
import { createFakeElectron, type FakeElectron } from './testing/fake-electron.js';
import { appUrlPredicate, createMainWindow, windowPaths } from './window.js';

const paths = windowPaths('/opt/backline');
const appUrl = pathToFileURL(paths.indexHtml).href;

let electron: FakeElectron;
let win: InstanceType<FakeElectron['BrowserWindow']>;
beforeEach(() => {
  electron = createFakeElectron();
  createMainWindow({ BrowserWindow: electron.BrowserWindow as never, shell: electron.shell }, paths);
  win = electron.BrowserWindow.windows[0]!;
});

/** Fire a webContents event the way Electron does, and report whether our handler cancelled it. */
function fire(name: string, details: Record<string, unknown> = {}): boolean {
  const preventDefault = vi.fn();
  win.webContents.emit(name, { ...details, preventDefault });
  return preventDefault.mock.calls.length > 0;
}

describe('main window', () => {
  it('is isolated and sandboxed, with no Node, and our preload', () => {
    expect(paths).toEqual({ preload: '/opt/backline/build/electron/preload.cjs', indexHtml: '/opt/backline/build/renderer/index.html' });
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      preload: paths.preload,
    });
    expect(win.loadFile).toHaveBeenCalledWith(paths.indexHtml);
  });

  it('stays on our page: other navigations and redirects are cancelled', () => {
    expect(fire('will-navigate', { url: 'https://evil.example/' })).toBe(true);
    expect(fire('will-navigate', { url: 'file:///etc/passwd' })).toBe(true);
    expect(fire('will-redirect', { url: 'https://evil.example/' })).toBe(true);
    expect(fire('will-navigate', { url: `${appUrl}#/tickets` })).toBe(false);
  });

  it('never attaches a webview', () => {
    expect(fire('will-attach-webview')).toBe(true);
  });

  it('opens no windows; http(s) links go to the system browser, nothing else does', () => {
    const open = win.webContents.windowOpenHandler!;
    expect(open({ url: 'https://docs.example/kb/1' })).toEqual({ action: 'deny' });
    expect(open({ url: 'http://docs.example/kb/1' })).toEqual({ action: 'deny' });
    expect(open({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(open({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(open({ url: 'smb://share/x' })).toEqual({ action: 'deny' });
    expect(electron.shell.openExternal.mock.calls).toEqual([['https://docs.example/kb/1'], ['http://docs.example/kb/1']]);
  });

  it('sends a plain link to a web page to the system browser instead of navigating', () => {
    expect(fire('will-navigate', { url: 'https://docs.example/kb/2' })).toBe(true);
    expect(fire('will-navigate', { url: 'file:///etc/passwd' })).toBe(true);
    expect(electron.shell.openExternal.mock.calls).toEqual([['https://docs.example/kb/2']]);
  });

  it('grants only the sanitized clipboard write', () => {
    const session = electron.fakeSession;
    const ask = (permission: string): boolean => {
      let granted: boolean | undefined;
      session.permissionRequest!({}, permission, (ok: boolean) => (granted = ok), {});
      return granted!;
    };
    expect(ask('clipboard-sanitized-write')).toBe(true);
    for (const denied of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) expect(ask(denied)).toBe(false);
    expect(session.permissionCheck!({}, 'clipboard-sanitized-write', '', {})).toBe(true);
    expect(session.permissionCheck!({}, 'media', '', {})).toBe(false);
  });

  it('adds the CSP header to every response, keeping the others', () => {
    const callback = vi.fn();
    electron.fakeSession.headersReceived!({ responseHeaders: { 'X-Other': ['1'] } }, callback);
    expect(callback).toHaveBeenCalledWith({ responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });

  it('shows the window once it has painted', () => {
    expect(win.show).not.toHaveBeenCalled();
    win.emit('ready-to-show');
    expect(win.show).toHaveBeenCalledOnce();
  });
});

describe('appUrlPredicate', () => {
  const isApp = appUrlPredicate('/opt/backline/build/renderer/index.html');
  it('accepts our page with any hash or query, and nothing else', () => {
    expect(isApp('file:///opt/backline/build/renderer/index.html')).toBe(true);
    expect(isApp('file:///opt/backline/build/renderer/index.html?x=1#/t/TKT-1')).toBe(true);
    expect(isApp('file:///opt/backline/build/renderer/other.html')).toBe(false);
    expect(isApp('https://opt/backline/build/renderer/index.html')).toBe(false);
    expect(isApp('not a url')).toBe(false);
  });
});
