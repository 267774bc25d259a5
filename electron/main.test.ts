import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IpcMainInvokeEvent } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_INVOKE, type WireResult } from '../shared/bridge.js';
import type * as CoreModule from './core/core.js';
import { createFakeElectron, type FakeElectron } from './testing/fake-electron.js';

// The real module would try to download Electron; the entry must import only this stand-in.
const mocked = vi.hoisted(() => ({ electron: undefined as unknown as FakeElectron, closes: [] as (() => void)[], spies: [] as { close: unknown; shutdown: unknown }[], options: [] as CoreModule.CoreOptions[] }));
vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./testing/fake-electron.js');
  mocked.electron = createFakeElectron();
  return mocked.electron;
});
// The real core, watched so a test can see that quitting closes it.
vi.mock('./core/core.js', async (importOriginal) => {
  const actual = await importOriginal<typeof CoreModule>();
  return {
    ...actual,
    createCore: (options: CoreModule.CoreOptions) => {
      mocked.options.push(options);
      const core = actual.createCore(options);
      mocked.closes.push(() => core.close());
      mocked.spies.push({ close: vi.spyOn(core, 'close'), shutdown: vi.spyOn(core, 'shutdown') });
      return core;
    },
  };
});

const { dataDirFlag, startMain } = await import('./main.js');
const { appRoot } = await import('./core/app-root.js');

let dir: string;
let electron: FakeElectron;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'backline-main-'));
  electron = createFakeElectron();
  mocked.closes.length = 0;
  mocked.spies.length = 0;
  mocked.options.length = 0;
});
afterEach(() => {
  for (const close of mocked.closes) close(); // closing twice is harmless
  rmSync(dir, { recursive: true, force: true });
});

const start = (argv: string[], options: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform } = {}) =>
  startMain({ electron: electron as never, argv: ['/x/electron', '/x/main.js', ...argv], env: options.env ?? {}, platform: options.platform ?? 'linux' });

