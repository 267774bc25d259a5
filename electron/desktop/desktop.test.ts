import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../core/testing/temp-dir.js';
import { createFakeElectron } from '../testing/fake-electron.js';
import { deepLinkHash, deepLinkInArgs, ticketHash, ticketIdOfPath } from './deep-link.js';
import { isExternalLink, openExternalLink } from './external-links.js';
import { keystrokeSender, menuTemplate, type Keystroke } from './menu.js';
import { claimSingleInstance } from './single-instance.js';
import { DEFAULT_WINDOW_STATE, loadWindowState, saveWindowState, trackWindowState } from './window-state.js';

describe('deep links', () => {
  it('maps backline://ticket/<id> to the workspace route', () => {
    expect(deepLinkHash('backline://ticket/TKT-48213')).toBe('/t/TKT-48213');
    expect(deepLinkHash('backline://ticket/48213/')).toBe('/t/48213');
    expect(deepLinkHash('BACKLINE://ticket/TKT-1')).toBe('/t/TKT-1');
    // Passed on encoded, whatever it holds: the renderer's route parser judges the id.
    expect(deepLinkHash('backline://ticket/a%2Fb%23c')).toBe(`/t/${encodeURIComponent('a/b#c')}`);
  });

  it('ignores other links, other hosts, empty or malformed ids', () => {
    for (const link of ['https://ticket/1', 'backline://report/1', 'backline://ticket/', 'backline://ticket/a/b', 'backline://ticket/%E0%A4%A', 'not a url', `backline://ticket/${'x'.repeat(201)}`]) {
      expect(deepLinkHash(link), link).toBeNull();
    }
  });

  it('finds the link among launch arguments, after Chromium switches', () => {
    expect(deepLinkInArgs(['/x/main.js', '--data-dir', '/d', 'backline://ticket/TKT-7'])).toBe('/t/TKT-7');
    expect(deepLinkInArgs(['--no-sandbox', '/x/main.js'])).toBeNull();
  });

  it("shares the route with the browser shell's /ticket/<id> path", () => {
    expect(ticketIdOfPath('/ticket/TKT-9')).toBe('TKT-9');
    expect(ticketIdOfPath('/ticket/TKT%209')).toBe('TKT 9');
    expect(ticketIdOfPath('/tickets/TKT-9')).toBeNull();
    expect(ticketHash('TKT 9')).toBe('/t/TKT%209');
  });
});

describe('single instance', () => {
  it("takes the lock with this launch's arguments, and hands a later launch's to the callback", () => {
    const { app } = createFakeElectron();
    const second = vi.fn();
    expect(claimSingleInstance(app as never, ['/x/main.js', 'backline://ticket/1'], second)).toBe(true);
    expect(app.requestSingleInstanceLock).toHaveBeenCalledWith({ args: ['/x/main.js', 'backline://ticket/1'] });
    app.emit('second-instance', {}, ['/x/electron', '--switch', 'mangled'], '/', { args: ['/x/main.js', 'backline://ticket/2'] });
    expect(second).toHaveBeenLastCalledWith(['/x/main.js', 'backline://ticket/2']);
    // From an older Backline that sent nothing: Electron's argv.
    app.emit('second-instance', {}, ['/x/electron', 'backline://ticket/3'], '/', null);
    expect(second).toHaveBeenLastCalledWith(['/x/electron', 'backline://ticket/3']);
  });

  it('says so when another instance holds the lock, and listens for nothing', () => {
    const { app } = createFakeElectron();
    app.singleInstance = false;
    expect(claimSingleInstance(app as never, [], vi.fn())).toBe(false);
    expect(app.listenerCount('second-instance')).toBe(0);
  });
});

