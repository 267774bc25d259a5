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

  describe('caps the size of a call', () => {
    const MiB = 1024 * 1024;
    const cyclic: Record<string, unknown> = { title: 'x' };
    cyclic.self = cyclic;
    it.each([
      ['one huge string', () => ({ id: 'TKT-1', title: 'x'.repeat(5 * MiB) })],
      ['many small strings', () => ({ id: 'TKT-1', title: 'x', extra: Array.from({ length: 100_000 }, () => 'y'.repeat(64)) })],
      ['a huge array of numbers', () => ({ id: 'TKT-1', title: 'x', extra: new Array<number>(1_000_000).fill(0) })],
      ['an object with a million keys', () => ({ id: 'TKT-1', title: 'x', extra: Object.fromEntries(Array.from({ length: 1_000_000 }, (_, i) => [`k${i}`, null])) })],
      ['a large binary (structured clone carries typed arrays)', () => ({ id: 'TKT-1', title: 'x', extra: new Uint8Array(8 * MiB) })],
      ['a Map (structured clone carries those too)', () => ({ id: 'TKT-1', title: 'x', extra: new Map([['k', 'v'.repeat(5 * MiB)]]) })],
    ])('answers %s with PAYLOAD_TOO_LARGE without reaching the core', async (_what, input) => {
      const result = await invoke(eventFrom(appUrl), 'tickets.create', input());
      expect(result).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
      expect(dispatch).not.toHaveBeenCalled();
    });

    it('answers a huge method name with PAYLOAD_TOO_LARGE, not by echoing it back', async () => {
      const result = await invoke(eventFrom(appUrl), 'x'.repeat(5 * MiB), {});
      expect(result).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
      expect(JSON.stringify(result).length).toBeLessThan(1000);
      const under = await invoke(eventFrom(appUrl), 'x'.repeat(MiB), {});
      expect(under).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
      expect(JSON.stringify(under).length).toBeLessThan(1000);
    });

    it('lets a call under the cap through, and a cycle or deep nesting is only invalid', async () => {
      expect(await invoke(eventFrom(appUrl), 'tickets.create', { id: 'TKT-11', title: 'x', extra: 'y'.repeat(MiB) })).toMatchObject({ ok: true });
      expect(await invoke(eventFrom(appUrl), 'tickets.create', { id: 'TKT-12', title: cyclic })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      let deep: unknown = 'bottom';
      for (let i = 0; i < 200_000; i++) deep = [deep];
      expect(await invoke(eventFrom(appUrl), 'tickets.create', { id: 'TKT-13', title: deep })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    });
  });
});