describe('main entry', () => {
  it('does nothing on import outside Electron', () => {
    expect(mocked.electron.app.setName).not.toHaveBeenCalled();
    expect(mocked.electron.ipcMain.handle).not.toHaveBeenCalled();
  });

  it('names the app, puts userData in the data dir before taking the lock, then opens core, IPC and window', async () => {
    await start(['--data-dir', dir]);
    const { app } = electron;
    expect(app.setName).toHaveBeenCalledWith('Backline');
    expect(app.setPath).toHaveBeenCalledWith('userData', dir);
    expect(app.setPath.mock.invocationCallOrder[0]).toBeLessThan(app.requestSingleInstanceLock.mock.invocationCallOrder[0]!);
    expect(electron.BrowserWindow.windows).toHaveLength(1);
    const win = electron.BrowserWindow.windows[0]!;
    const indexHtml = join(appRoot(), 'build', 'renderer', 'index.html');
    expect(win.loadFile).toHaveBeenCalledWith(indexHtml);

    // A call from that window's page reaches a core whose workspace is in the data dir.
    const event = { sender: win.webContents, senderFrame: { url: pathToFileURL(indexHtml).href, parent: null } } as unknown as IpcMainInvokeEvent;
    const info = (await electron.ipcMain.handlers.get(IPC_INVOKE)!(event, 'app.info', {})) as WireResult;
    expect(info).toMatchObject({ ok: true, value: { shell: 'electron', dataDir: dir } });
  });

  it('seals secrets the engineer asks to keep with safeStorage, and keeps none without it', async () => {
    await start(['--data-dir', dir]);
    const encryptor = mocked.options[0]!.encryptor!;
    const sealed = encryptor.encrypt('hunter2');
    expect(electron.safeStorage.encryptString).toHaveBeenCalledWith('hunter2');
    expect(sealed.toString()).not.toContain('hunter2');
    expect(encryptor.decrypt(sealed)).toBe('hunter2');

    for (const close of mocked.closes) close();
    electron = createFakeElectron();
    electron.safeStorage.available = false;
    await start(['--data-dir', dir]);
    expect(mocked.options[1]!.encryptor).toBeUndefined();
  });

  it("refuses to store secrets with Linux's basic_text backend (a key hard-coded in Chromium), saying so before connecting", async () => {
    electron.safeStorage.backend = 'basic_text';
    await start(['--data-dir', dir]);
    const encryptor = mocked.options[0]!.encryptor!;
    expect(encryptor.refusal).toMatch(/basic_text/);
    expect(() => encryptor.encrypt('hunter2')).toThrow(/basic_text/);
    expect(electron.safeStorage.encryptString).not.toHaveBeenCalled();

    // Through the window: remember=true is refused before anything is sent to the server, and nothing is written.
    const win = electron.BrowserWindow.windows[0]!;
    const indexHtml = join(appRoot(), 'build', 'renderer', 'index.html');
    const event = { sender: win.webContents, senderFrame: { url: pathToFileURL(indexHtml).href, parent: null } } as unknown as IpcMainInvokeEvent;
    const invoke = (method: string, input: unknown) => electron.ipcMain.handlers.get(IPC_INVOKE)!(event, method, input) as Promise<WireResult>;
    await invoke('tickets.create', { id: 'TKT-1', title: 'x' });
    const added = (await invoke('servers.add', { ticketId: 'TKT-1', host: '127.0.0.1', port: 1, user: 'root', auth: 'password' })) as { ok: true; value: { id: number } };
    const connect = await invoke('servers.connect', { id: added.value.id, secrets: { password: 'hunter2' }, remember: true });
    expect(connect).toMatchObject({ ok: false, error: { code: 'SECRET_STORAGE_UNAVAILABLE', message: expect.stringMatching(/basic_text/) as unknown, hint: expect.stringMatching(/password-store/) as unknown } });
    expect(existsSync(join(dir, 'secrets.json'))).toBe(false);
  });

  it('uses safeStorage on Linux with a real keyring, and elsewhere whatever the OS gives', async () => {
    electron.safeStorage.backend = 'gnome_libsecret';
    await start(['--data-dir', dir]);
    expect(mocked.options[0]!.encryptor!.refusal).toBeUndefined();
    for (const close of mocked.closes) close();
    electron = createFakeElectron();
    electron.safeStorage.backend = 'unknown';
    await start(['--data-dir', join(dir, 'mac')], { platform: 'darwin' });
    expect(electron.safeStorage.getSelectedStorageBackend).not.toHaveBeenCalled();
    expect(mocked.options[1]!.encryptor!.refusal).toBeUndefined();
  });

  it('takes the data dir from BACKLINE_DATA_DIR when there is no flag', async () => {
    await start([], { env: { BACKLINE_DATA_DIR: dir } });
    expect(electron.app.setPath).toHaveBeenCalledWith('userData', dir);
  });

  it('reads --data-dir in both spellings among Chromium switches', () => {
    expect(dataDirFlag(['/x/electron', '/x/main.js', '--no-sandbox', '--data-dir=/a'])).toBe('/a');
    expect(dataDirFlag(['/x/Backline', '--data-dir', '/b', '--enable-logging'])).toBe('/b');
    expect(dataDirFlag(['/x/Backline'])).toBeUndefined();
  });

  it('as a second instance, quits without opening anything', async () => {
    electron.app.singleInstance = false;
    await start(['--data-dir', dir]);
    expect(electron.app.quit).toHaveBeenCalled();
    expect(electron.app.whenReady).not.toHaveBeenCalled();
    expect(electron.BrowserWindow.windows).toHaveLength(0);
    expect(mocked.spies).toHaveLength(0);
  });

  it('brings the window forward when launched again', async () => {
    await start(['--data-dir', dir]);
    const win = electron.BrowserWindow.windows[0]!;
    win.minimized = true;
    electron.app.emit('second-instance');
    expect(win.restore).toHaveBeenCalled();
    expect(win.focus).toHaveBeenCalled();
    expect(electron.BrowserWindow.windows).toHaveLength(1);
  });

  it('opens the workspace of a backline:// link given at launch, from a second launch, or by macOS', async () => {
    await start(['--data-dir', dir, 'backline://ticket/TKT-5']);
    const win = electron.BrowserWindow.windows[0]!;
    const indexHtml = join(appRoot(), 'build', 'renderer', 'index.html');
    expect(win.loadFile).toHaveBeenLastCalledWith(indexHtml, { hash: '/t/TKT-5' });
    electron.app.emit('second-instance', {}, [], '/', { args: ['/x/main.js', 'backline://ticket/TKT-6'] });
    expect(win.loadFile).toHaveBeenLastCalledWith(indexHtml, { hash: '/t/TKT-6' });
    expect(win.focus).toHaveBeenCalled();
    const preventDefault = vi.fn();
    electron.app.emit('open-url', { preventDefault }, 'backline://ticket/48213');
    expect(preventDefault).toHaveBeenCalled();
    expect(win.loadFile).toHaveBeenLastCalledWith(indexHtml, { hash: '/t/48213' });
    electron.app.emit('open-url', { preventDefault }, 'backline://elsewhere/x');
    expect(win.loadFile).toHaveBeenCalledTimes(3); // the other link changed nothing
    expect(electron.BrowserWindow.windows).toHaveLength(1);
    // Registered as the handler of backline:// links: from a clone, with Electron and our main script.
    expect(electron.app.setAsDefaultProtocolClient).toHaveBeenCalledWith('backline', process.execPath, [resolve('/x/main.js')]);
    expect(electron.app.requestSingleInstanceLock).toHaveBeenCalledWith({ args: ['/x/main.js', '--data-dir', dir, 'backline://ticket/TKT-5'] });
  });

  it('brings the window back at its last size, place and maximised state', async () => {
    await start(['--data-dir', dir]);
    const first = electron.BrowserWindow.windows[0]!;
    expect(first.options).toMatchObject({ width: 1280, height: 820 });
    first.normalBounds = { x: 200, y: 100, width: 1500, height: 950 };
    first.maximized = true;
    first.emit('close');
    electron.app.emit('quit');

    electron = createFakeElectron();
    await start(['--data-dir', dir]);
    const next = electron.BrowserWindow.windows[0]!;
    expect(next.options).toMatchObject({ x: 200, y: 100, width: 1500, height: 950, show: false });
    next.emit('ready-to-show');
    expect(next.maximize).toHaveBeenCalled();
    expect(next.show).not.toHaveBeenCalled();
  });

  it('sets the application menu, and runs reports in utility processes (no RunAsNode)', async () => {
    await start(['--data-dir', dir]);
    expect(electron.Menu.setApplicationMenu).toHaveBeenCalledOnce();
    const { template } = electron.Menu.applied as { template: { label?: string }[] };
    expect(template.map((m) => m.label).filter(Boolean)).toEqual(['File', 'Go', 'View']);
    expect(mocked.options[0]!.reporting?.reportProcess).toBeTypeOf('function');
    const process = mocked.options[0]!.reporting!.reportProcess!({ file: '/x/runner-process.js', args: ['/d/cache'], execArgv: [] });
    expect(electron.utilityProcess.fork).toHaveBeenCalledWith('/x/runner-process.js', ['/d/cache'], expect.objectContaining({ serviceName: 'Backline reports' }));
    process.kill();
  });

  it('quits when the last window closes, except on macOS', async () => {
    await start(['--data-dir', dir]);
    electron.app.emit('window-all-closed');
    expect(electron.app.quit).toHaveBeenCalledOnce();

    electron = createFakeElectron();
    await start(['--data-dir', join(dir, 'mac')], { platform: 'darwin' });
    electron.app.emit('window-all-closed');
    expect(electron.app.quit).not.toHaveBeenCalled();
  });

  it('closes the core and unbinds IPC on quit', async () => {
    await start(['--data-dir', dir]);
    electron.app.emit('quit');
    expect(mocked.spies).toHaveLength(1);
    expect(mocked.spies[0]?.close).toHaveBeenCalledOnce();
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it('holds the quit until the core has shut down (the receiver indexes what it holds), then quits', async () => {
    await start(['--data-dir', dir]);
    const preventDefault = vi.fn();
    electron.app.emit('will-quit', { preventDefault });
    expect(preventDefault).toHaveBeenCalledOnce();
    expect(mocked.spies[0]?.shutdown).toHaveBeenCalledOnce();
    expect(electron.ipcMain.handlers.size).toBe(0);
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalledOnce());
    // The quit that follows goes through: nothing is left to shut down.
    const again = vi.fn();
    electron.app.emit('will-quit', { preventDefault: again });
    expect(again).not.toHaveBeenCalled();
    electron.app.emit('quit');
    expect(mocked.spies[0]?.close).not.toHaveBeenCalled();
  });

  it('says why when the workspace cannot be opened, and quits', async () => {
    const notADir = join(dir, 'file');
    writeFileSync(notADir, '');
    await start(['--data-dir', notADir]);
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith('Backline could not start', expect.stringContaining(notADir));
    expect(electron.app.quit).toHaveBeenCalled();
    expect(electron.BrowserWindow.windows).toHaveLength(0);
  });
});