describe('window state', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('backline-window-')));
  afterEach(() => dir.remove());
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  it('comes back as it was saved: size, place and maximised', () => {
    const file = join(dir.path, 'state', 'window-state.json');
    saveWindowState(file, { bounds: { x: 100, y: 50, width: 1400, height: 900 }, maximized: true });
    expect(loadWindowState(file, screen)).toEqual({ bounds: { x: 100, y: 50, width: 1400, height: 900 }, maximized: true });
  });

  it('is saved when the window closes, with its normal bounds', () => {
    const file = join(dir.path, 'window-state.json');
    const { BrowserWindow } = createFakeElectron();
    const win = new BrowserWindow({});
    win.normalBounds = { x: 30, y: 40, width: 1000, height: 700 };
    win.maximized = true;
    trackWindowState(win as never, file);
    win.emit('close');
    expect(loadWindowState(file, screen)).toEqual({ bounds: { x: 30, y: 40, width: 1000, height: 700 }, maximized: true });
  });

  it('lets the OS place a window saved on a screen that is gone, and fits it to the largest screen', () => {
    const file = join(dir.path, 'window-state.json');
    saveWindowState(file, { bounds: { x: 3000, y: 100, width: 2500, height: 1400 }, maximized: false });
    expect(loadWindowState(file, screen)).toEqual({ bounds: { width: 1920, height: 1080 }, maximized: false });
  });

  it('starts from the default without a file or with a damaged one', () => {
    const file = join(dir.path, 'window-state.json');
    expect(loadWindowState(file, screen)).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(file, '{"bounds": {"x": "left"');
    expect(loadWindowState(file, screen)).toEqual(DEFAULT_WINDOW_STATE);
  });
});

describe('external links', () => {
  it('lets only http and https out, to the system browser', () => {
    const { shell } = createFakeElectron();
    for (const url of ['https://docs.example/a', 'http://intranet.example/b']) expect(openExternalLink(shell, url)).toBe(true);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'backline://ticket/1', 'mailto:a@b.example', 'https://', 'nonsense']) {
      expect(isExternalLink(url), url).toBe(false);
      expect(openExternalLink(shell, url)).toBe(false);
    }
    expect(shell.openExternal.mock.calls).toEqual([['https://docs.example/a'], ['http://intranet.example/b']]);
  });
});

describe('application menu', () => {
  const items = (template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
    template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
  const byLabel = (template: MenuItemConstructorOptions[], label: string) => items(template).find((i) => i.label === label)!;

  it("lists the app's shortcuts, shown but left to the page (not registered)", () => {
    const template = menuTemplate('linux', vi.fn(), { devTools: false });
    const shortcuts = items(template).filter((i) => i.accelerator);
    expect(shortcuts.map((i) => [i.label, i.accelerator])).toEqual([
      ['Save note', 'CmdOrCtrl+S'],
      ['Command palette…', 'CmdOrCtrl+K'],
      ['Next tab', 'Alt+PageDown'],
      ['Previous tab', 'Alt+PageUp'],
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [`Tab ${n}`, `Alt+${n}`]),
    ]);
    expect(shortcuts.every((i) => i.registerAccelerator === false)).toBe(true);
    expect(items(template).some((i) => i.role === 'toggleDevTools')).toBe(false);
    expect(items(template).some((i) => i.role === 'editMenu')).toBe(true);
  });

  it('sends the page the same key when an item is chosen: Cmd on macOS, Ctrl elsewhere', () => {
    const sent: Keystroke[] = [];
    const click = (platform: NodeJS.Platform, label: string) => (byLabel(menuTemplate(platform, (k) => sent.push(k), { devTools: true }), label).click as () => void)();
    click('darwin', 'Command palette…');
    click('linux', 'Command palette…');
    click('linux', 'Tab 3');
    click('linux', 'Keyboard shortcuts  (?)');
    expect(sent).toEqual([
      { keyCode: 'K', modifiers: ['meta'] },
      { keyCode: 'K', modifiers: ['control'] },
      { keyCode: '3', modifiers: ['alt'] },
      { keyCode: '/', modifiers: ['shift'], char: '?' },
    ]);
    expect(menuTemplate('darwin', vi.fn(), { devTools: true })[0]).toEqual({ role: 'appMenu' });
  });

  it('types the keystroke into the focused page: down, the character, up', () => {
    const { BrowserWindow } = createFakeElectron();
    const win = new BrowserWindow({});
    keystrokeSender(() => win as never)({ keyCode: '/', modifiers: ['shift'], char: '?' });
    expect(win.webContents.sendInputEvent.mock.calls).toEqual([
      [{ type: 'keyDown', keyCode: '/', modifiers: ['shift'] }],
      [{ type: 'char', keyCode: '?', modifiers: ['shift'] }],
      [{ type: 'keyUp', keyCode: '/', modifiers: ['shift'] }],
    ]);
    expect(() => keystrokeSender(() => null)({ keyCode: 'K', modifiers: [] })).not.toThrow();
  });
});
