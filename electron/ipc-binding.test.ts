import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IpcMainInvokeEvent } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT, IPC_INVOKE, type WireResult } from '../shared/bridge.js';
import { createCore, type Core } from './core/core.js';
import { bindIpc } from './ipc-binding.js';
import { createFakeElectron, type FakeElectron } from './testing/fake-electron.js';
import { appUrlPredicate } from './window.js';

const indexHtml = '/opt/backline/build/renderer/index.html';
const appUrl = `${pathToFileURL(indexHtml).href}#/tickets`;

let dir: string;
let core: Core;
let electron: FakeElectron;
let dispatch: ReturnType<typeof vi.fn<Core['dispatch']>>;
let unbind: () => void;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'backline-ipc-'));
  core = createCore({ dataDir: dir, shell: 'electron', version: '0.0.0-test', user: 'esc', log: () => {} });
  dispatch = vi.fn(core.dispatch);
  electron = createFakeElectron();
  new electron.BrowserWindow({});
  unbind = bindIpc({
    ipcMain: electron.ipcMain,
    core: { dispatch, events: core.events },
    windows: () => electron.BrowserWindow.getAllWindows(),
    isTrustedUrl: appUrlPredicate(indexHtml),
  });
});
afterEach(() => {
  unbind();
  core.close();
  rmSync(dir, { recursive: true, force: true });
});

const ourWindow = () => electron.BrowserWindow.windows[0]!;
/** An invoke event as Electron builds it: which webContents, and which frame at which URL. */
function eventFrom(url: string | null, options: { sender?: unknown; parent?: unknown } = {}): IpcMainInvokeEvent {
  const sender = options.sender ?? ourWindow().webContents;
  return { sender, senderFrame: url === null ? null : { url, parent: options.parent ?? null } } as unknown as IpcMainInvokeEvent;
}
async function invoke(event: IpcMainInvokeEvent, method: unknown, input: unknown): Promise<WireResult> {
  const handler = electron.ipcMain.handlers.get(IPC_INVOKE);
  if (!handler) throw new Error('no handler bound');
  return (await handler(event, method, input)) as WireResult;
}

describe('IPC binding', () => {
  it('binds one generic channel', () => {
    expect([...electron.ipcMain.handlers.keys()]).toEqual([IPC_INVOKE]);
  });

  it('carries a call from our renderer to the core and back', async () => {
    const created = await invoke(eventFrom(appUrl), 'tickets.create', { id: 'tkt-7', title: 'Site down' });
    expect(created).toMatchObject({ ok: true, value: { id: 'TKT-7', title: 'Site down' } });
    const read = await invoke(eventFrom(appUrl), 'tickets.get', { id: 'TKT-7' });
    expect(read).toMatchObject({ ok: true, value: { id: 'TKT-7', title: 'Site down', status: 'open' } });
    expect(dispatch).toHaveBeenLastCalledWith('tickets.get', { id: 'TKT-7' }, { shell: 'electron' });
  });

  it('answers a bad payload with VALIDATION_FAILED and an unknown method with UNKNOWN_METHOD', async () => {
    const bad = await invoke(eventFrom(appUrl), 'tickets.create', { id: 'not a ticket', title: '' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const unknown = await invoke(eventFrom(appUrl), 'shell.exec', { cmd: 'id' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it.each([
    ['a page on the web', () => eventFrom('https://evil.example/')],
    ['another local file', () => eventFrom('file:///tmp/evil.html')],
    ['a frame that has gone', () => eventFrom(null)],
    ['an iframe inside our page', () => eventFrom(appUrl, { parent: {} })],
    ['a webContents that is not our window', () => eventFrom(appUrl, { sender: {} })],
  ])('refuses %s with FORBIDDEN_ORIGIN without reaching the core', async (_what, event) => {
    const result = await invoke(event(), 'tickets.create', { id: 'TKT-9', title: 'Sneaky' });
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ORIGIN' } });
    expect(dispatch).not.toHaveBeenCalled();
    expect(await core.dispatch('tickets.list', {}, { shell: 'electron' })).toEqual({ ok: true, value: [] });
  });

  it('forwards core events to every live window, and stops when unbound', async () => {
    const second = new electron.BrowserWindow({});
    const closed = new electron.BrowserWindow({});
    closed.destroyed = true;
    await invoke(eventFrom(appUrl), 'tickets.create', { id: 'TKT-8', title: 'Slow checkout' });
    for (const win of [ourWindow(), second]) {
      expect(win.webContents.send).toHaveBeenCalledWith(IPC_EVENT, 'ticket.changed', { ticketId: 'TKT-8' });
    }
    expect(closed.webContents.send).not.toHaveBeenCalled();

    unbind();
    expect(electron.ipcMain.handlers.size).toBe(0);
    ourWindow().webContents.send.mockClear();
    await core.dispatch('tickets.create', { id: 'TKT-10', title: 'After' }, { shell: 'electron' });
    expect(ourWindow().webContents.send).not.toHaveBeenCalled();
  });
});
