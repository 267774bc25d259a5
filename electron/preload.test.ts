import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT, IPC_INVOKE, type BacklineBridge } from '../shared/bridge.js';
import type { FakeElectron } from './testing/fake-electron.js';

const electron = vi.hoisted(() => ({ fake: undefined as unknown as FakeElectron }));
vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./testing/fake-electron.js');
  electron.fake = createFakeElectron();
  return electron.fake;
});

/**
 * Vite does not transform .cts files, so the test compiles the real preload as tsc would and runs it
 * the way Electron's sandbox does: CommonJS, with a `require` that knows only 'electron' (mocked above).
 */
async function loadPreload(): Promise<string[]> {
  const source = readFileSync(new URL('./preload.cts', import.meta.url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    fileName: 'preload.cts',
  });
  const mocked = await import('electron');
  const required: string[] = [];
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name !== 'electron') throw new Error(`a sandboxed preload cannot require "${name}"`);
    return mocked;
  };
  const module = { exports: {} };
  runInNewContext(outputText, { require: sandboxRequire, module, exports: module.exports });
  return required;
}

let bridge: BacklineBridge;
beforeAll(async () => {
  expect(await loadPreload()).toEqual(['electron']);
  const calls = electron.fake.contextBridge.exposeInMainWorld.mock.calls;
  expect(calls).toHaveLength(1);
  expect(calls[0]?.[0]).toBe('backline');
  bridge = calls[0]?.[1] as BacklineBridge;
});

describe('preload', () => {
  it('exposes one object with only invoke and subscribe, never ipcRenderer', () => {
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe']);
    expect(Object.values(bridge)).not.toContain(electron.fake.ipcRenderer);
  });

  it('sends every call down the one invoke channel and returns the main side’s answer', async () => {
    electron.fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: 42 });
    await expect(bridge.invoke('tickets.get', { id: 'TKT-1' })).resolves.toEqual({ ok: true, value: 42 });
    expect(electron.fake.ipcRenderer.invoke).toHaveBeenCalledWith(IPC_INVOKE, 'tickets.get', { id: 'TKT-1' });
  });

  it('delivers events to subscribers, and unsubscribe removes exactly that listener', () => {
    const { ipcRenderer } = electron.fake;
    const a = vi.fn();
    const b = vi.fn();
    const offA = bridge.subscribe(a);
    bridge.subscribe(b);
    expect(ipcRenderer.listenerCount(IPC_EVENT)).toBe(2);
    ipcRenderer.emit(IPC_EVENT, {}, 'ticket.changed', { id: 'TKT-1' });
    expect(a).toHaveBeenCalledWith('ticket.changed', { id: 'TKT-1' });
    offA();
    expect(ipcRenderer.listenerCount(IPC_EVENT)).toBe(1);
    ipcRenderer.emit(IPC_EVENT, {}, 'ticket.changed', { id: 'TKT-2' });
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
  });
});
